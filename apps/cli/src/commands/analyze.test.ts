import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { HttpClientError, nodeHttpClient, type HttpClient } from "@iter8ts/metrics";
import { memoryIo, type Printed } from "../__fixtures__/memory-io";
import { analyzeCommand, type AnalyzeDeps } from "./analyze";

// A loopback Prometheus stand-in: answers `/api/v1/query` from a table keyed by the PromQL text
// after interpolation, and insists on a bearer token when one is configured.
const answers: Record<string, string> = {
  "requests{version='shop-v1'}": "1200",
  "requests{version='shop-v2'}": "1150",
  "latency{version='shop-v1'}": "230.5",
  "latency{version='shop-v2'}": "180.25",
  "errors{version='shop-v1'}": "0.002",
  "errors{version='shop-v2'}": "0.004",
};
let prometheus: http.Server;
let promUrl = "";
const seenAuth: Array<string | undefined> = [];
beforeAll(async () => {
  prometheus = http.createServer((req, res) => {
    const query = new URL(req.url ?? "/", "http://x").searchParams.get("query") ?? "";
    seenAuth.push(req.headers.authorization);
    const value = answers[query];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: value === undefined ? [] : [{ metric: {}, value: [1714557600, value] }] } }));
  });
  await new Promise<void>((r) => prometheus.listen(0, "127.0.0.1", r));
  promUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}/api/v1/query`;
});
afterAll(() => new Promise<void>((r) => prometheus.close(() => r())));

const now = () => new Date("2024-05-01T10:10:00Z");
const noPause: AnalyzeDeps = { now, query: { sleep: async () => {} } };

async function run(args: string[], files: Record<string, string>, deps: AnalyzeDeps = noPause, stdin = ""): Promise<Printed> {
  const { io, printed } = memoryIo(files, stdin);
  await analyzeCommand(io, deps).exitOverride().configureOutput({ writeErr: (t) => void (printed.err += t) }).parseAsync(args, { from: "user" });
  return printed;
}

function metric(name: string, query: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name, namespace: "shop" },
    spec: {
      provider: "prometheus",
      urlTemplate: promUrl,
      params: [{ name: "query", value: query }],
      jqExpression: ".data.result[0].value[1] | tonumber",
      ...extra,
    },
  };
}

function canary(status: Record<string, unknown> = {}) {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "checkout-canary", namespace: "shop" },
    spec: {
      target: "shop/checkout",
      strategy: { testingPattern: "Canary" },
      criteria: {
        requestCount: "request-count",
        objectives: [
          { metric: "mean-latency", upperLimit: 200 },
          { metric: "shop/error-rate", upperLimit: "5m" },
        ],
      },
      versionInfo: { baseline: { name: "shop-v1" }, candidates: [{ name: "shop-v2" }] },
    },
    status: { startTime: "2024-05-01T10:00:00Z", ...status },
  };
}

const embedded = () => [
  { name: "shop/request-count", metricObj: metric("request-count", "requests{version='$name'}", { type: "Counter" }) },
  { name: "shop/mean-latency", metricObj: metric("mean-latency", "latency{version='$name'}", { sampleSize: "request-count", units: "milliseconds" }) },
  { name: "shop/error-rate", metricObj: metric("error-rate", "errors{version='$name'}") },
];

describe("iter8ctl analyze", () => {
  it("queries the metrics embedded in status.metrics and prints status.analysis", async () => {
    const r = await run(["-f", "exp.yaml", "-o", "json"], { "exp.yaml": stringify(canary({ metrics: embedded() })) });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const analysis = JSON.parse(r.out);
    expect(analysis.aggregatedMetrics.data["shop/mean-latency"].data).toEqual({
      "shop-v1": { value: "230.5", sampleSize: 1200 },
      "shop-v2": { value: "180.25", sampleSize: 1150 },
    });
    expect(analysis.versionAssessments.data).toEqual({ "shop-v1": [false, true], "shop-v2": [true, true] });
    expect(analysis.winnerAssessment.data).toMatchObject({ winnerFound: true, winner: "shop-v2" });
    expect(analysis.weights.data).toEqual([
      { name: "shop-v1", value: 90 },
      { name: "shop-v2", value: 10 },
    ]);
    expect(analysis.aggregatedMetrics.timestamp).toBe("2024-05-01T10:10:00.000Z");
    expect(analysis.aggregatedMetrics.provenance).toBe("iter8ctl analyze");
  });

  it("prints YAML by default, reads standard input, and keeps the recorded builtin histograms", async () => {
    const hists = { provenance: "Builtin metrics collector", timestamp: "2024-05-01T10:05:00Z", data: {} };
    const input = JSON.stringify(canary({ metrics: embedded(), analysis: { aggregatedBuiltinHists: hists } }));
    const r = await run(["-f", "-"], {}, noPause, input);
    expect(r.code).toBe(0);
    const analysis = parse(r.out);
    expect(analysis.aggregatedBuiltinHists).toEqual(hists);
    expect(analysis.winnerAssessment.data.winner).toBe("shop-v2");
  });

  it("takes Metric documents from --metrics and Secrets from --secrets", async () => {
    seenAuth.length = 0;
    const withAuth = (m: ReturnType<typeof metric>) => ({ ...m, spec: { ...m.spec, authType: "Bearer", secret: "prom-token" } });
    const metricsFile = [
      withAuth(metric("request-count", "requests{version='$name'}", { type: "Counter" })),
      withAuth(metric("mean-latency", "latency{version='$name'}", { sampleSize: "request-count" })),
      withAuth(metric("error-rate", "errors{version='$name'}")),
      withAuth(metric("unused", "nothing")),
    ]
      .map((d) => stringify(d))
      .join("---\n");
    const secretsFile = stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "prom-token", namespace: "shop" }, data: { token: Buffer.from("s3cr3t-token").toString("base64") } });
    const r = await run(["-f", "exp.yaml", "--metrics", "metrics.yaml", "--secrets", "secrets.yaml", "-o", "json"], {
      "exp.yaml": stringify(canary()),
      "metrics.yaml": metricsFile,
      "secrets.yaml": secretsFile,
    });
    expect(r.err).toBe("");
    expect(JSON.parse(r.out).winnerAssessment.data.winner).toBe("shop-v2");
    // Three referenced metrics × two versions, each with the token; the unreferenced one is not queried.
    expect(seenAuth).toEqual(Array(6).fill("Bearer s3cr3t-token"));
  });

  it("warns about failed queries by metric and version, and still prints the analysis", async () => {
    const metrics = embedded();
    metrics[2]!.metricObj.spec.params = [{ name: "query", value: "errors{version='$name',pod='$pod'}" }];
    // The latency backend is down; the others answer through the real client.
    const real = nodeHttpClient();
    const down: HttpClient = async (req) => {
      if (req.url.includes("latency")) throw new HttpClientError("unreachable", "ECONNREFUSED");
      return real(req);
    };
    const r = await run(["-f", "exp.yaml", "-o", "json"], { "exp.yaml": stringify(canary({ metrics })) }, { now, query: { sleep: async () => {}, http: down } });
    expect(r.code).toBe(0);
    expect(r.err).toContain("Warning: metric shop/mean-latency, version shop-v1: could not reach Prometheus");
    expect(r.err).toContain("Warning: metric shop/error-rate, version shop-v2: spec.params[0] (query) uses $pod, which has no value for this version");
    const analysis = JSON.parse(r.out);
    expect(analysis.versionAssessments.data).toEqual({ "shop-v1": [false, false], "shop-v2": [false, false] });
    expect(analysis.winnerAssessment.data.winnerFound).toBe(false);
  });

  it("accepts what analysis does not need to be strict about: no target, sampleSize as a reference object", async () => {
    const exp = canary({ metrics: embedded() }) as unknown as { spec: Record<string, unknown>; status: { metrics: Array<{ metricObj: { spec: Record<string, unknown> } }> } };
    delete exp.spec.target;
    exp.status.metrics[1]!.metricObj.spec.sampleSize = { name: "request-count" };
    const r = await run(["-f", "exp.json", "-o", "json"], { "exp.json": JSON.stringify(exp) });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).aggregatedMetrics.data["shop/mean-latency"].data["shop-v2"]).toEqual({ value: "180.25", sampleSize: 1150 });
  });

  it("warns when the criteria reference a metric nothing defines", async () => {
    const r = await run(["-f", "exp.yaml", "-o", "json"], { "exp.yaml": stringify(canary({ metrics: embedded().slice(0, 2) })) });
    expect(r.code).toBe(0);
    expect(r.err).toContain("Warning: spec.criteria.objectives[1].metric: metric shop/error-rate has no definition (not in status.metrics; pass --metrics FILE)");
  });

  it("rejects an invalid experiment with the field paths at fault", async () => {
    const bad = canary({ metrics: embedded() }) as { spec: { strategy: Record<string, unknown>; criteria: { objectives: Array<Record<string, unknown>> } } };
    bad.spec.strategy.testingPattern = "Blue";
    bad.spec.criteria.objectives[0]!.upperLimit = "fast";
    const r = await run(["-f", "exp.yaml"], { "exp.yaml": stringify(bad) });
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain("Error: exp.yaml is not a valid iter8.tools/v2alpha2 Experiment:");
    expect(r.err).toContain("spec.strategy.testingPattern: must be one of");
    expect(r.err).toContain("spec.criteria.objectives[0].upperLimit:");
  });

  it("rejects invalid Metric and Secret documents by path, never printing secret values", async () => {
    const badMetric = { ...metric("mean-latency", "latency"), spec: { ...metric("x", "y").spec, method: "PUT" } };
    const m = await run(["-f", "exp.yaml", "--metrics", "m.yaml"], { "exp.yaml": stringify(canary()), "m.yaml": stringify(badMetric) });
    expect(m.code).toBe(1);
    expect(m.err).toContain("Error: m.yaml (--metrics) has invalid Metric documents:");
    expect(m.err).toContain("mean-latency: spec.method");
    const badSecret = { apiVersion: "v1", kind: "Secret", metadata: { name: "creds" }, data: { token: "plain-text-token!" } };
    const s = await run(["-f", "exp.yaml", "--secrets", "s.yaml"], { "exp.yaml": stringify(canary({ metrics: embedded() })), "s.yaml": stringify(badSecret) });
    expect(s.code).toBe(1);
    expect(s.err).toContain("creds: data.token");
    expect(s.err).not.toContain("plain-text-token!");
  });

  it("says what is missing without -f, and when a file cannot be read", async () => {
    const none = await run([], {});
    expect(none.code).toBe(1);
    expect(none.err).toContain("analyze needs an experiment");
    const missing = await run(["-f", "exp.yaml", "--metrics", "nope.yaml"], { "exp.yaml": stringify(canary()) });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("cannot read nope.yaml given to --metrics");
  });
});
