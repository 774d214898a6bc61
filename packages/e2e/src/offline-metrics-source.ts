import type { MetricValues } from "@iter8ts/analytics";
import type { MetricsSource } from "@iter8ts/engine";
import { HttpClientError, queryMetrics, type HttpClient, type MetricError, type SecretStore } from "@iter8ts/metrics";
import type { Experiment } from "@iter8ts/types";

/** An HTTP client for metric backends that refuses every request: a run meant to be offline stays offline. */
export const refusingHttpClient: HttpClient = async (request) => {
  throw new HttpClientError("unreachable", `offline run: no backend is contacted (${new URL(request.url).host})`);
};

/**
 * The engine's metrics source over `queryMetrics` of @iter8ts/metrics, with an injected HTTP
 * client (by default one that refuses), so that Metric `mock` levels, templates, providers and
 * extraction all run for real while no request leaves the process. `$elapsedTime` follows the
 * engine's (simulated) clock.
 */
export class OfflineMetricsSource implements MetricsSource {
  /** Errors of every query, oldest first, for assertions. */
  readonly errors: MetricError[] = [];
  /** How many times the engine queried. */
  queries = 0;

  constructor(
    private readonly options: { http?: HttpClient; secrets?: SecretStore | Readonly<Record<string, Readonly<Record<string, string>>>> } = {},
  ) {}

  async query(experiment: Experiment, context: { now: Date }): Promise<MetricValues> {
    this.queries++;
    const result = await queryMetrics(experiment, experiment.status?.metrics ?? [], this.options.secrets ?? {}, {
      http: this.options.http ?? refusingHttpClient,
      now: () => context.now,
      // Retries of a refused request would wait in real time for nothing.
      sleep: async () => undefined,
    });
    this.errors.push(...result.errors);
    return result.values;
  }
}
