import { describe, expect, it } from "vitest";
import { MetricSpecSchema } from "@iter8ts/types";
import { interpolateEscaped } from "./escaped-template";
import { buildMetricRequest, toHttpRequest } from "./metric-request";

const ATTACK = '"}[1m])) or sum(secret_table{team="c';

describe("interpolateEscaped", () => {
  it("keeps the exact attack inside the PromQL double-quoted label value it lands in", () => {
    const r = interpolateEscaped('sum(rate(http_requests_total{app="$name"}[1m]))', { name: ATTACK }, "query");
    expect(r.unsafe).toBeUndefined();
    expect(r.text).toBe('sum(rate(http_requests_total{app="\\"}[1m])) or sum(secret_table{team=\\"c"}[1m]))');
  });

  it("escapes backslashes, the quote and line breaks in single-quoted strings, as the samples write PromQL and NRQL", () => {
    const r = interpolateEscaped("x{w='$name',ns='${namespace}'}", { name: "a\\'b\nc", namespace: "team-a" }, "query");
    expect(r.text).toBe("x{w='a\\\\\\'b\\nc',ns='team-a'}");
  });

  it("refuses a value that is not a plain token outside quotes, naming the placeholder and not the value", () => {
    const r = interpolateEscaped("sum(x[${elapsedTime}s]) by ($name)", { elapsedTime: "30", name: ATTACK }, "query");
    expect(r.unsafe).toEqual({ name: "name", reason: expect.stringContaining("outside quotes") });
    expect(JSON.stringify(r.unsafe)).not.toContain("secret_table");
    expect(interpolateEscaped("SINCE $elapsedTime sec ago", { elapsedTime: "30" }, "query")).toEqual({ text: "SINCE 30 sec ago", unresolved: [] });
    expect(interpolateEscaped("x{a=~$v}", { v: "reviews-v1.2:8080/x_y" }, "query").unsafe).toBeUndefined();
  });

  it("refuses a backtick in a raw string and control characters in a quoted one", () => {
    expect(interpolateEscaped("x{a=`$v`}", { v: "a`b" }, "query").unsafe?.name).toBe("v");
    expect(interpolateEscaped("x{a=`$v`}", { v: 'a"b' }, "query").text).toBe('x{a=`a"b`}');
    expect(interpolateEscaped('x{a="$v"}', { v: "a\u0000b" }, "query").unsafe?.reason).toMatch(/control characters/);
  });

  it("follows the template's own escaped quotes", () => {
    expect(interpolateEscaped('x{a="q\\"$v"}', { v: '"' }, "query").text).toBe('x{a="q\\"\\""}');
    expect(interpolateEscaped("x{a=\"it's\", b=$v}", { v: "ok" }, "query").text).toBe("x{a=\"it's\", b=ok}");
  });

  it("in a JSON body escapes for the query inside the JSON string, then for JSON; outside strings only tokens", () => {
    const body = '{"query": "sum(x{app=\\"$name\\"})", "limit": $n}';
    const r = interpolateEscaped(body, { name: ATTACK, n: "10" }, "json");
    expect(r.unsafe).toBeUndefined();
    const parsed = JSON.parse(r.text) as { query: string; limit: number };
    expect(parsed.limit).toBe(10);
    // The decoded query holds the attack as one escaped label value.
    expect(parsed.query).toBe('sum(x{app="\\"}[1m])) or sum(secret_table{team=\\"c"})');
    expect(interpolateEscaped('{"q": "name=$name"}', { name: ATTACK }, "json").unsafe?.name).toBe("name");
    expect(interpolateEscaped('{"limit": $n}', { n: '1, "admin": true' }, "json").unsafe?.name).toBe("n");
  });

  it("reports placeholders without a value and keeps $$ as $", () => {
    expect(interpolateEscaped("$$x $missing ${also}", {}, "query")).toEqual({ text: "$x $missing ${also}", unresolved: ["missing", "also"] });
  });
});

describe("a Metric's query with another team's version values (the confused deputy)", () => {
  const promql = MetricSpecSchema.parse({
    urlTemplate: "http://prometheus:9090/api/v1/query",
    params: [{ name: "query", value: 'sum(increase(requests_total{destination_workload="$name",namespace="$namespace"}[${elapsedTime}s]))' }],
    jqExpression: ".data.result[0].value[1] | tonumber",
  });
  const context = (name: string, variables: Record<string, string> = {}) => ({
    key: "team-b/request-count",
    version: { name, variables },
    namespace: "team-a",
    elapsedSeconds: 60,
    secret: undefined,
  });

  it("sends the exact attack as one escaped label value, percent-encoded in the URL", () => {
    const built = buildMetricRequest(promql, context(ATTACK));
    if (!built.ok) throw new Error(built.error.message);
    expect(built.request.params.query).toBe('sum(increase(requests_total{destination_workload="\\"}[1m])) or sum(secret_table{team=\\"c",namespace="team-a"}[60s]))');
    const url = new URL(toHttpRequest(built.request, { timeoutMs: 1000 }).url);
    expect([...url.searchParams.keys()]).toEqual(["query"]);
    expect(url.searchParams.get("query")).toBe(built.request.params.query);
    expect(url.search).not.toContain('"');
  });

  it("cannot add a query parameter through a version variable", () => {
    const spec = MetricSpecSchema.parse({ urlTemplate: "http://backend/q", params: [{ name: "q", value: "x{a='$v'}" }], jqExpression: ".v" });
    const built = buildMetricRequest(spec, context("v1", { v: "1'}&admin=true#" }));
    if (!built.ok) throw new Error(built.error.message);
    const url = new URL(toHttpRequest(built.request, { timeoutMs: 1000 }).url);
    expect([...url.searchParams.keys()]).toEqual(["q"]);
    expect(url.searchParams.get("q")).toBe("x{a='1\\'}&admin=true#'}");
  });

  it("refuses a value outside quotes that is not a plain token, naming the placeholder, the metric and the version, not sending the query", () => {
    const spec = MetricSpecSchema.parse({ urlTemplate: "http://backend/q", params: [{ name: "query", value: "sum(x) by ($name)" }], jqExpression: ".v" });
    const built = buildMetricRequest(spec, context(ATTACK));
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.error.code).toBe("unsafe_value");
    expect(built.error.message).toBe(
      `metric team-b/request-count, version ${ATTACK}: spec.params[0] (query) uses $name, whose value for this version cannot be spliced into the query safely: ` +
        "it stands outside quotes in the query, where only letters, digits and _ . : / - are allowed; quote the placeholder in the metric's template; the query was not sent",
    );
  });
});
