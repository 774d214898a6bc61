import { BUILTIN_METRICS, builtinMetricsFromHistograms, readBuiltinHistograms } from "@iter8ts/analytics";
import { MetricErrorCode } from "./metric-error";
import { METRIC_PROVIDER_V1, metricFailure, type MetricProviderV1 } from "./metric-provider";
import { ReservedProvider } from "./metric-provider-registry";

const byShortName = new Map(BUILTIN_METRICS.map((key) => [key.slice(key.indexOf("/") + 1), key] as const));

/**
 * Answers `provider: iter8` metrics (request-count, error-count, error-rate, mean-latency and the
 * latency percentiles) from the histograms the builtin load generator recorded in
 * `status.analysis.aggregatedBuiltinHists`. Nothing is queried; a version that has no histogram
 * yet gets a `builtin_unavailable` error.
 */
export function createBuiltinProvider(): MetricProviderV1 {
  return {
    apiVersion: METRIC_PROVIDER_V1,
    name: ReservedProvider.Builtin,
    async query(q) {
      const short = q.key.slice(q.key.indexOf("/") + 1);
      const builtin = byShortName.get(short);
      if (!builtin) {
        return metricFailure(q, {
          code: MetricErrorCode.InvalidMetric,
          message: `provider iter8 has no builtin metric named ${short}; builtin metrics are ${[...byShortName.keys()].join(", ")}`,
        });
      }
      const { histograms, problems } = readBuiltinHistograms(q.experiment.builtinHistograms);
      const entry = builtinMetricsFromHistograms(histograms)[builtin]?.[q.version.name];
      if (entry && typeof entry.value === "number") {
        return entry.sampleSize === undefined ? { ok: true, value: entry.value } : { ok: true, value: entry.value, sampleSize: entry.sampleSize };
      }
      const why = histograms[q.version.name]
        ? "the version has no requests recorded yet"
        : problems.find((p) => p.includes(`.${q.version.name}`)) ?? "no load-generator histogram is recorded for this version yet; run a metrics/collect task first";
      return metricFailure(q, { code: MetricErrorCode.BuiltinUnavailable, message: why });
    },
  };
}
