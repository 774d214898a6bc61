import type { ExperimentInput } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { makeExperiment } from "./__fixtures__/experiment";
import { aggregateMetrics } from "./aggregate-metrics";
import { mockMetricValue, mockSeed } from "./mock-metric-value";

type MetricInfoInput = NonNullable<NonNullable<ExperimentInput["status"]>["metrics"]>[number];

const prom = (name: string, extra: Record<string, unknown> = {}): MetricInfoInput => ({
  name,
  metricObj: { spec: { provider: "prometheus", urlTemplate: "http://prom/api/v1/query", jqExpression: ".x", ...extra } },
});
const previous = (data: Record<string, Record<string, number | string | null>>) => ({
  provenance: "before",
  timestamp: "2024-01-01T00:00:00Z",
  data: Object.fromEntries(
    Object.entries(data).map(([m, byVersion]) => [m, { data: Object.fromEntries(Object.entries(byVersion).map(([v, value]) => [v, { value }])) }]),
  ),
});

const withHistograms = (data: unknown) =>
  makeExperiment({ status: { analysis: { aggregatedBuiltinHists: { provenance: "collect", timestamp: "t", data } } } });

describe("aggregateMetrics", () => {
  it("records the queried values, whole numbers as numbers and fractions as decimal strings", () => {
    const exp = makeExperiment({ status: { metrics: [prom("default/request-count"), prom("default/mean-latency")] } });
    const result = aggregateMetrics(exp, {
      "default/request-count": { v1: { value: 148 }, v2: { value: 143 } },
      "default/mean-latency": { v1: { value: 419.2027282381035, sampleSize: 148 }, v2: { value: 21.7639 } },
    });
    expect(result.data).toEqual({
      "default/request-count": { data: { v1: { value: 148 }, v2: { value: 143 } } },
      "default/mean-latency": { data: { v1: { value: "419.2027282381035", sampleSize: 148 }, v2: { value: "21.7639" } } },
    });
    expect(result.message).toBe("Error: ; Warning: ; Info: ");
  });

  it("keys results by the name status.metrics uses, whatever spelling the values came in", () => {
    const exp = makeExperiment({ status: { metrics: [prom("request-count")] } });
    const result = aggregateMetrics(exp, { "default/request-count": { v1: { value: 1 }, v2: { value: 2 } }, "other/x": { v1: { value: 3 } } });
    expect(Object.keys(result.data)).toEqual(["request-count", "other/x"]);
  });

  it("records a failed query as an error and a null value", () => {
    const exp = makeExperiment({ status: { metrics: [prom("default/request-count")] } });
    const result = aggregateMetrics(exp, {
      "default/request-count": { v1: { value: 5 }, v2: { value: null, error: "HTTP 503 from http://prom/api/v1/query" } },
    });
    expect(result.data["default/request-count"]?.data).toEqual({ v1: { value: 5 }, v2: { value: null } });
    expect(result.message).toBe(
      "Error: Error from metrics backend for metric: default/request-count and version: v2 (HTTP 503 from http://prom/api/v1/query); Warning: ; Info: ",
    );
  });

  it("falls back to the previous value when a query fails or returns nothing, and says so", () => {
    const exp = makeExperiment({
      status: {
        metrics: [prom("default/request-count"), prom("default/mean-latency")],
        // Written by an earlier analysis under unqualified names: still found.
        analysis: { aggregatedMetrics: previous({ "request-count": { v1: "148.0405378277749", v2: 143 }, "mean-latency": { v1: "419.2" } }) },
      },
    });
    const result = aggregateMetrics(exp, {
      "default/request-count": { v1: { value: null, error: "empty result" }, v2: { value: null } },
      "default/mean-latency": { v1: { value: null, error: "timeout" }, v2: { value: null, error: "timeout" } },
    });
    expect(result.data).toEqual({
      "default/request-count": { data: { v1: { value: "148.0405378277749" }, v2: { value: 143 } } },
      "default/mean-latency": { data: { v1: { value: "419.2" }, v2: { value: null } } },
    });
    expect(result.message).toBe(
      "Error: Error from metrics backend for metric: default/request-count and version: v1 (empty result), " +
        "Error from metrics backend for metric: default/mean-latency and version: v1 (timeout), " +
        "Error from metrics backend for metric: default/mean-latency and version: v2 (timeout); " +
        "Warning: Previous value used for metric: default/request-count and version: v1, " +
        "No value from metrics backend for metric: default/request-count and version: v2, " +
        "Previous value used for metric: default/request-count and version: v2, " +
        "Previous value used for metric: default/mean-latency and version: v1; Info: ",
    );
  });

  it("treats a loaded metric with no value handed in as a query that returned nothing", () => {
    const exp = makeExperiment({ status: { metrics: [prom("default/request-count")] } });
    const result = aggregateMetrics(exp, {});
    expect(result.data).toEqual({ "default/request-count": { data: { v1: { value: null }, v2: { value: null } } } });
    expect(result.message).toContain("No value from metrics backend for metric: default/request-count and version: v1");
  });

  it("rejects a value that is not a finite number", () => {
    const exp = makeExperiment();
    const result = aggregateMetrics(exp, { "default/x": { v1: { value: Number.NaN } } });
    expect(result.data).toEqual({ "default/x": { data: { v1: { value: null } } } });
    expect(result.message).toContain("Error from metrics backend for metric: default/x and version: v1 (NaN is not a finite number)");
  });

  it("carries a criteria metric's previous value forward, and stays quiet when there is none", () => {
    const exp = makeExperiment({
      spec: { criteria: { objectives: [{ metric: "latency", upperLimit: 5 }, { metric: "errors", upperLimit: 1 }] } },
      status: { analysis: { aggregatedMetrics: previous({ "default/latency": { v1: 4 } }) } },
    });
    const result = aggregateMetrics(exp, {});
    expect(result.data).toEqual({ "default/latency": { data: { v1: { value: 4 } } } });
    expect(result.message).toBe("Error: ; Warning: Previous value used for metric: default/latency and version: v1; Info: ");
  });

  it("derives builtin metrics from the recorded histograms", () => {
    const exp = withHistograms({
      v1: { DurationHistogram: { Count: 4, Max: 0.004, Sum: 0.01, Data: [{ Start: 0.002, End: 0.004, Count: 4 }] }, RetCodes: { "200": 3, "500": 1 } },
    });
    const result = aggregateMetrics(exp, {});
    expect(result.data["iter8-system/request-count"]).toEqual({ data: { v1: { value: 4 } } });
    expect(result.data["iter8-system/error-rate"]).toEqual({ data: { v1: { value: "0.25", sampleSize: 4 } } });
    expect(result.data["iter8-system/mean-latency"]).toEqual({ data: { v1: { value: "2.5", sampleSize: 4 } } });
    expect(result.data["iter8-system/latency-50th-percentile"]).toEqual({ data: { v1: { value: 3, sampleSize: 4 } } });
  });

  it("prefers a value handed in over one derived from histograms", () => {
    const exp = withHistograms({ v1: { DurationHistogram: { Count: 4, Max: 1, Sum: 1, Data: [] }, RetCodes: {} } });
    const result = aggregateMetrics(exp, { "iter8-system/request-count": { v1: { value: 7 } } });
    expect(result.data["iter8-system/request-count"]).toEqual({ data: { v1: { value: 7 } } });
  });

  it("warns when builtin metrics are wanted but no histograms are recorded yet", () => {
    const exp = makeExperiment({
      spec: { criteria: { objectives: [{ metric: "iter8-system/mean-latency", upperLimit: 100 }] } },
      status: { metrics: [{ name: "iter8-system/mean-latency", metricObj: { spec: { provider: "iter8" } } }] },
    });
    const result = aggregateMetrics(exp, {});
    expect(result.data).toEqual({});
    expect(result.message).toBe(
      "Error: ; Warning: no builtin histograms recorded yet; builtin metrics stay unavailable until a metrics/collect task runs; Info: ",
    );
  });

  it("skips a malformed histogram with a warning", () => {
    const exp = withHistograms({ v1: { RetCodes: {} } });
    expect(aggregateMetrics(exp, {}).message).toContain("aggregatedBuiltinHists.data.v1.DurationHistogram is missing");
  });

  it("generates mock metrics from the elapsed time, reproducibly", () => {
    const mock = [{ name: "v1", level: "15.0" }, { name: "v2", level: "20.0" }];
    const exp = makeExperiment({
      status: {
        startTime: "2024-01-01T00:00:00Z",
        metrics: [
          { name: "default/requests", metricObj: { spec: { type: "Counter", mock } } },
          { name: "default/latency", metricObj: { spec: { type: "Gauge", mock } } },
        ],
      },
    });
    const now = "2024-01-01T00:01:40.700Z"; // 100 whole seconds
    const result = aggregateMetrics(exp, {}, { now });
    expect(result.data["default/requests"]).toEqual({ data: { v1: { value: 1500 }, v2: { value: 2000 } } });
    const expected = mockMetricValue({ type: "Gauge", mock }, "v2", 100, mockSeed(exp, "default/latency")).value as number;
    expect(result.data["default/latency"]?.data["v2"]?.value).toBe(String(expected));
    expect(aggregateMetrics(exp, {}, { now })).toEqual(result);
    expect(result.message).toBe("Error: ; Warning: ; Info: ");
  });

  it("uses a value handed in for a mock metric instead of generating one", () => {
    const exp = makeExperiment({
      status: { metrics: [{ name: "default/requests", metricObj: { spec: { type: "Counter", mock: [{ name: "v1", level: 1 }] } } }] },
    });
    const result = aggregateMetrics(exp, { requests: { v1: { value: 42 } } });
    expect(result.data["default/requests"]?.data["v1"]).toEqual({ value: 42 });
    expect(result.message).toContain("Error from metrics backend for metric: default/requests and version: v2 (mock metric has no level for version v2");
  });

  it("fills sampleSize from the counter a metric names", () => {
    const exp = makeExperiment({
      status: { metrics: [prom("default/request-count"), prom("default/mean-latency", { sampleSize: "request-count" })] },
    });
    const result = aggregateMetrics(exp, {
      "default/request-count": { v1: { value: 148.04 }, v2: { value: 143 } },
      "default/mean-latency": { v1: { value: 419.2 }, v2: { value: 426.9, sampleSize: 9 } },
    });
    expect(result.data["default/mean-latency"]?.data).toEqual({
      v1: { value: "419.2", sampleSize: 148 },
      v2: { value: "426.9", sampleSize: 9 },
    });
  });

  it("stamps provenance and timestamp", () => {
    const result = aggregateMetrics(makeExperiment(), {}, { now: 0, provenance: "http://analytics" });
    expect(result).toMatchObject({ provenance: "http://analytics", timestamp: "1970-01-01T00:00:00.000Z", data: {} });
  });
});
