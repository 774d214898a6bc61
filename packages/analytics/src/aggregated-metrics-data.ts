import { normalizeMetricRef } from "@iter8ts/types";
import type { AggregatedMetric } from "@iter8ts/types";

/** Aggregated metric data as stored in `status.analysis.aggregatedMetrics.data`. */
export type AggregatedMetricsData = Record<string, AggregatedMetric>;

/** Aggregated metrics re-keyed by normalised `namespace/name`, so any spelling of a reference finds them. */
export function indexAggregatedMetrics(
  aggregated: AggregatedMetricsData | undefined,
  namespace: string,
): Map<string, AggregatedMetric> {
  const out = new Map<string, AggregatedMetric>();
  for (const [name, metric] of Object.entries(aggregated ?? {})) out.set(normalizeMetricRef(name, namespace), metric);
  return out;
}
