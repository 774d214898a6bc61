import { HttpClientError, type HttpResponse } from "./http-client";
import { MetricErrorCode } from "./metric-error";
import { METRIC_PROVIDER_V1, metricFailure, type MetricProviderV1, type MetricQueryV1, type MetricResultV1 } from "./metric-provider";
import { buildMetricRequest, secretMaskOf, toHttpRequest } from "./metric-request";
import { genericRestPreset, type RestPreset } from "./rest-preset";
import { lookupSecret } from "./secret-store";
import { ValueExtractor } from "./value-extractor";

/** How a REST provider repeats queries that failed for reasons that may pass. */
export interface RetryPolicy {
  /** Total attempts, including the first (default 3). */
  attempts?: number;
  /** Pause before the second attempt; doubles each time (default 200 ms). */
  baseDelayMs?: number;
  /** Longest pause (default 2000 ms). */
  maxDelayMs?: number;
}

/** Options of {@link createRestProvider}. */
export interface RestProviderOptions {
  /** The backend's preset (default: generic REST). */
  preset?: RestPreset;
  /** The provider name, when it differs from the preset's. */
  name?: string;
  /** Shared jq/JSONata evaluators (default: a new pair). */
  extractor?: ValueExtractor;
  retry?: RetryPolicy;
  /** Source of jitter for retry pauses (default Math.random). */
  random?: () => number;
}

/** The default per-query timeout, as in Iter8. */
export const DEFAULT_TIMEOUT_SECONDS = 5;

// Statuses that mean "the backend is busy or restarting": worth another try. Other 4xx/5xx are
// answers about the query itself and would only repeat.
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

/**
 * A provider for any JSON-over-HTTP metrics backend: builds the request from the Metric's
 * templates, sends it with a timeout (TLS verified unless the metric opts out), repeats it a few
 * times with growing pauses when the backend is unreachable or busy, and reads the value with jq
 * or JSONata. It never throws; every failure is a typed error naming metric and version, with
 * secret values scrubbed from the message.
 */
export function createRestProvider(options: RestProviderOptions = {}): MetricProviderV1 {
  const preset = options.preset ?? genericRestPreset;
  const extractor = options.extractor ?? new ValueExtractor();
  const attempts = Math.max(1, options.retry?.attempts ?? 3);
  const baseDelay = options.retry?.baseDelayMs ?? 200;
  const maxDelay = options.retry?.maxDelayMs ?? 2000;
  const random = options.random ?? Math.random;

  async function query(q: MetricQueryV1): Promise<MetricResultV1> {
    const spec = q.metric.spec;
    const secret = spec.secret ? lookupSecret(q.secrets, spec.secret, q.experiment.namespace) : undefined;
    const built = buildMetricRequest(spec, {
      key: q.key,
      version: q.version,
      namespace: q.experiment.namespace,
      elapsedSeconds: q.experiment.elapsedSeconds,
      secret: secret?.data,
      secretKey: secret?.key,
      preset,
    });
    if (!built.ok) return { ok: false, error: built.error };
    const scrub = secretMaskOf(secret?.data);
    const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const request = toHttpRequest(built.request, {
      timeoutMs: Math.round(timeoutSeconds * 1000),
      insecureSkipTLSVerify: spec.insecureSkipTLSVerify,
      signal: q.signal,
    });
    const where = `${preset.title} at ${JSON.stringify(spec.urlTemplate)}`;

    let response: HttpResponse | undefined;
    let lastFailure: MetricResultV1 | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        const pause = Math.min(maxDelay, baseDelay * 2 ** (attempt - 2));
        await q.sleep(pause * (0.5 + random() / 2));
      }
      try {
        response = await q.http(request);
      } catch (error) {
        const e = error instanceof HttpClientError ? error : new HttpClientError("unreachable", "request failed");
        if (e.kind === "timeout") {
          return metricFailure(q, {
            code: MetricErrorCode.Timeout,
            message: `${where} did not answer within ${timeoutSeconds} s; raise spec.timeoutSeconds or make the query cheaper`,
            cause: e,
          });
        }
        lastFailure = metricFailure(q, {
          code: MetricErrorCode.Unreachable,
          message: `could not reach ${where} (${scrub.redact(e.detail)})${attempts > 1 ? ` after ${attempt} attempt(s)` : ""}; check the URL and that the backend is running`,
          cause: e,
          retryable: e.kind !== "aborted",
        });
        if (e.kind === "aborted") return lastFailure;
        response = undefined;
        continue;
      }
      if (RETRYABLE_STATUS.has(response.status) && attempt < attempts) continue;
      break;
    }
    if (!response) return lastFailure!;

    let parsed: unknown;
    let parsedOk = true;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      parsedOk = false;
    }

    if (response.status >= 400) {
      const said = parsedOk ? preset.errorText?.(parsed) : undefined;
      const detail = scrub.redact(said ?? snippet(response.body));
      return metricFailure(q, {
        code: MetricErrorCode.HttpStatus,
        status: response.status,
        retryable: RETRYABLE_STATUS.has(response.status),
        message: `${where} answered HTTP ${response.status}${detail ? `: ${detail}` : ""}`,
      });
    }
    if (!parsedOk) {
      return metricFailure(q, {
        code: MetricErrorCode.BadJson,
        message: `${where} answered HTTP ${response.status} with a body that is not JSON: ${JSON.stringify(scrub.redact(snippet(response.body)))}`,
      });
    }

    const extracted = await extractor.extract(spec, response.body, parsed, preset.defaultJqExpression);
    if (extracted.ok) return { ok: true, value: extracted.value };
    const said = preset.errorText?.(parsed);
    const hint = said ? `${preset.title} says: ${said}` : extracted.code === MetricErrorCode.NoNumber ? preset.emptyHint?.(parsed) : undefined;
    return metricFailure(q, { code: extracted.code, message: scrub.redact(hint ? `${extracted.message}; ${hint}` : extracted.message) });
  }

  return { apiVersion: METRIC_PROVIDER_V1, name: options.name ?? preset.name, query };
}
