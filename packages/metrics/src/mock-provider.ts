import { mockMetricValue, mockSeed } from "@iter8ts/analytics";
import { MetricErrorCode } from "./metric-error";
import { METRIC_PROVIDER_V1, metricFailure, type MetricProviderV1 } from "./metric-provider";
import { ReservedProvider } from "./metric-provider-registry";

/**
 * Answers metrics that carry `mock` levels, without any backend: a Counter grows as
 * `elapsedTime × level`, a Gauge is drawn around its level with a spread that shrinks over time.
 * The draw is seeded by experiment, metric, version and elapsed time (the same seed analytics
 * uses), so a repeated query gives the same value.
 */
export function createMockProvider(): MetricProviderV1 {
  return {
    apiVersion: METRIC_PROVIDER_V1,
    name: ReservedProvider.Mock,
    async query(q) {
      const seed = mockSeed({ metadata: { name: q.experiment.name, namespace: q.experiment.namespace } }, q.key);
      const out = mockMetricValue(q.metric.spec, q.version.name, q.experiment.elapsedSeconds, seed);
      if (typeof out.value === "number" && Number.isFinite(out.value)) return { ok: true, value: out.value };
      return metricFailure(q, { code: MetricErrorCode.NoMockLevel, message: out.error ?? "the mock metric gave no value" });
    },
  };
}
