import { mockMetricValue, mockSeed } from "@iter8ts/analytics";
import { MetricSchema, type Experiment, type Metric, type MetricInput } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { startServer } from "../test/loopback-server";
import { createDefaultRegistry } from "./default-registry";
import type { HttpClient } from "./http-client";
import { METRIC_PROVIDER_V1, type MetricResultV1 } from "./metric-provider";
import { queryMetrics } from "./query-metrics";

const experiment = (over: Partial<Experiment["status"]> = {}): Experiment => ({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "abn", namespace: "web" },
  spec: {
    target: "web/frontend",
    strategy: { testingPattern: "A/B/N" },
    versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }, { name: "v3" }, { name: "v4" }] },
  },
  status: { startTime: "2024-05-01T10:00:00Z", ...over },
});
const now = () => new Date("2024-05-01T10:02:00Z");

const metric = (name: string, spec: MetricInput["spec"], namespace?: string): Metric =>
  MetricSchema.parse({ apiVersion: "iter8.tools/v2alpha2", kind: "Metric", metadata: { name, ...(namespace ? { namespace } : {}) }, spec });

/** An in-memory backend answering `{"v": <number>}` from a table keyed by the `q` parameter. */
function tableBackend(table: Record<string, number>): HttpClient {
  return async (req) => {
    const q = new URL(req.url).searchParams.get("q") ?? "";
    return q in table ? { status: 200, headers: {}, body: JSON.stringify({ v: table[q] }) } : { status: 404, headers: {}, body: "{}" };
  };
}

describe("queryMetrics", () => {
  it("queries every (metric, version) at once, so the iteration waits only for the slowest query", async () => {
    // The backend holds every answer until all 12 queries are in flight: sequential querying
    // would never complete.
    const expected = 3 * 4;
    let release: () => void = () => {};
    const allArrived = new Promise<void>((r) => (release = r));
    const server = await startServer(async () => {
      if (server.requests.length >= expected) release();
      await allArrived;
      return { body: { v: 1 } };
    });
    try {
      const metrics = ["a", "b", "c"].map((n) => metric(n, { urlTemplate: `${server.url}/q`, params: [{ name: "m", value: `${n}-$name` }], jqExpression: ".v" }));
      const r = await queryMetrics(experiment(), metrics, {}, { now });
      expect(r.errors).toEqual([]);
      expect(server.maxInFlight).toBe(expected);
      expect(Object.keys(r.values).sort()).toEqual(["web/a", "web/b", "web/c"]);
      expect(Object.keys(r.values["web/a"]!)).toEqual(["v1", "v2", "v3", "v4"]);
    } finally {
      await server.close();
    }
  });

  it("keys values by namespace/name, and status.metrics entries as analytics resolves them", async () => {
    const http = tableBackend({ "lat-v1": 10, "lat-v2": 11, "lat-v3": 12, "lat-v4": 13 });
    const spec = { urlTemplate: "http://backend/q", params: [{ name: "q", value: "lat-$name" }], jqExpression: ".v" };
    const r = await queryMetrics(
      experiment(),
      [metric("latency", spec, "team"), { name: "latency", metricObj: metric("latency", spec) }, { name: "iter8-x/latency", metricObj: metric("latency", spec) }],
      {},
      { now, http },
    );
    expect(Object.keys(r.values).sort()).toEqual(["iter8-x/latency", "team/latency", "web/latency"]);
    expect(r.values["web/latency"]?.v3).toEqual({ value: 12 });
  });

  it("gives a metric the value of the counter its sampleSize names, per version", async () => {
    const http = tableBackend({ "n-v1": 400, "n-v2": 380, "n-v3": 0, "n-v4": 10, "e-v1": 0.01, "e-v2": 0.02, "e-v3": 0.5, "e-v4": 0.1 });
    const r = await queryMetrics(
      experiment(),
      [
        metric("request-count", { urlTemplate: "http://b/q", params: [{ name: "q", value: "n-$name" }], jqExpression: ".v" }),
        metric("error-rate", { urlTemplate: "http://b/q", params: [{ name: "q", value: "e-$name" }], jqExpression: ".v", sampleSize: "request-count" }),
      ],
      {},
      { now, http },
    );
    expect(r.values["web/error-rate"]).toEqual({
      v1: { value: 0.01, sampleSize: 400 },
      v2: { value: 0.02, sampleSize: 380 },
      v3: { value: 0.5, sampleSize: 0 },
      v4: { value: 0.1, sampleSize: 10 },
    });
  });

  it("answers mock metrics exactly as analytics would generate them, without any backend", async () => {
    const http: HttpClient = async () => {
      throw new Error("no request expected");
    };
    const spec = { type: "Gauge" as const, mock: [{ name: "v1", level: "20" }, { name: "v2", level: 30 }, { name: "v3", level: "1k" }] };
    const r = await queryMetrics(experiment(), [metric("conversion", spec, "web")], {}, { now, http });
    const elapsed = 120;
    const seed = mockSeed({ metadata: { name: "abn", namespace: "web" } }, "web/conversion");
    expect(r.values["web/conversion"]?.v2).toEqual({ value: mockMetricValue(MetricSchema.parse({ spec }).spec, "v2", elapsed, seed).value });
    expect(r.errors.map((e) => [e.code, e.version])).toEqual([["no_mock_level", "v4"]]);
  });

  it("answers builtin (iter8) metrics from the recorded histograms, with the request count as sample size", async () => {
    const hist = (count: number, sum: number, codes: Record<string, number>) => ({
      DurationHistogram: { Count: count, Max: 0.05, Sum: sum, Data: [{ Start: 0.01, End: 0.05, Count: count }] },
      RetCodes: codes,
    });
    const status = {
      analysis: {
        aggregatedBuiltinHists: {
          provenance: "test",
          timestamp: "2024-05-01T10:01:00Z",
          data: { v1: hist(100, 2, { "200": 95, "503": 5 }), v2: hist(50, 0.75, { "200": 50 }) },
        },
      },
    };
    const builtin = (name: string) => metric(name, { provider: "iter8" }, "iter8-system");
    const r = await queryMetrics(experiment(status), [builtin("mean-latency"), builtin("error-rate"), builtin("throughput")], {}, { now });
    expect(r.values["iter8-system/mean-latency"]?.v1).toEqual({ value: 20, sampleSize: 100 });
    expect(r.values["iter8-system/mean-latency"]?.v2).toEqual({ value: 15, sampleSize: 50 });
    expect(r.values["iter8-system/error-rate"]?.v1).toEqual({ value: 0.05, sampleSize: 100 });
    const codes = r.errors.map((e) => [e.metric, e.version, e.code]);
    expect(codes).toContainEqual(["iter8-system/mean-latency", "v3", "builtin_unavailable"]);
    expect(codes).toContainEqual(["iter8-system/throughput", "v1", "invalid_metric"]);
  });

  it("turns a third-party provider's throw into provider_failed, with its secrets scrubbed", async () => {
    const registry = createDefaultRegistry().register({
      apiVersion: METRIC_PROVIDER_V1,
      name: "leaky",
      async query(q) {
        const secret = q.secrets.get("web", "leaky-creds");
        throw new Error(`cannot log in with ${secret?.password}`);
      },
    });
    const r = await queryMetrics(experiment(), [metric("x", { provider: "leaky", secret: "leaky-creds" })], { "web/leaky-creds": { password: "hunter22" } }, { now, registry });
    expect(r.errors.map((e) => e.code)).toEqual(["provider_failed", "provider_failed", "provider_failed", "provider_failed"]);
    expect(r.errors[0]!.message).toBe('metric web/x, version v1: provider "leaky" failed: cannot log in with [redacted]');
  });

  it("turns an answer that is not a result (a string value, NaN, a negative sample size, an uncoded failure) into provider_failed", async () => {
    const answers: Record<string, unknown> = {
      v1: { ok: true, value: "0.91" },
      v2: { ok: true, value: Number.NaN },
      v3: { ok: true, value: 3, sampleSize: -1 },
      v4: { ok: false, error: "no luck" },
    };
    const registry = createDefaultRegistry().register({ apiVersion: METRIC_PROVIDER_V1, name: "sloppy", query: async (q) => answers[q.version.name] as MetricResultV1 });
    const r = await queryMetrics(experiment(), [metric("x", { provider: "sloppy" })], {}, { now, registry });
    expect(r.values["web/x"]?.v1?.value).toBeNull();
    const contract = "; a provider returns { ok: true, value: <finite number>, sampleSize?: <whole number ≥ 0> } or { ok: false, error: <MetricError> }";
    expect(r.errors.map((e) => [e.code, e.message])).toEqual([
      ["provider_failed", `metric web/x, version v1: provider "sloppy" answered with a value of type string${contract}`],
      ["provider_failed", `metric web/x, version v2: provider "sloppy" answered with the value NaN${contract}`],
      ["provider_failed", `metric web/x, version v3: provider "sloppy" answered with the sample size -1${contract}`],
      ["provider_failed", `metric web/x, version v4: provider "sloppy" answered with a failure without an error that has a code and a message${contract}`],
    ]);
  });

  it("reports metrics without a usable provider, and queries a duplicate only once", async () => {
    const http = tableBackend({ "d-v1": 1, "d-v2": 2, "d-v3": 3, "d-v4": 4 });
    const dup = metric("dup", { urlTemplate: "http://b/q", params: [{ name: "q", value: "d-$name" }], jqExpression: ".v" });
    const r = await queryMetrics(experiment(), [dup, dup, metric("nothing", { provider: "datadog" })], {}, { now, http });
    expect(r.warnings).toEqual([{ metric: "web/dup", message: expect.stringContaining("more than once") }]);
    expect(r.errors.map((e) => [e.metric, e.code])).toEqual(Array(4).fill(["web/nothing", "unknown_provider"]));
    expect(r.errors[0]!.message).toContain('"datadog"');
  });

  it("counts elapsed time from status.startTime, at least 1 s, and 1 s before the experiment starts", async () => {
    const seen: string[] = [];
    const http: HttpClient = async (req) => {
      seen.push(new URL(req.url).searchParams.get("q")!);
      return { status: 200, headers: {}, body: '{"v": 1}' };
    };
    const m = metric("t", { urlTemplate: "http://b/q", params: [{ name: "q", value: "$elapsedTime" }], jqExpression: ".v" });
    const single = (e: Experiment): Experiment => ({ ...e, spec: { ...e.spec, versionInfo: { baseline: { name: "v1" } } } });
    await queryMetrics(single(experiment()), [m], {}, { now, http });
    await queryMetrics(single(experiment({ startTime: "2024-05-01T10:05:00Z" })), [m], {}, { now, http });
    await queryMetrics(single({ ...experiment(), status: {} }), [m], {}, { now, http });
    expect(seen).toEqual(["120", "1", "1"]);
  });
});
