import { describe, expect, it } from "vitest";
import type { BuiltinHistogram } from "./builtin-histogram";
import { BUILTIN_METRICS, builtinMetricsFromHistograms, histogramPercentile, isErrorCode } from "./builtin-metrics";

// 50 requests: 10 in 1–2 ms, 30 in 2–4 ms, 10 in 4–10 ms (durations in seconds, as recorded).
const hist: BuiltinHistogram = {
  DurationHistogram: {
    Count: 50,
    Max: 0.01,
    Sum: 0.2,
    Data: [
      { Start: 0.001, End: 0.002, Count: 10 },
      { Start: 0.002, End: 0.004, Count: 30 },
      { Start: 0.004, End: 0.01, Count: 10 },
    ],
  },
  RetCodes: { "200": 45, "404": 2, "503": 2, "-1": 1 },
};

describe("histogramPercentile", () => {
  it("interpolates linearly inside the bucket that holds the rank", () => {
    const buckets = hist.DurationHistogram.Data;
    // rank 25 of 50: 15 into the 30 requests of [2, 4] ms → 2 + 2·15/30 = 3 ms
    expect(histogramPercentile(buckets, 50)).toBeCloseTo(0.003, 12);
    // rank 37.5: 2 + 2·27.5/30 = 3.8333 ms
    expect(histogramPercentile(buckets, 75)).toBeCloseTo(0.002 + (0.002 * 27.5) / 30, 12);
    // rank 45: 5 into the 10 requests of [4, 10] ms → 7 ms; rank 47.5 → 8.5 ms; rank 49.5 → 9.7 ms
    expect(histogramPercentile(buckets, 90)).toBeCloseTo(0.007, 12);
    expect(histogramPercentile(buckets, 95)).toBeCloseTo(0.0085, 12);
    expect(histogramPercentile(buckets, 99)).toBeCloseTo(0.0097, 12);
  });

  it("lands on a bucket edge when the rank does", () => {
    const buckets = [
      { Start: 0, End: 10, Count: 50 },
      { Start: 10, End: 20, Count: 50 },
    ];
    expect(histogramPercentile(buckets, 50)).toBeCloseTo(10, 12);
    expect(histogramPercentile(buckets, 0)).toBe(0);
    expect(histogramPercentile(buckets, 100)).toBeCloseTo(20, 12);
  });

  it("adds the densities of overlapping buckets (concatenated runs)", () => {
    // [10, 50] holds 18 (0.45 per unit), [15, 26] holds 5. Cumulative at 15 is 2.25; inside
    // [15, 26] it grows by 0.45 + 5/11 per unit, so rank 11.5 sits 9.25 / (0.45 + 5/11) past 15.
    const buckets = [
      { Start: 10, End: 50, Count: 18 },
      { Start: 15, End: 26, Count: 5 },
    ];
    expect(histogramPercentile(buckets, 50)).toBeCloseTo(15 + 9.25 / (0.45 + 5 / 11), 10);
  });

  it("treats a zero-width bucket as a point mass", () => {
    const buckets = [
      { Start: 1, End: 1, Count: 8 },
      { Start: 1, End: 3, Count: 2 },
    ];
    expect(histogramPercentile(buckets, 50)).toBe(1);
    // rank 9: one of the two requests spread over [1, 3] → 2
    expect(histogramPercentile(buckets, 90)).toBeCloseTo(2, 12);
  });

  it("is undefined for an empty histogram and ignores empty buckets", () => {
    expect(histogramPercentile([], 50)).toBeUndefined();
    expect(histogramPercentile([{ Start: 0, End: 1, Count: 0 }], 50)).toBeUndefined();
    expect(histogramPercentile([{ Start: 0, End: 100, Count: 0 }, { Start: 4, End: 6, Count: 2 }], 50)).toBeCloseTo(5, 12);
  });
});

describe("isErrorCode", () => {
  it("counts 4xx, 5xx and failed connections as errors", () => {
    expect(["200", "204", "301", "100"].map(isErrorCode)).toEqual([false, false, false, false]);
    expect(["400", "404", "500", "503", "-1", "0", "abc"].map(isErrorCode)).toEqual([true, true, true, true, true, true, true]);
  });
});

describe("builtinMetricsFromHistograms", () => {
  it("computes the nine builtin metrics per version, latencies in milliseconds", () => {
    const values = builtinMetricsFromHistograms({ v1: hist });
    expect(Object.keys(values)).toEqual([...BUILTIN_METRICS]);
    expect(values["iter8-system/request-count"]).toEqual({ v1: { value: 50 } });
    expect(values["iter8-system/error-count"]).toEqual({ v1: { value: 5 } });
    expect(values["iter8-system/error-rate"]).toEqual({ v1: { value: 0.1, sampleSize: 50 } });
    expect(values["iter8-system/mean-latency"]?.["v1"]?.value).toBeCloseTo(4, 12);
    expect(values["iter8-system/latency-50th-percentile"]?.["v1"]?.value).toBeCloseTo(3, 9);
    expect(values["iter8-system/latency-75th-percentile"]?.["v1"]?.value).toBeCloseTo(2 + 55 / 30, 9);
    expect(values["iter8-system/latency-90th-percentile"]?.["v1"]?.value).toBeCloseTo(7, 9);
    expect(values["iter8-system/latency-95th-percentile"]?.["v1"]?.value).toBeCloseTo(8.5, 9);
    expect(values["iter8-system/latency-99th-percentile"]?.["v1"]?.value).toBeCloseTo(9.7, 9);
    expect(values["iter8-system/latency-99th-percentile"]?.["v1"]?.sampleSize).toBe(50);
  });

  it("gives the same numbers every time (no resampling)", () => {
    expect(builtinMetricsFromHistograms({ v1: hist })).toEqual(builtinMetricsFromHistograms({ v1: hist }));
  });

  it("reports only counts for a version without requests", () => {
    const empty: BuiltinHistogram = { DurationHistogram: { Count: 0, Max: 0, Sum: 0, Data: [] }, RetCodes: {} };
    const values = builtinMetricsFromHistograms({ v1: hist, v2: empty });
    expect(values["iter8-system/request-count"]?.["v2"]).toEqual({ value: 0 });
    expect(values["iter8-system/error-count"]?.["v2"]).toEqual({ value: 0 });
    expect(values["iter8-system/error-rate"]?.["v2"]).toBeUndefined();
    expect(values["iter8-system/mean-latency"]?.["v2"]).toBeUndefined();
    expect(values["iter8-system/mean-latency"]?.["v1"]).toBeDefined();
  });
});
