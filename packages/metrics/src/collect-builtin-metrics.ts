import { mergeHistograms, readBuiltinHistograms, type BuiltinHistogram, type BuiltinHistograms } from "@iter8ts/analytics";
import { parseGoDuration } from "./go-duration";
import { generateLoad, type LoadResult } from "./load-generator";

/** One version to send load to. */
export interface CollectVersion {
  name: string;
  url: string;
  headers?: Readonly<Record<string, string>>;
}

/** The inputs of the `metrics/collect` task (`with:`), as Iter8 documents them. */
export interface CollectInputs {
  /** Requests per version (default 100 when neither this nor `time` is given). */
  numQueries?: number;
  /** How long to send load to each version, as a Go duration (`30s`, `1m`). */
  time?: string;
  /** Requests per second per version (default 8). */
  qps?: number;
  /** Parallel connections per version (default 4). */
  connections?: number;
  /** A request body sent as is. */
  payloadStr?: string;
  /** A URL the request body is downloaded from (10 s timeout), e.g. an image for a model. */
  payloadURL?: string;
  /** The body's Content-Type. */
  contentType?: string;
  versions: CollectVersion[];
  /** Send load without recording histograms. */
  loadOnly?: boolean;
  /** Leave out failures before a version's first success (cold starts). */
  ignoreInitialErrors?: boolean;
}

/** Iter8's defaults for `metrics/collect`. */
export const COLLECT_DEFAULTS = { numQueries: 100, qps: 8, connections: 4, loadOnly: false } as const;

/** Codes of {@link CollectError}. */
export const CollectErrorCode = {
  /** An input is missing or malformed; the message names the field. */
  InvalidInput: "invalid_input",
  /** `payloadURL` could not be downloaded. */
  PayloadUnavailable: "payload_unavailable",
} as const;
export type CollectErrorCode = (typeof CollectErrorCode)[keyof typeof CollectErrorCode];

/** Why load could not be sent at all (failing requests are not errors; they are counted). */
export class CollectError extends Error {
  override readonly name = "CollectError";
  constructor(
    readonly code: CollectErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** {@link CollectInputs} with defaults applied and the duration parsed. */
export interface ResolvedCollectInputs {
  numQueries: number | undefined;
  durationMs: number | undefined;
  qps: number;
  connections: number;
  loadOnly: boolean;
  ignoreInitialErrors: boolean;
  versions: CollectVersion[];
}

/** Applies Iter8's defaults and checks the inputs; the error names the field at fault. */
export function resolveCollectInputs(inputs: CollectInputs): ResolvedCollectInputs {
  const bad = (field: string, what: string) => new CollectError(CollectErrorCode.InvalidInput, `metrics/collect input ${field} ${what}`);
  if (!Array.isArray(inputs.versions) || inputs.versions.length === 0) throw bad("versions", "must list at least one {name, url}");
  inputs.versions.forEach((v, i) => {
    if (!v || typeof v.name !== "string" || v.name === "") throw bad(`versions[${i}].name`, "is required");
    try {
      const u = new URL(v.url);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
    } catch {
      throw bad(`versions[${i}].url`, `must be an http(s) URL (got ${JSON.stringify(v.url)})`);
    }
  });
  let durationMs: number | undefined;
  if (inputs.time !== undefined) {
    durationMs = parseGoDuration(inputs.time);
    if (durationMs === undefined || durationMs <= 0) throw bad("time", `must be a positive Go duration such as 30s or 1m (got ${JSON.stringify(inputs.time)})`);
  }
  if (inputs.numQueries !== undefined && !(Number.isInteger(inputs.numQueries) && inputs.numQueries > 0)) {
    throw bad("numQueries", `must be a positive integer (got ${JSON.stringify(inputs.numQueries)})`);
  }
  const qps = inputs.qps ?? COLLECT_DEFAULTS.qps;
  if (typeof qps !== "number" || !Number.isFinite(qps)) throw bad("qps", "must be a number");
  const connections = inputs.connections ?? COLLECT_DEFAULTS.connections;
  if (!Number.isInteger(connections) || connections < 1) throw bad("connections", `must be a positive integer (got ${JSON.stringify(connections)})`);
  if (inputs.payloadStr !== undefined && inputs.payloadURL !== undefined) throw bad("payloadStr", "and payloadURL cannot both be set");
  return {
    numQueries: inputs.numQueries ?? (durationMs === undefined ? COLLECT_DEFAULTS.numQueries : undefined),
    durationMs,
    qps,
    connections,
    loadOnly: inputs.loadOnly ?? COLLECT_DEFAULTS.loadOnly,
    ignoreInitialErrors: inputs.ignoreInitialErrors ?? false,
    versions: inputs.versions,
  };
}

/** Options of {@link collectBuiltinMetrics}. */
export interface CollectOptions {
  /** Downloads `payloadURL` (default: `fetch` with the given timeout). */
  download?: (url: string, timeoutMs: number) => Promise<Uint8Array>;
  /** Load all versions at once instead of one after the other (Iter8 loads them in turn). */
  parallel?: boolean;
  signal?: AbortSignal;
}

/** What {@link collectBuiltinMetrics} observed. */
export interface CollectResult {
  /** Per version, in the shape stored in `aggregatedBuiltinHists.data` (empty when `loadOnly`). */
  histograms: BuiltinHistograms;
  /** Per version, the full run results (achieved QPS, warm-up errors, ...). */
  runs: Record<string, LoadResult>;
}

async function defaultDownload(url: string, timeoutMs: number): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * The builtin load generator behind the `metrics/collect` task: sends HTTP/1.1 load to each
 * version in process (no fortio binary) and returns per-version latency histograms and response
 * codes in fortio's shape, ready to merge into `status.analysis.aggregatedBuiltinHists` with
 * {@link aggregateBuiltinHistograms}.
 * @throws CollectError for invalid inputs or an unavailable payload; failing requests never throw.
 */
export async function collectBuiltinMetrics(inputs: CollectInputs, options: CollectOptions = {}): Promise<CollectResult> {
  const resolved = resolveCollectInputs(inputs);
  let payload: Uint8Array | string | undefined = inputs.payloadStr;
  if (inputs.payloadURL !== undefined) {
    try {
      payload = await (options.download ?? defaultDownload)(inputs.payloadURL, 10_000);
    } catch (cause) {
      throw new CollectError(
        CollectErrorCode.PayloadUnavailable,
        `metrics/collect could not download payloadURL ${inputs.payloadURL}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
  }
  const runOne = (v: CollectVersion) =>
    generateLoad({
      url: v.url,
      headers: v.headers,
      payload,
      contentType: inputs.contentType,
      qps: resolved.qps,
      connections: resolved.connections,
      numQueries: resolved.numQueries,
      durationMs: resolved.durationMs,
      ignoreInitialErrors: resolved.ignoreInitialErrors,
      signal: options.signal,
    });
  const runs: Record<string, LoadResult> = {};
  if (options.parallel) {
    const results = await Promise.all(resolved.versions.map(runOne));
    resolved.versions.forEach((v, i) => (runs[v.name] = results[i]!));
  } else {
    for (const v of resolved.versions) runs[v.name] = await runOne(v);
  }
  const histograms: BuiltinHistograms = {};
  if (!resolved.loadOnly) {
    for (const [name, run] of Object.entries(runs)) {
      histograms[name] = { DurationHistogram: run.DurationHistogram, RetCodes: run.RetCodes } satisfies BuiltinHistogram;
    }
  }
  return { histograms, runs };
}

/**
 * Adds a run's histograms to those already in `status.analysis.aggregatedBuiltinHists.data`
 * (free JSON): counts and sums add, maxima take the larger, bucket lists combine and response
 * codes add per code. Versions only in one side are kept as they are. Malformed previous entries
 * are replaced by the new run and reported in `problems`.
 */
export function aggregateBuiltinHistograms(previous: unknown, fresh: BuiltinHistograms): { histograms: BuiltinHistograms; problems: string[] } {
  const { histograms: old, problems } = readBuiltinHistograms(previous);
  const out: BuiltinHistograms = { ...old };
  for (const [version, histogram] of Object.entries(fresh)) {
    const before = out[version];
    out[version] = before ? mergeHistograms(before, histogram) : histogram;
  }
  return { histograms: out, problems };
}
