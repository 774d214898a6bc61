import { LocalMetricsSource } from "@iter8ts/local";
import { HttpClientError, secretStore, type HttpClient } from "@iter8ts/metrics";

/** An HTTP client for metric backends that refuses every request: a run meant to be offline stays offline. */
export const refusingHttpClient: HttpClient = async (request) => {
  throw new HttpClientError("unreachable", `offline run: no backend is contacted (${new URL(request.url).host})`);
};

/**
 * Local mode's metrics source (`queryMetrics` of @iter8ts/metrics) with an injected HTTP client,
 * by default one that refuses, and no Secrets: Metric `mock` levels, templates, providers and
 * extraction all run for real while no request leaves the process. `$elapsedTime` follows the
 * engine's (simulated) clock; retries do not wait, since a refused request would wait in real
 * time for nothing.
 */
export function offlineMetricsSource(http: HttpClient = refusingHttpClient): LocalMetricsSource {
  return new LocalMetricsSource(secretStore(), { query: { http, sleep: async () => undefined } });
}
