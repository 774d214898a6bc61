import { seededRandom } from "@iter8ts/analytics";
import { HttpClientError, type HttpClient } from "@iter8ts/metrics";

/**
 * A metrics backend for fuzzed runs, inside the process: each request gets an answer decided by
 * the seed and the request alone (so a repeated query gets the same answer). Most answers are
 * well-formed Prometheus or New Relic bodies with a value between 0.1 and 1000 (0.0001 and 0.1
 * for error queries);
 * some are refused connections, 500s, bodies that are not JSON, and empty results.
 */
export function fuzzBackend(seed: string): HttpClient {
  return async (request) => {
    const draw = seededRandom(`${seed}|${request.method} ${request.url}|${request.body ?? ""}`);
    const roll = draw();
    if (roll < 0.04) throw new HttpClientError("unreachable", "ECONNREFUSED");
    if (roll < 0.07) return { status: 500, headers: {}, body: "internal error" };
    if (roll < 0.1) return { status: 200, headers: { "content-type": "application/json" }, body: "{not json" };
    if (roll < 0.13) return { status: 200, headers: { "content-type": "application/json" }, body: '{"status":"success","data":{"resultType":"vector","result":[]}}' };
    let text = request.url + (request.body ?? "");
    try {
      text = decodeURIComponent(text);
    } catch {
      // A URL with a stray `%` is read as it is.
    }
    // Spread over orders of magnitude, so that objectives are met in some runs and broken in others.
    const value = /error|5\.\.|code!=|2xx/.test(text) ? 10 ** (draw() * 3 - 4) : 10 ** (draw() * 4 - 1);
    const body = /newrelic/i.test(request.url)
      ? JSON.stringify({ results: [{ average: value }] })
      : JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1_700_000_000, String(value)] }] } });
    return { status: 200, headers: { "content-type": "application/json" }, body };
  };
}
