import type { BuiltinHistograms, HistogramBucket } from "./builtin-histogram";
import type { MetricValues } from "./metric-values";

/** The namespace Iter8 installs its builtin metrics in; their keys are always qualified with it. */
export const BUILTIN_METRICS_NAMESPACE = "iter8-system";

/** Keys of the nine builtin metrics, derived from the load generator's histograms. */
export const BuiltinMetric = {
  RequestCount: "iter8-system/request-count",
  ErrorCount: "iter8-system/error-count",
  ErrorRate: "iter8-system/error-rate",
  MeanLatency: "iter8-system/mean-latency",
  Latency50: "iter8-system/latency-50th-percentile",
  Latency75: "iter8-system/latency-75th-percentile",
  Latency90: "iter8-system/latency-90th-percentile",
  Latency95: "iter8-system/latency-95th-percentile",
  Latency99: "iter8-system/latency-99th-percentile",
} as const;
export type BuiltinMetric = (typeof BuiltinMetric)[keyof typeof BuiltinMetric];

/** All builtin metric keys, in the order Iter8 lists them. */
export const BUILTIN_METRICS: readonly BuiltinMetric[] = Object.values(BuiltinMetric);

const PERCENTILE_METRICS: readonly [BuiltinMetric, number][] = [
  [BuiltinMetric.Latency50, 50],
  [BuiltinMetric.Latency75, 75],
  [BuiltinMetric.Latency90, 90],
  [BuiltinMetric.Latency95, 95],
  [BuiltinMetric.Latency99, 99],
];

/**
 * A response code counts as an error unless it is an HTTP 1xx–3xx status. Besides 4xx and 5xx
 * this includes the load generator's negative codes for requests that got no response at all.
 */
export function isErrorCode(code: string): boolean {
  const n = Number(code);
  return !(Number.isInteger(n) && n >= 100 && n < 400);
}

/**
 * The `percent`-th percentile (0–100) of the durations a histogram describes, in the buckets'
 * unit. Requests are taken to be spread uniformly inside their bucket, so the answer is exact for
 * that reading of the histogram: the point where the cumulative count reaches `percent`% of the
 * total, interpolated linearly inside the bucket that holds it. Overlapping buckets (as left by
 * concatenating runs) are handled by summing their densities. Returns `undefined` for an empty
 * histogram.
 */
export function histogramPercentile(buckets: readonly HistogramBucket[], percent: number): number | undefined {
  const used = buckets.filter((b) => b.Count > 0);
  const total = used.reduce((sum, b) => sum + b.Count, 0);
  if (total <= 0) return undefined;
  const target = (Math.min(100, Math.max(0, percent)) / 100) * total;

  // A sweep over bucket edges: between two edges the cumulative count grows linearly (slope =
  // sum of the open buckets' densities); a zero-width bucket adds a jump at its edge.
  const slopeChange = new Map<number, number>();
  const jump = new Map<number, number>();
  for (const b of used) {
    if (b.End > b.Start) {
      const density = b.Count / (b.End - b.Start);
      slopeChange.set(b.Start, (slopeChange.get(b.Start) ?? 0) + density);
      slopeChange.set(b.End, (slopeChange.get(b.End) ?? 0) - density);
    } else {
      jump.set(b.Start, (jump.get(b.Start) ?? 0) + b.Count);
    }
  }
  const edges = [...new Set([...slopeChange.keys(), ...jump.keys()])].sort((x, y) => x - y);
  const first = edges[0]!;
  if (target <= 0) return first;
  let cumulative = 0;
  let slope = 0;
  let previous = first;
  for (const edge of edges) {
    const beforeEdge = cumulative + slope * (edge - previous);
    if (beforeEdge >= target && slope > 0) return previous + (target - cumulative) / slope;
    cumulative = beforeEdge + (jump.get(edge) ?? 0);
    if (cumulative >= target) return edge;
    slope += slopeChange.get(edge) ?? 0;
    previous = edge;
  }
  // Only reached when rounding left the running total a hair below the full count.
  return edges[edges.length - 1]!;
}

/**
 * Computes the nine builtin metrics of every version in the histograms: request and error counts,
 * error rate, mean latency and the 50/75/90/95/99th latency percentiles (milliseconds). Rates,
 * means and percentiles of a version without requests are left out rather than invented; they
 * carry the request count as `sampleSize`.
 */
export function builtinMetricsFromHistograms(histograms: BuiltinHistograms): MetricValues {
  const out: MetricValues = {};
  const put = (metric: BuiltinMetric, version: string, value: number, sampleSize?: number) => {
    const entry = sampleSize === undefined ? { value } : { value, sampleSize };
    (out[metric] ??= {})[version] = entry;
  };
  for (const [version, histogram] of Object.entries(histograms)) {
    const { Count: count, Sum: sum, Data: data } = histogram.DurationHistogram;
    const errors = Object.entries(histogram.RetCodes)
      .filter(([code]) => isErrorCode(code))
      .reduce((total, [, n]) => total + n, 0);
    put(BuiltinMetric.RequestCount, version, count);
    put(BuiltinMetric.ErrorCount, version, errors);
    if (count <= 0) continue;
    const sampleSize = Math.round(count);
    put(BuiltinMetric.ErrorRate, version, errors / count, sampleSize);
    put(BuiltinMetric.MeanLatency, version, (1000 * sum) / count, sampleSize);
    for (const [metric, percent] of PERCENTILE_METRICS) {
      const seconds = histogramPercentile(data, percent);
      if (seconds !== undefined) put(metric, version, 1000 * seconds, sampleSize);
    }
  }
  return out;
}
