// Integration: the seeds' Prometheus metric definitions (request count, error rate, mean latency,
// 95th-percentile tail latency), adapted to a sample app's metric names, queried through the
// prometheus provider against a real Prometheus that scrapes the app on loopback.
import { MetricSchema, type Experiment, type Metric } from "@iter8ts/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateLoad } from "../src/load-generator";
import { queryMetrics } from "../src/query-metrics";
import { eventually, findPrometheus, startPrometheus, type PrometheusServer } from "./prometheus-server";
import { LATENCY_BUCKETS_MS, startSampleApp, type SampleApp } from "./sample-app";

// Missing prometheus fails these tests (never a silent skip): .ci/run installs it.
const binary = findPrometheus();
const title = "prometheus provider against a real Prometheus";

/** Prometheus's histogram_quantile over cumulative `le` buckets, for the expected values. */
function histogramQuantile(q: number, latencies: number[], bounds: number[]): number {
  const cumulative = bounds.map((b) => latencies.filter((v) => v <= b).length);
  const rank = q * latencies.length;
  const i = cumulative.findIndex((c) => c >= rank);
  const lower = i === 0 ? 0 : bounds[i - 1]!;
  const below = i === 0 ? 0 : cumulative[i - 1]!;
  return lower + ((bounds[i]! - lower) * (rank - below)) / (cumulative[i]! - below);
}

// Adapted from the kfserving/istio quickstart metrics: same PromQL, the sample app's names.
const promMetric = (url: string, name: string, query: string, units?: string): Metric =>
  MetricSchema.parse({
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name, namespace: "iter8-test" },
    spec: {
      provider: "prometheus",
      jqExpression: ".data.result[0].value[1] | tonumber",
      urlTemplate: `${url}/api/v1/query`,
      params: [{ name: "query", value: query }],
      ...(units ? { units } : {}),
    },
  });

const QUERIES = {
  "request-count": "sum(increase(http_requests_total{revision='$revision'}[${elapsedTime}s])) or on() vector(0)",
  "error-rate":
    "(sum(increase(http_requests_total{code=~'5..',revision='$revision'}[${elapsedTime}s])) or on() vector(0)) / (sum(increase(http_requests_total{revision='$revision'}[${elapsedTime}s])) or on() vector(0))",
  "mean-latency":
    "(sum(increase(http_request_duration_milliseconds_sum{revision='$revision'}[${elapsedTime}s])) or on() vector(0)) / (sum(increase(http_request_duration_milliseconds_count{revision='$revision'}[${elapsedTime}s])) or on() vector(0))",
  "95th-percentile-tail-latency": "histogram_quantile(0.95, sum(rate(http_request_duration_milliseconds_bucket{revision='$revision'}[${elapsedTime}s])) by (le))",
};

describe(title, { timeout: 45_000 }, () => {
  let app: SampleApp;
  let prom: PrometheusServer;
  const startTime = new Date(Date.now() - 2000);

  // Each test fails on its own when prometheus is missing, rather than being skipped.
  beforeEach(() => {
    if (!binary) throw new Error("prometheus is missing: no `prometheus` binary on PATH; install Debian's prometheus package (apt-get install -y prometheus; .ci/run does this)");
  });

  beforeAll(async () => {
    if (!binary) return;
    app = await startSampleApp({
      // v1: fast (5–24 ms), 2 % errors; v2: slow (30–69 ms), 10 % errors.
      v1: { revision: "app-v1", latencyMs: (i) => 5 + ((i * 7) % 20), status: (i) => (i % 50 === 49 ? 500 : 200) },
      v2: { revision: "app-v2", latencyMs: (i) => 30 + ((i * 11) % 40), status: (i) => (i % 10 === 9 ? 500 : 200) },
    });
    prom = await startPrometheus(binary!, new URL(app.url).host, "100ms");
    // Two scrapes of the zeroed counters first, so every series starts from 0 inside the window.
    await eventually(async () => Number((await prom.query("count_over_time(http_requests_total[1m])")).data.result[0]?.value[1] ?? 0) >= 2, "the first scrapes");
    await generateLoad({ url: `${app.url}/v1`, qps: 0, connections: 4, numQueries: 200 });
    await generateLoad({ url: `${app.url}/v2`, qps: 0, connections: 4, numQueries: 100 });
    await eventually(async () => (await prom.query("sum(http_requests_total)")).data.result[0]?.value[1] === "300", "a scrape after the traffic");
    // Enough samples that increase()'s extrapolation past the last one stays small (see below).
    await eventually(async () => (await samples()) >= 25, "25 scrapes");
  }, 45_000);

  const samples = async () => Number((await prom.query("count_over_time(http_requests_total{revision='app-v1',code='200'}[1m])")).data.result[0]?.value[1] ?? 0);

  afterAll(async () => {
    await prom?.stop();
    await app?.close();
  });

  it("returns each version's request count, error rate, mean and 95th-percentile latency", async () => {
    const experiment: Experiment = {
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Experiment",
      metadata: { name: "sample-app-canary", namespace: "iter8-test" },
      spec: {
        target: "iter8-test/sample-app",
        strategy: { testingPattern: "Canary" },
        versionInfo: {
          baseline: { name: "v1", variables: [{ name: "revision", value: "app-v1" }] },
          candidates: [{ name: "v2", variables: [{ name: "revision", value: "app-v2" }] }],
        },
      },
      status: { startTime: startTime.toISOString() },
    };
    const metrics = Object.entries(QUERIES).map(([name, q]) => promMetric(prom.url, name, q));
    const scrapes = await samples();
    const result = await queryMetrics(experiment, metrics, {});
    expect(result.errors).toEqual([]);

    for (const version of ["v1", "v2"]) {
      const served = app.served[version]!;
      const latencies = served.map((s) => s.latencyMs);
      const errors = served.filter((s) => s.status >= 500).length;
      const v = (metric: string) => result.values[`iter8-test/${metric}`]![version]!.value!;

      // increase() extrapolates a counter from its last sample to the end of the window, by less
      // than 1.1 scrape intervals, so over n samples a count reads at most 1.1/(n-1) high, never low.
      expect(v("request-count")).toBeGreaterThanOrEqual(served.length);
      expect(v("request-count")).toBeLessThanOrEqual(served.length * (1 + 1.1 / (scrapes - 1)));
      // Ratios of series scraped together are exact: the extrapolation cancels.
      expect(v("error-rate")).toBeCloseTo(errors / served.length, 9);
      expect(v("mean-latency")).toBeCloseTo(latencies.reduce((a, b) => a + b, 0) / latencies.length, 6);
      expect(v("95th-percentile-tail-latency")).toBeCloseTo(histogramQuantile(0.95, latencies, LATENCY_BUCKETS_MS), 6);
    }
    // The profiles differ, and the metrics show it.
    const val = (m: string, ver: string) => result.values[`iter8-test/${m}`]![ver]!.value!;
    expect(val("error-rate", "v1")).toBeCloseTo(0.02, 9);
    expect(val("error-rate", "v2")).toBeCloseTo(0.1, 9);
    expect(val("mean-latency", "v2")).toBeGreaterThan(val("mean-latency", "v1") + 20);
  });

  it("reports a query Prometheus rejects with Prometheus's own message", async () => {
    const experiment: Experiment = {
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Experiment",
      metadata: { name: "bad-query", namespace: "iter8-test" },
      spec: { target: "t", strategy: { testingPattern: "Conformance" }, versionInfo: { baseline: { name: "v1" } } },
    };
    const result = await queryMetrics(experiment, [promMetric(prom.url, "broken", "sum(rate(http_requests_total{revision='x'[1m]))")], {});
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.code).toBe("http_status");
    expect(result.errors[0]!.message).toMatch(/HTTP 400: bad_data: .*parse error/);
  });
});
