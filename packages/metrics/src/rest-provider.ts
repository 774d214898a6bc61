import { describeCategory } from "./egress-policy";
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

/**
 * A URL (template) as messages show it: scheme, host and path, without credentials, query or
 * fragment, which may carry secrets (`?apikey=...`) and would be stored in status and logs.
 */
export function displayUrl(url: string): string {
  const cut = url.replace(/[?#].*$/s, "");
  const shown = cut.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
  return shown.length < url.length ? `${shown}?…` : shown;
}

/** The media type of an answer (`text/html`), or `no content-type`, safe to show. */
function mediaType(headers: Readonly<Record<string, string | undefined>>): string {
  const type = /^[\w.+-]+\/[\w.+-]+/.exec(headers["content-type"] ?? "")?.[0];
  return type ? type.slice(0, 60) : "no content-type";
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
    const where = `${preset.title} at ${JSON.stringify(displayUrl(spec.urlTemplate ?? ""))}`;

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
        if (e.kind === "too_large") {
          return metricFailure(q, {
            code: MetricErrorCode.ResponseTooLarge,
            message: `${where} answered with more than ${e.detail}, so the read was stopped; make the query return less (aggregate it), or ask the operator to raise the controller's --max-response-size`,
            cause: e,
          });
        }
        if (e.kind === "refused" && e.refusal) {
          return metricFailure(q, {
            code: MetricErrorCode.EgressRefused,
            message: `${where} leads to ${e.refusal.address}, ${describeCategory(e.refusal.category)}, which the egress policy refuses; the operator allows it with ${e.refusal.howToAllow}`,
            cause: e,
          });
        }
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

    // Only what a preset reads out of a known error format is shown; a raw body is never copied
    // into the message (it lands in status), since a backend may echo anything, secrets included.
    if (response.status >= 400) {
      const said = parsedOk ? preset.errorText?.(parsed) : undefined;
      const detail = said ? scrub.redact(said.length > 300 ? `${said.slice(0, 297)}...` : said) : "";
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
        message: `${where} answered HTTP ${response.status} with ${Buffer.byteLength(response.body)} bytes of ${mediaType(response.headers)} that are not JSON; check that the URL is the backend's query API`,
      });
    }

    const extracted = await extractor.extract(spec, response.body, parsed, preset.defaultJqExpression, { group: q.experiment.namespace });
    if (extracted.ok) return { ok: true, value: extracted.value };
    const said = preset.errorText?.(parsed);
    const hint = said ? `${preset.title} says: ${said}` : extracted.code === MetricErrorCode.NoNumber ? preset.emptyHint?.(parsed) : undefined;
    return metricFailure(q, { code: extracted.code, message: scrub.redact(hint ? `${extracted.message}; ${hint}` : extracted.message) });
  }

  return { apiVersion: METRIC_PROVIDER_V1, name: options.name ?? preset.name, query };
}
