import { MetricSpecSchema, type MetricSpecInput } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { buildMetricRequest, toHttpRequest, type MetricRequestContext } from "./metric-request";
import { newRelicPreset } from "./rest-preset";

const spec = (input: MetricSpecInput) => MetricSpecSchema.parse(input);
const ctx = (over: Partial<MetricRequestContext> = {}): MetricRequestContext => ({
  key: "shop/latency",
  version: { name: "checkout-v2", variables: {} },
  namespace: "shop",
  elapsedSeconds: 90,
  secret: undefined,
  ...over,
});

function built(s: MetricSpecInput, c: Partial<MetricRequestContext> = {}) {
  const r = buildMetricRequest(spec(s), ctx(c));
  if (!r.ok) throw new Error(`unexpected failure: ${r.error.message}`);
  return r.request;
}

function failed(s: MetricSpecInput, c: Partial<MetricRequestContext> = {}) {
  const r = buildMetricRequest(spec(s), ctx(c));
  if (r.ok) throw new Error("expected a failure");
  return r.error;
}

describe("buildMetricRequest: which field is interpolated with what", () => {
  it("fills params with the version name, its variables, the experiment namespace and the elapsed time", () => {
    const r = built(
      {
        urlTemplate: "http://prom:9090/api/v1/query",
        params: [{ name: "query", value: "sum(increase(req_total{app='$name',ns='$namespace',rev='${rev}'}[${elapsedTime}s]))" }],
      },
      { version: { name: "checkout-v2", variables: { rev: "r7" } } },
    );
    expect(r.url).toBe("http://prom:9090/api/v1/query");
    expect(r.params).toEqual({ query: "sum(increase(req_total{app='checkout-v2',ns='shop',rev='r7'}[90s]))" });
    expect(r.body).toBeNull();
    expect(r.headers).toEqual({});
  });

  it("lets a version variable override name and namespace, but never elapsedTime", () => {
    const r = built(
      { urlTemplate: "http://prom/q", params: [{ name: "q", value: "$name|$namespace|$elapsedTime" }] },
      { version: { name: "v1", variables: { name: "svc-a", namespace: "team-ns", elapsedTime: "9999" } } },
    );
    expect(r.params.q).toBe("svc-a|team-ns|90");
  });

  it("interpolates the body with the version's values and parses it as JSON", () => {
    const r = built({
      urlTemplate: "https://sysdig.example/api/data",
      method: "POST",
      body: '{"last": $elapsedTime, "filter": "kubernetes.app.revision.name = \'${name}\'"}',
    });
    expect(r.method).toBe("POST");
    expect(r.body).toEqual({ last: 90, filter: "kubernetes.app.revision.name = 'checkout-v2'" });
  });

  it("interpolates the URL with secret data only when the metric names a secret", () => {
    const withSecret = built(
      { urlTemplate: "https://metrics.example:${port}/${path}", secret: "creds" },
      { secret: { port: "8443", path: "api" }, secretKey: "shop/creds" },
    );
    expect(withSecret.url).toBe("https://metrics.example:8443/api");
    // Without a secret the URL is not a template: its text is used as written.
    expect(built({ urlTemplate: "http://prom/$name" }).url).toBe("http://prom/$name");
  });

  it("interpolates headers with secret data for APIKey and Bearer only", () => {
    const secret = { key: "k-123", token: "t-456", username: "u", password: "p", other: "o" };
    const apiKey = built({ urlTemplate: "http://nr/q", authType: "APIKey", secret: "nr", headerTemplates: [{ name: "X-Query-Key", value: "$key" }] }, { secret });
    expect(apiKey.headers).toEqual({ "X-Query-Key": "k-123" });
    const bearer = built({ urlTemplate: "http://sd/q", authType: "Bearer", secret: "sd", headerTemplates: [{ name: "Authorization", value: "Bearer ${token}" }] }, { secret });
    expect(bearer.headers).toEqual({ Authorization: "Bearer t-456" });
    const basic = built({ urlTemplate: "http://es/q", authType: "Basic", secret: "es", headerTemplates: [{ name: "X-Tag", value: "$other" }] }, { secret });
    expect(basic.headers).toEqual({ "X-Tag": "$other" });
    expect(basic.basicAuth).toEqual({ username: "u", password: "p" });
    const none = built({ urlTemplate: "http://x/q", secret: "plain", headerTemplates: [{ name: "X-Tag", value: "$other" }] }, { secret });
    expect(none.headers).toEqual({ "X-Tag": "$other" });
  });

  it("sends the Bearer header itself when the metric has no Authorization template", () => {
    const r = built({ urlTemplate: "http://sd/q", authType: "Bearer", secret: "sd" }, { secret: { token: "t-456" } });
    expect(r.headers).toEqual({ Authorization: "Bearer t-456" });
  });

  it("uses the preset's API key header for APIKey metrics without header templates", () => {
    const r = buildMetricRequest(spec({ urlTemplate: "http://nr/q", authType: "APIKey", secret: "nr" }), ctx({ secret: { apiKey: "nr-key" }, preset: newRelicPreset }));
    expect(r.ok && r.request.headers).toEqual({ "X-Query-Key": "nr-key" });
  });
});

describe("buildMetricRequest: refusing queries that would be wrong", () => {
  it("names the metric, the version and the placeholder left without a value in params", () => {
    const e = failed(
      { urlTemplate: "http://prom/q", params: [{ name: "query", value: "up{pod='$podname'}" }] },
      { version: { name: "checkout-v2", variables: { revision: "r1" } } },
    );
    expect(e.code).toBe("unresolved_placeholder");
    expect(e.placeholder).toBe("podname");
    expect(e.metric).toBe("shop/latency");
    expect(e.version).toBe("checkout-v2");
    expect(e.message).toContain("metric shop/latency, version checkout-v2");
    expect(e.message).toContain("$podname");
    expect(e.message).toContain("revision");
  });

  it("refuses a URL or header placeholder the secret lacks, without printing secret values", () => {
    const url = failed({ urlTemplate: "https://m.example:${port}/$endpoint", secret: "s" }, { secret: { port: "8443" }, secretKey: "shop/s" });
    expect(url.code).toBe("unresolved_placeholder");
    expect(url.placeholder).toBe("endpoint");
    expect(url.message).toContain("secret shop/s");
    expect(url.message).not.toContain("8443");
    const header = failed(
      { urlTemplate: "http://x/q", authType: "APIKey", secret: "s", headerTemplates: [{ name: "a", value: "$b" }, { name: "c", value: "$d" }] },
      { secret: { b: "b-value" } },
    );
    expect(header.placeholder).toBe("d");
    expect(header.message).not.toContain("b-value");
  });

  it("names the header and the secret key when a value cannot go into a header, without printing it", () => {
    const token = failed({ urlTemplate: "http://sd/q", authType: "Bearer", secret: "sd" }, { secret: { token: "t-456\n" }, secretKey: "shop/sd" });
    expect(token.code).toBe("invalid_metric");
    expect(token.message).toBe(
      'metric shop/latency, version checkout-v2: the Authorization header, from key "token" of secret shop/sd, holds a character HTTP headers cannot carry (a line break U+000A at position 13); fix that value (a trailing newline usually comes from saving it with echo: use printf or echo -n)',
    );
    const template = failed(
      { urlTemplate: "http://x/q", authType: "APIKey", secret: "s", headerTemplates: [{ name: "X-Key", value: "${key}" }] },
      { secret: { key: "k\u0007ey" }, secretKey: "shop/s" },
    );
    expect(template.message).toContain("the X-Key header, from spec.headerTemplates[0] filled from secret shop/s, holds a character HTTP headers cannot carry (character U+0007 at position 2)");
    expect(template.message).not.toContain("k\u0007ey");
    expect(failed({ urlTemplate: "http://x/q", headerTemplates: [{ name: "Bad Name", value: "v" }] }).message).toContain('header name "Bad Name" (spec.headerTemplates[0]) is not a valid HTTP header name');
  });

  it("reports a body that is not JSON after interpolation", () => {
    const e = failed({ urlTemplate: "http://x/q", method: "POST", body: '{"last": $elapsedTime,}' });
    expect(e.code).toBe("bad_body");
    expect(e.message).toContain("spec.body");
  });

  it("refuses a body nested too deep to be sent, instead of overflowing the stack", () => {
    const deep = `${"[".repeat(100_000)}$elapsedTime${"]".repeat(100_000)}`;
    const e = failed({ urlTemplate: "http://x/q", method: "POST", body: deep });
    expect(e).toMatchObject({ code: "bad_body", message: expect.stringContaining("spec.body nests deeper than 100 levels; ") });
  });

  it("reports a missing secret, missing credentials and a missing URL", () => {
    expect(failed({ urlTemplate: "http://x/q", secret: "absent" }).code).toBe("secret_missing");
    expect(failed({ urlTemplate: "http://x/q", authType: "Bearer" }).code).toBe("secret_missing");
    const basic = failed({ urlTemplate: "http://x/q", authType: "Basic", secret: "s" }, { secret: { username: "u" } });
    expect(basic.code).toBe("secret_missing");
    expect(basic.message).toContain('"password"');
    expect(failed({ params: [] }).code).toBe("invalid_metric");
    expect(failed({ urlTemplate: "ftp://x/q" }).code).toBe("invalid_metric");
  });
});

describe("toHttpRequest", () => {
  it("appends params to the query string, encodes Basic credentials and sends JSON bodies", () => {
    const r = built(
      { urlTemplate: "https://es.example/sales/_search?size=0", method: "POST", authType: "Basic", secret: "es", params: [{ name: "q", value: "a b&c" }], body: '{"n": 1}' },
      { secret: { username: "produser", password: "t0p-secret" } },
    );
    const http = toHttpRequest(r, { timeoutMs: 5000 });
    const url = new URL(http.url);
    expect(url.searchParams.get("size")).toBe("0");
    expect(url.searchParams.get("q")).toBe("a b&c");
    expect(http.headers.Authorization).toBe(`Basic ${Buffer.from("produser:t0p-secret").toString("base64")}`);
    expect(http.headers["Content-Type"]).toBe("application/json");
    expect(http.headers.Accept).toBe("application/json");
    expect(JSON.parse(http.body!)).toEqual({ n: 1 });
    expect(http.timeoutMs).toBe(5000);
  });
});
