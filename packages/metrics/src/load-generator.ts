import { encodeRequest, KeepAliveConnection } from "./keep-alive-connection";
import { LatencyHistogram, type LatencyHistogramData } from "./latency-histogram";

/** What to send to one version, how fast and for how long. */
export interface LoadOptions {
  /** The version's URL. */
  url: string;
  /** Extra request headers. */
  headers?: Readonly<Record<string, string>>;
  /** A request body; when given, requests are POSTs (as fortio sends payloads). */
  payload?: Uint8Array | string;
  /** Content-Type of the payload (default `application/octet-stream` when a payload is sent). */
  contentType?: string;
  /** Requests per second over all connections; 0 or less sends as fast as responses come back. */
  qps: number;
  /** Requests in flight at once, each over its own keep-alive connection. */
  connections: number;
  /** Total requests to send; the run stops at whichever of this and `durationMs` comes first. */
  numQueries?: number;
  /** How long to keep sending. */
  durationMs?: number;
  /**
   * Do not count failures that happen before the version's first success: a cold version (a
   * scaled-to-zero service, a model still loading) would otherwise fail the whole run. When no
   * request ever succeeds, the failures are counted after all.
   */
  ignoreInitialErrors?: boolean;
  /** Per-request timeout (default 10 s); a request that times out counts with code -1. */
  timeoutMs?: number;
  /** Accept any TLS certificate from the version (e.g. a self-signed test deployment). */
  insecureSkipTLSVerify?: boolean;
  /** Histogram resolution in seconds (default 0.0001). */
  resolution?: number;
  /** Keep every duration (seconds) in the result, for callers that need exact percentiles. */
  keepSamples?: boolean;
  signal?: AbortSignal;
}

/** What a load run observed, in fortio's result shape. */
export interface LoadResult {
  DurationHistogram: LatencyHistogramData;
  /** Response code → count; `-1` counts requests that got no response (refused, reset, timed out). */
  RetCodes: Record<string, number>;
  /** Wall time of the run in seconds. */
  ActualDuration: number;
  /** Achieved requests per second. */
  ActualQPS: number;
  /** Failures left out because they came before the first success (`ignoreInitialErrors`). */
  WarmupErrors: number;
  /** Every duration in seconds, when `keepSamples` was set. */
  Samples?: number[];
}

/** True for the codes a run counts as success when deciding that a version is warm. */
const succeeded = (code: number) => code >= 200 && code < 400;

/**
 * Sends HTTP/1.1 load to one URL over keep-alive connections and records the latency of every
 * request (time to the last byte of the response) and its response code. Pacing is global: the
 * k-th request is not started before `k / qps` seconds into the run. Never throws for failing
 * requests; they are counted under their status code, or -1 when no response came.
 * @throws TypeError for a URL that is not http(s), a header with a line break, or a run with
 *   neither `numQueries` nor `durationMs`
 */
export async function generateLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`load can only be sent to http(s) URLs, not ${url.protocol}`);
  const connections = Math.max(1, Math.floor(options.connections));
  const payload = options.payload === undefined ? undefined : Buffer.from(options.payload);
  const headers: Record<string, string> = { ...options.headers };
  if (payload && !Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) {
    headers["Content-Type"] = options.contentType ?? "application/octet-stream";
  }
  const request = encodeRequest(url, payload ? "POST" : "GET", headers, payload);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const limit = options.numQueries ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(limit) && options.durationMs === undefined) throw new TypeError("a load run needs numQueries or a duration");
  const intervalMs = options.qps > 0 ? 1000 / options.qps : 0;

  const histogram = new LatencyHistogram(options.resolution);
  const retCodes: Record<string, number> = {};
  const samples: number[] | undefined = options.keepSamples ? [] : undefined;
  let warm = !options.ignoreInitialErrors;
  const held: Array<[number, number]> = [];
  const record = (code: number, seconds: number) => {
    if (!warm) {
      if (!succeeded(code)) {
        held.push([code, seconds]);
        return;
      }
      warm = true;
    }
    histogram.record(seconds);
    samples?.push(seconds);
    const key = String(code);
    retCodes[key] = (retCodes[key] ?? 0) + 1;
  };

  const started = performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  let issued = 0;
  const stopped = () => options.signal?.aborted === true;

  // One connection per worker, as fortio and hey hold them: `connections` sockets in all.
  const pool = Array.from({ length: connections }, () => new KeepAliveConnection(url, timeoutMs, options.insecureSkipTLSVerify));
  const worker = async (connection: KeepAliveConnection) => {
    for (;;) {
      if (issued >= limit || stopped()) return;
      const ticket = issued++;
      if (intervalMs > 0) {
        const at = started + ticket * intervalMs;
        const wait = at - performance.now();
        if (at >= deadline) return;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      if (performance.now() >= deadline || stopped()) return;
      const t0 = performance.now();
      const code = await connection.send(request);
      record(code, (performance.now() - t0) / 1000);
    }
  };

  try {
    await Promise.all(pool.map(worker));
  } finally {
    for (const c of pool) c.close();
  }
  // A version that never answered successfully is not "warming up": report what it did.
  if (!warm) for (const [code, seconds] of held.splice(0)) {
    warm = true;
    record(code, seconds);
  }
  const elapsed = (performance.now() - started) / 1000;
  const hist = histogram.toJSON();
  const result: LoadResult = {
    DurationHistogram: hist,
    RetCodes: retCodes,
    ActualDuration: elapsed,
    ActualQPS: elapsed > 0 ? hist.Count / elapsed : 0,
    WarmupErrors: held.length,
  };
  if (samples) result.Samples = samples;
  return result;
}
