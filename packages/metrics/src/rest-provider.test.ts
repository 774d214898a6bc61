import { readFileSync } from "node:fs";
import { MetricSchema, type Experiment, type Metric, type MetricInput } from "@iter8ts/types";
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type LoopbackServer, type Reply } from "../test/loopback-server";
import { createDefaultRegistry } from "./default-registry";
import { createEgressPolicy } from "./egress-policy";
import { nodeHttpClient } from "./http-client";
import { queryMetrics, type QueryMetricsOptions } from "./query-metrics";
import { ValueExtractor } from "./value-extractor";

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8"));
const tls = {
  key: readFileSync(new URL("./__fixtures__/loopback-tls.key", import.meta.url)),
  cert: readFileSync(new URL("./__fixtures__/loopback-tls.crt", import.meta.url)),
};

const experiment: Experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "checkout-canary", namespace: "shop" },
  spec: {
    target: "shop/checkout",
    strategy: { testingPattern: "Canary" },
    versionInfo: {
      baseline: { name: "checkout-v1", variables: [{ name: "revision", value: "rev-1" }] },
      candidates: [{ name: "checkout-v2", variables: [{ name: "revision", value: "rev-2" }] }],
    },
  },
  status: { startTime: "2024-05-01T10:00:00Z" },
};
const now = () => new Date("2024-05-01T10:10:00Z"); // 600 s after the start

function metric(name: string, spec: MetricInput["spec"]): Metric {
  return MetricSchema.parse({ apiVersion: "iter8.tools/v2alpha2", kind: "Metric", metadata: { name, namespace: "shop" }, spec });
}

const servers: LoopbackServer[] = [];
async function serve(handler: (req: Parameters<Parameters<typeof startServer>[0]>[0], i: number) => Reply | Promise<Reply>, withTls = false) {
  const s = await startServer(handler, withTls ? tls : undefined);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const sleeps: number[] = [];
const options = (over: QueryMetricsOptions = {}): QueryMetricsOptions => ({ now, sleep: async (ms) => void sleeps.push(ms), ...over });

describe("REST presets against loopback backends answering like the real products", () => {
  it("Prometheus: GET with the interpolated PromQL in the query string", async () => {
    const prom = await serve(() => ({ body: fixture("prometheus-vector.json") }));
    const m = metric("mean-latency", {
      provider: "prometheus",
      urlTemplate: `${prom.url}/api/v1/query`,
      params: [{ name: "query", value: "sum(increase(latency_sum{revision='$revision'}[${elapsedTime}s]))" }],
      jqExpression: ".data.result[0].value[1] | tonumber",
    });
    const r = await queryMetrics(experiment, [m], {}, options());
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual({ "shop/mean-latency": { "checkout-v1": { value: 217.35 }, "checkout-v2": { value: 217.35 } } });
    const queries = prom.requests.map((q) => [q.method, q.path, q.query.get("query")]).sort();
    expect(queries).toEqual([
      ["GET", "/api/v1/query", "sum(increase(latency_sum{revision='rev-1'}[600s]))"],
      ["GET", "/api/v1/query", "sum(increase(latency_sum{revision='rev-2'}[600s]))"],
    ]);
  });

  it("New Relic: NRQL parameter, X-Query-Key from the secret, the preset's default expression", async () => {
    const nr = await serve((req) => (req.headers["x-query-key"] === "nr-query-key-123" ? { body: fixture("newrelic-nrql-average.json") } : { status: 401, body: { error: "bad key" } }));
    const m = metric("user-engagement", {
      provider: "newrelic",
      urlTemplate: `${nr.url}/v1/accounts/12345/query`,
      params: [{ name: "nrql", value: "SELECT average(duration) FROM Sessions WHERE version='$name' SINCE $elapsedTime sec ago" }],
      authType: "APIKey",
      secret: "nr-credentials",
      headerTemplates: [{ name: "X-Query-Key", value: "${querykey}" }],
    });
    const r = await queryMetrics(experiment, [m], { "shop/nr-credentials": { querykey: "nr-query-key-123" } }, options());
    expect(r.errors).toEqual([]);
    expect(r.values["shop/user-engagement"]).toEqual({ "checkout-v1": { value: 41.8273 }, "checkout-v2": { value: 41.8273 } });
    expect(nr.requests.map((q) => q.query.get("nrql")).sort()).toEqual([
      "SELECT average(duration) FROM Sessions WHERE version='checkout-v1' SINCE 600 sec ago",
      "SELECT average(duration) FROM Sessions WHERE version='checkout-v2' SINCE 600 sec ago",
    ]);
  });

  it("Sysdig: POST of the interpolated JSON body with a Bearer token", async () => {
    const sd = await serve((req) => (req.headers.authorization === "Bearer 8765-4321" ? { body: fixture("sysdig-data.json") } : { status: 401, body: { errors: [{ reason: "unauthorized" }] } }));
    const m = metric("cpu", {
      provider: "sysdig",
      urlTemplate: `${sd.url}/api/data`,
      method: "POST",
      authType: "Bearer",
      secret: "sd-credentials",
      body: '{"last": ${elapsedTime}, "sampling": 600, "filter": "kubernetes.app.revision.name = \'${revision}\'", "metrics": [{"id": "cpu.cores.used", "aggregations": {"time": "avg", "group": "sum"}}], "dataSourceType": "container"}',
    });
    const r = await queryMetrics(experiment, [m], { "shop/sd-credentials": { token: "8765-4321" } }, options());
    expect(r.errors).toEqual([]);
    expect(r.values["shop/cpu"]?.["checkout-v2"]).toEqual({ value: 0.734 });
    const bodies = sd.requests.map((q) => JSON.parse(q.body) as { last: number; filter: string }).sort((a, b) => a.filter.localeCompare(b.filter));
    expect(bodies.map((b) => [b.last, b.filter])).toEqual([
      [600, "kubernetes.app.revision.name = 'rev-1'"],
      [600, "kubernetes.app.revision.name = 'rev-2'"],
    ]);
    expect(sd.requests.every((q) => q.method === "POST" && q.headers["content-type"] === "application/json")).toBe(true);
  });

  it("Elasticsearch: POST with Basic credentials and an aggregation read by jq", async () => {
    const expected = `Basic ${Buffer.from("produser:t0p-secret").toString("base64")}`;
    const es = await serve((req) => (req.headers.authorization === expected ? { body: fixture("elastic-aggregation.json") } : { status: 401, body: fixture("elastic-error.json") }));
    const m = metric("avg-sales", {
      provider: "elastic",
      urlTemplate: `${es.url}/my/sales/_search`,
      method: "POST",
      authType: "Basic",
      secret: "myns/es-credentials",
      headerTemplates: [{ name: "Content-Type", value: "application/json" }],
      body: '{"size": 0, "query": {"range": {"date": {"gte": "now-${elapsedTime}s/s"}}}, "aggs": {"items_to_sell": {"filter": {"term": {"version": "${revision}"}}, "aggs": {"avg_sales": {"avg": {"field": "sale_price"}}}}}}',
      jqExpression: ".aggregations.items_to_sell.avg_sales.value | tonumber",
    });
    const r = await queryMetrics(experiment, [m], { "myns/es-credentials": { username: "produser", password: "t0p-secret" } }, options());
    expect(r.errors).toEqual([]);
    expect(r.values["shop/avg-sales"]?.["checkout-v1"]).toEqual({ value: 128.33333333333334 });
    const terms = es.requests.map((q) => (JSON.parse(q.body) as { aggs: { items_to_sell: { filter: { term: { version: string } } } } }).aggs.items_to_sell.filter.term.version);
    expect(terms.sort()).toEqual(["rev-1", "rev-2"]);
  });

  it("JSONata can stand in for jq", async () => {
    const nr = await serve(() => ({ body: fixture("newrelic-nrql-average.json") }));
    const m = metric("engagement", { urlTemplate: nr.url, jsonataExpression: "results[0].average * 1000" });
    const r = await queryMetrics(experiment, [m], {}, options());
    expect(r.values["shop/engagement"]?.["checkout-v1"]?.value).toBeCloseTo(41827.3, 6);
  });
});

describe("faults: a typed error per (metric, version), never a throw", () => {
  const promMetric = (url: string, extra: Partial<MetricInput["spec"]> = {}) =>
    metric("request-count", { provider: "prometheus", urlTemplate: `${url}/api/v1/query`, params: [{ name: "query", value: "sum(x{v='$name'})" }], ...extra });

  it("a slow backend times out after timeoutSeconds, without retrying", async () => {
    const slow = await serve(() => ({ body: fixture("prometheus-vector.json"), delayMs: 2000 }));
    const r = await queryMetrics(experiment, [promMetric(slow.url, { timeoutSeconds: 0.2 })], {}, options());
    expect(r.errors.map((e) => [e.code, e.version])).toEqual([
      ["timeout", "checkout-v1"],
      ["timeout", "checkout-v2"],
    ]);
    expect(r.errors[0]!.message).toContain("0.2 s");
    expect(r.values["shop/request-count"]?.["checkout-v1"]).toEqual({ value: null, error: r.errors[0]!.message });
    expect(slow.requests).toHaveLength(2);
  });

  it("an HTTP 500 is reported with its status and not repeated", async () => {
    const broken = await serve(() => ({ status: 500, body: "internal error: db password hunter2" }));
    const r = await queryMetrics(experiment, [promMetric(broken.url)], {}, options());
    expect(r.errors.map((e) => [e.code, e.status, e.retryable])).toEqual([
      ["http_status", 500, false],
      ["http_status", 500, false],
    ]);
    // The status code, never the raw body: a backend may echo anything, and this lands in status.
    expect(r.errors[0]!.message).toBe(`metric shop/request-count, version checkout-v1: Prometheus at "${broken.url}/api/v1/query" answered HTTP 500`);
    expect(broken.requests).toHaveLength(2);
  });

  it("a busy backend (503) is asked again with growing pauses, and its answer is used when it recovers", async () => {
    sleeps.length = 0;
    const flaky = await serve((req) => {
      const seen = flaky.requests.filter((q) => q.query.get("query") === req.query.get("query")).length;
      return seen <= 2 ? { status: 503, body: "busy" } : { body: fixture("prometheus-vector.json") };
    });
    const r = await queryMetrics(experiment, [promMetric(flaky.url)], {}, options());
    expect(r.errors).toEqual([]);
    expect(r.values["shop/request-count"]?.["checkout-v2"]).toEqual({ value: 217.35 });
    expect(flaky.requests).toHaveLength(6);
    expect(sleeps).toHaveLength(4);
    const [first, second] = [Math.max(...sleeps.filter((s) => s < 200)), Math.min(...sleeps.filter((s) => s >= 200))];
    expect(first).toBeLessThan(second);
  });

  it("a backend that stays busy gives up after three attempts", async () => {
    const busy = await serve(() => ({ status: 503, body: "busy" }));
    const r = await queryMetrics(experiment, [promMetric(busy.url)], {}, options());
    expect(r.errors.map((e) => [e.code, e.status, e.retryable])).toEqual([
      ["http_status", 503, true],
      ["http_status", 503, true],
    ]);
    expect(busy.requests).toHaveLength(6);
  });

  it("an unreachable backend is retried, then reported as unreachable", async () => {
    const gone = await serve(() => ({}));
    const url = gone.url;
    await gone.close();
    servers.splice(servers.indexOf(gone), 1);
    const r = await queryMetrics(experiment, [promMetric(url)], {}, options());
    expect(r.errors.map((e) => [e.code, e.retryable])).toEqual([
      ["unreachable", true],
      ["unreachable", true],
    ]);
    expect(r.errors[0]!.message).toContain("ECONNREFUSED");
    expect(r.errors[0]!.message).toContain("after 3 attempt(s)");
  });

  it("garbage instead of JSON is bad_json", async () => {
    const garbage = await serve(() => ({ body: "<html>502 Bad Gateway</html>", headers: { "content-type": "text/html" } }));
    const r = await queryMetrics(experiment, [promMetric(garbage.url)], {}, options());
    expect(r.errors.map((e) => e.code)).toEqual(["bad_json", "bad_json"]);
    expect(r.errors[0]!.message).toContain("answered HTTP 200 with 28 bytes of text/html that are not JSON; check that the URL is the backend's query API");
    expect(r.errors[0]!.message).not.toContain("Bad Gateway");
  });

  it("an empty Prometheus result is no_number, with advice", async () => {
    const empty = await serve(() => ({ body: fixture("prometheus-empty.json") }));
    const r = await queryMetrics(experiment, [promMetric(empty.url)], {}, options());
    expect(r.errors.map((e) => e.code)).toEqual(["no_number", "no_number"]);
    expect(r.errors[0]!.message).toContain("or on() vector(0)");
  });

  it("NaN from the backend (0/0 before any traffic) is nan", async () => {
    const nan = await serve(() => ({ body: fixture("prometheus-nan.json") }));
    const r = await queryMetrics(experiment, [promMetric(nan.url)], {}, options());
    expect(r.errors.map((e) => e.code)).toEqual(["nan", "nan"]);
    expect(r.values["shop/request-count"]?.["checkout-v1"]?.value).toBeNull();
  });

  it("a rejected query is reported with the backend's own words", async () => {
    const prom = await serve(() => ({ status: 400, body: fixture("prometheus-bad-query.json") }));
    const sd = await serve(() => ({ status: 400, body: fixture("sysdig-error.json") }));
    const nr = await serve(() => ({ status: 400, body: fixture("newrelic-error.json") }));
    const r = await queryMetrics(
      experiment,
      [
        promMetric(prom.url),
        metric("cpu", { provider: "sysdig", urlTemplate: sd.url, method: "POST", body: "{}" }),
        metric("engagement", { provider: "newrelic", urlTemplate: nr.url }),
      ],
      {},
      options(),
    );
    const byMetric = Object.fromEntries(r.errors.filter((e) => e.version === "checkout-v1").map((e) => [e.metric, e.message]));
    expect(byMetric["shop/request-count"]).toContain('bad_data: invalid parameter "query"');
    expect(byMetric["shop/cpu"]).toContain("metric 'cpu.cores.usd' does not exist");
    expect(byMetric["shop/engagement"]).toContain("NRQL Syntax Error");
  });

  it("never puts secret values in errors, even when the backend echoes them", async () => {
    const es = await serve(() => ({ status: 401, body: fixture("elastic-error.json") }));
    const sd = await serve((req) => ({ status: 403, body: `token ${req.headers.authorization} refused` }));
    const r = await queryMetrics(
      experiment,
      [
        metric("sales", { provider: "elastic", urlTemplate: es.url, authType: "Basic", secret: "es", method: "POST", body: "{}" }),
        metric("cpu", { provider: "sysdig", urlTemplate: sd.url, authType: "Bearer", secret: "sd", method: "POST", body: "{}" }),
      ],
      { "shop/es": { username: "produser", password: "t0p-secret" }, "shop/sd": { token: "sd-token-987" } },
      options(),
    );
    expect(r.errors).toHaveLength(4);
    const text = JSON.stringify(r) + r.errors.map((e) => `${e.message} ${String(e.cause)}`).join(" ");
    for (const secret of ["produser", "t0p-secret", "sd-token-987"]) expect(text).not.toContain(secret);
    expect(r.errors.find((e) => e.metric === "shop/sales")!.message).toContain("security_exception");
  });
});

describe("TLS", () => {
  const https = (url: string, extra: Partial<MetricInput["spec"]> = {}) =>
    metric("secure", { provider: "prometheus", urlTemplate: `${url}/api/v1/query`, params: [{ name: "query", value: "up" }], ...extra });

  it("verifies certificates by default", async () => {
    const server = await serve(() => ({ body: fixture("prometheus-vector.json") }), true);
    const r = await queryMetrics(experiment, [https(server.url)], {}, options());
    expect(r.errors.map((e) => e.code)).toEqual(["unreachable", "unreachable"]);
    expect(r.errors[0]!.message).toMatch(/SELF_SIGNED|CERT/);
    expect(r.warnings).toEqual([]);
  });

  it("skips verification only for a metric that asks, and warns about it", async () => {
    const server = await serve(() => ({ body: fixture("prometheus-vector.json") }), true);
    const r = await queryMetrics(experiment, [https(server.url, { insecureSkipTLSVerify: true })], {}, options());
    expect(r.errors).toEqual([]);
    expect(r.values["shop/secure"]?.["checkout-v1"]).toEqual({ value: 217.35 });
    expect(r.warnings).toEqual([{ metric: "shop/secure", message: expect.stringContaining("not verified") }]);
  });
});

describe("bounds: egress policy, response size, expression limits", () => {
  it("a metric whose URL leads to a refused address fails with a message naming the host (no query), the address and the flag", async () => {
    const prom = await serve(() => ({ body: fixture("prometheus-vector.json") }));
    const m = metric("internal", { provider: "prometheus", urlTemplate: `${prom.url.replace("127.0.0.1", "user:pw@127.0.0.1")}/api/v1/query?apikey=s3cr3t`, params: [{ name: "query", value: "up" }] });
    const r = await queryMetrics(experiment, [m], {}, options({ http: nodeHttpClient({ egress: createEgressPolicy() }) }));
    expect(r.errors.map((e) => [e.code, e.retryable])).toEqual([
      ["egress_refused", false],
      ["egress_refused", false],
    ]);
    expect(r.errors[0]!.message).toBe(
      `metric shop/internal, version checkout-v1: Prometheus at "${prom.url}/api/v1/query?…" leads to 127.0.0.1, a loopback address, which the egress policy refuses; the operator allows it with --egress-allow loopback`,
    );
    expect(prom.requests).toHaveLength(0);
  });

  it("an answer above the response limit fails with the limit in the message", async () => {
    const big = await serve(() => ({ body: { data: "x".repeat(2 * 1024 * 1024) } }));
    const r = await queryMetrics(experiment, [metric("big", { provider: "prometheus", urlTemplate: `${big.url}/api/v1/query`, params: [{ name: "query", value: "up" }] })], {}, options({ http: nodeHttpClient({ maxResponseBytes: 1024 * 1024 }) }));
    expect(r.errors.map((e) => e.code)).toEqual(["response_too_large", "response_too_large"]);
    expect(r.errors[0]!.message).toBe(
      `metric shop/big, version checkout-v1: Prometheus at "${big.url}/api/v1/query" answered with more than 1 MiB, so the read was stopped; make the query return less (aggregate it), or ask the operator to raise the controller's --max-response-size`,
    );
  });

  it("a jqExpression that runs past its time limit fails only its own metric, naming metric, version and limit", async () => {
    const prom = await serve(() => ({ body: fixture("prometheus-vector.json") }));
    const hostile = metric("hostile", { provider: "prometheus", urlTemplate: `${prom.url}/api/v1/query`, params: [{ name: "query", value: "up" }], jqExpression: "last(range(1e12))" });
    const fine = metric("fine", { provider: "prometheus", urlTemplate: `${prom.url}/api/v1/query`, params: [{ name: "query", value: "up" }] });
    const registry = createDefaultRegistry({ extractor: new ValueExtractor({ limits: { timeoutMs: 300 } }) });
    const r = await queryMetrics(experiment, [hostile, fine], {}, options({ registry }));
    expect(r.values["shop/fine"]).toEqual({ "checkout-v1": { value: 217.35 }, "checkout-v2": { value: 217.35 } });
    expect(r.errors.map((e) => [e.metric, e.code])).toEqual([
      ["shop/hostile", "expression_limit"],
      ["shop/hostile", "expression_limit"],
    ]);
    expect(r.errors.map((e) => e.message).sort()[0]).toMatch(
      /^metric shop\/hostile, version checkout-v\d: spec.jqExpression ran longer than its time limit of 300 ms and was stopped.*--expression-timeout$/,
    );
  });
});
