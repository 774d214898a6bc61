import { readFile } from "node:fs/promises";
import {
  DEFAULT_TIMEOUT_SECONDS,
  displayUrl,
  isHttpClientError,
  METRIC_PROVIDER_V1,
  MetricErrorCode,
  metricFailure,
  type HttpResponse,
  type MetricProviderV1,
  type MetricQueryV1,
  type MetricResultV1,
} from "@iter8ts/metrics";

/** Options of {@link jsonFileProvider}. */
export interface JsonFileProviderOptions {
  /**
   * A file to read the values from on every query. Without it, each Metric names its document
   * with `spec.urlTemplate`, an `http:` or `https:` URL fetched with the runtime's HTTP client
   * (so the controller's egress policy and response size limit apply).
   */
  path?: string;
  /** The `spec.provider` name to answer to (default `jsonfile`). */
  name?: string;
  /** Reads the file (injected in tests; default `fs.readFile`). */
  read?: (path: string, signal: AbortSignal | undefined) => Promise<string>;
}

/** Answers a backend gives when it is busy or restarting: worth asking again later. */
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);

type Entry = number | { value: number; sampleSize?: number };
type Text = { ok: true; text: string; where: string } | { ok: false; result: MetricResultV1 };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function cancelled(q: MetricQueryV1): MetricResultV1 {
  return metricFailure(q, { code: MetricErrorCode.Unreachable, message: "the query was cancelled before the values document was read", retryable: false });
}

async function readLocalFile(q: MetricQueryV1, path: string, read: NonNullable<JsonFileProviderOptions["read"]>): Promise<Text> {
  try {
    return { ok: true, text: await read(path, q.signal), where: path };
  } catch (error) {
    if (q.signal?.aborted) return { ok: false, result: cancelled(q) };
    const code = (error as { code?: string }).code ?? "read error";
    return { ok: false, result: metricFailure(q, { code: MetricErrorCode.Unreachable, message: `cannot read ${path} (${code}); check that the file exists` }) };
  }
}

async function fetchDocument(q: MetricQueryV1): Promise<Text> {
  const url = q.metric.spec.urlTemplate;
  if (!url || !/^https?:\/\//i.test(url)) {
    const message = url
      ? `spec.urlTemplate ${JSON.stringify(displayUrl(url))} is not an http: or https: URL; the jsonfile provider fetches its values document over HTTP`
      : "spec.urlTemplate is missing; set it to the http(s) URL of the values document";
    return { ok: false, result: metricFailure(q, { code: MetricErrorCode.InvalidMetric, message }) };
  }
  const where = JSON.stringify(displayUrl(url));
  const timeoutSeconds = q.metric.spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  let res: HttpResponse;
  try {
    res = await q.http({ url, method: "GET", headers: { accept: "application/json" }, timeoutMs: Math.round(timeoutSeconds * 1000), signal: q.signal });
  } catch (error) {
    if (!isHttpClientError(error)) {
      return { ok: false, result: metricFailure(q, { code: MetricErrorCode.Unreachable, message: `could not fetch ${where}; check the URL and that the server is running`, cause: error }) };
    }
    switch (error.kind) {
      case "timeout":
        return { ok: false, result: metricFailure(q, { code: MetricErrorCode.Timeout, message: `${where} did not answer within ${timeoutSeconds} s; raise spec.timeoutSeconds`, cause: error }) };
      case "aborted":
        return { ok: false, result: cancelled(q) };
      case "too_large":
        return { ok: false, result: metricFailure(q, { code: MetricErrorCode.ResponseTooLarge, message: `${where} is larger than ${error.detail}; keep the values document small`, cause: error }) };
      case "refused":
        return {
          ok: false,
          result: metricFailure(q, {
            code: MetricErrorCode.EgressRefused,
            message: error.refusal
              ? `${where} leads to ${error.refusal.address}, which the egress policy refuses; the operator allows it with ${error.refusal.howToAllow}`
              : `${where} leads to an address the egress policy refuses`,
            cause: error,
          }),
        };
      case "unreachable":
        return { ok: false, result: metricFailure(q, { code: MetricErrorCode.Unreachable, message: `could not reach ${where} (${error.detail}); check the URL and that the server is running`, cause: error }) };
    }
  }
  if (res.status < 200 || res.status > 299) {
    // The body of an error answer is never a value (a 500 saying "42" is not 42), nor copied here.
    return {
      ok: false,
      result: metricFailure(q, { code: MetricErrorCode.HttpStatus, status: res.status, retryable: TRANSIENT_STATUS.has(res.status), message: `${where} answered HTTP ${res.status}` }),
    };
  }
  return { ok: true, text: res.body, where };
}

/**
 * A metric provider that reads values from a JSON document instead of a metrics backend: useful
 * when a batch job (an offline evaluation, a data-warehouse export) writes the numbers an
 * experiment should judge. The document maps metric keys to versions to values:
 *
 * ```json
 * { "default/accuracy": { "v1": 0.91, "v2": { "value": 0.93, "sampleSize": 5000 } } }
 * ```
 *
 * A metric is looked up by its `namespace/name` key, then by its bare name. The document is read
 * on every query (from `options.path`, or from the Metric's `spec.urlTemplate` over HTTP), so a
 * job can update it between iterations. An HTTP status outside 2xx, a timeout, an unreachable
 * server and a cancelled query are typed errors, never values.
 */
export function jsonFileProvider(options: JsonFileProviderOptions = {}): MetricProviderV1 {
  const read = options.read ?? ((path: string, signal: AbortSignal | undefined) => readFile(path, { encoding: "utf8", ...(signal ? { signal } : {}) }));
  return {
    apiVersion: METRIC_PROVIDER_V1,
    name: options.name ?? "jsonfile",
    async query(q): Promise<MetricResultV1> {
      if (q.signal?.aborted) return cancelled(q);
      const got = options.path === undefined ? await fetchDocument(q) : await readLocalFile(q, options.path, read);
      if (!got.ok) return got.result;
      const { text, where } = got;
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        return metricFailure(q, { code: MetricErrorCode.BadJson, message: `${where} is not valid JSON` });
      }
      if (!isRecord(doc)) return metricFailure(q, { code: MetricErrorCode.BadJson, message: `${where} must hold an object keyed by metric` });
      const shortName = q.key.slice(q.key.indexOf("/") + 1);
      const byVersion = doc[q.key] ?? doc[shortName];
      if (!isRecord(byVersion)) {
        return metricFailure(q, { code: MetricErrorCode.NoNumber, message: `${where} has no entry "${q.key}" (or "${shortName}")` });
      }
      const entry = byVersion[q.version.name] as Entry | undefined;
      const value = typeof entry === "number" ? entry : isRecord(entry) ? entry.value : undefined;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return metricFailure(q, { code: MetricErrorCode.NoNumber, message: `${where} has no finite number for version ${q.version.name} under "${q.key}"` });
      }
      const sampleSize = isRecord(entry) && typeof entry.sampleSize === "number" ? entry.sampleSize : undefined;
      return sampleSize === undefined ? { ok: true, value } : { ok: true, value, sampleSize };
    },
  };
}
