import type { MetricValues } from "@iter8ts/analytics";
import type { MetricsSource } from "@iter8ts/engine";
import { queryMetrics, type MetricWarning, type QueryMetricsOptions, type SecretStore } from "@iter8ts/metrics";
import type { Experiment } from "@iter8ts/types";

/**
 * The engine's metrics source for a local run: every metric of `status.metrics` is queried for
 * every version with `@iter8ts/metrics` (REST backends, builtin metrics, mocks), with the
 * Secrets found among the run's documents. A warning (an insecure TLS setting, a metric listed
 * twice) is passed on once per metric and message, not once per iteration.
 */
export class LocalMetricsSource implements MetricsSource {
  readonly #seen = new Set<string>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly options: { onWarning?: (warning: MetricWarning) => void; query?: Omit<QueryMetricsOptions, "now"> } = {},
  ) {}

  async query(experiment: Experiment, context: { now: Date }): Promise<MetricValues> {
    const result = await queryMetrics(experiment, experiment.status?.metrics ?? [], this.secrets, { ...this.options.query, now: () => context.now });
    for (const warning of result.warnings) {
      const id = `${warning.metric}\n${warning.message}`;
      if (this.#seen.has(id)) continue;
      this.#seen.add(id);
      this.options.onWarning?.(warning);
    }
    return result.values;
  }
}
