import type { MetricValue, MetricValues } from "@iter8ts/analytics";
import { experimentNamespace, normalizeMetricRef, type Experiment, type Metric, type MetricInfo } from "@iter8ts/types";
import { createDefaultRegistry } from "./default-registry";
import { nodeHttpClient, type HttpClient } from "./http-client";
import { MetricError, MetricErrorCode } from "./metric-error";
import type { ExperimentContext, MetricQueryV1, MetricResultV1, MetricVersion } from "./metric-provider";
import type { MetricProviderRegistry } from "./metric-provider-registry";
import { secretMaskOf } from "./metric-request";
import { lookupSecret, secretStore, type SecretStore } from "./secret-store";

/** A metric to query: a Metric resource, or an entry of `status.metrics` as the controller stores it. */
export type MetricSource = Metric | MetricInfo;

/** Something worth telling the user that did not stop a query. */
export interface MetricWarning {
  /** The metric's `namespace/name`. */
  metric: string;
  message: string;
}

/** Options of {@link queryMetrics}. */
export interface QueryMetricsOptions {
  /** Providers to use (default: {@link createDefaultRegistry}, shared between calls). */
  registry?: MetricProviderRegistry;
  /** HTTP client (default: Node's http/https with keep-alive, shared between calls). */
  http?: HttpClient;
  /** The clock: "now" for `$elapsedTime` (default: the system clock). */
  now?: () => Date;
  /** Pause used between retries (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Most queries in flight at once (default 64). */
  concurrency?: number;
  /** Cancels the queries still running. */
  signal?: AbortSignal;
}

/** What one iteration's queries found. */
export interface QueryMetricsResult {
  /** Values by metric key (`namespace/name`) and version, as analytics reads them. */
  values: MetricValues;
  /** One typed error per (metric, version) without a value. */
  errors: MetricError[];
  warnings: MetricWarning[];
}

let sharedRegistry: MetricProviderRegistry | undefined;
let sharedHttp: HttpClient | undefined;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isMetricInfo(source: MetricSource): source is MetricInfo {
  return "metricObj" in source && typeof (source as MetricInfo).name === "string";
}

/** The `namespace/name` key of a metric source, resolved against the experiment's namespace. */
export function metricKey(source: MetricSource, experimentNs: string): string {
  // `status.metrics` names are resolved exactly as analytics resolves them, so the keys meet.
  if (isMetricInfo(source)) return normalizeMetricRef(source.name, experimentNs);
  const name = source.metadata?.name;
  return `${source.metadata?.namespace || experimentNs}/${name ?? "(unnamed)"}`;
}

function versionsOf(experiment: Experiment): MetricVersion[] {
  const info = experiment.spec.versionInfo;
  if (!info) return [];
  return [info.baseline, ...(info.candidates ?? [])].map((v) => ({
    name: v.name,
    variables: Object.fromEntries((v.variables ?? []).map((x) => [x.name, x.value])),
  }));
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * A provider's answer as the analytics may use it. A loaded provider is third-party code: a value
 * that is not a finite number (a string, NaN), a negative or fractional sample size, or a failure
 * without a coded error becomes `provider_failed` naming the provider, instead of reaching status.
 */
function checkedResult(result: unknown, provider: string, key: string, version: string): MetricResultV1 {
  const r = result as { ok?: unknown; value?: unknown; sampleSize?: unknown; error?: { code?: unknown; message?: unknown } } | null | undefined;
  if (r?.ok === true && typeof r.value === "number" && Number.isFinite(r.value)) {
    if (r.sampleSize === undefined) return { ok: true, value: r.value };
    if (typeof r.sampleSize === "number" && Number.isSafeInteger(r.sampleSize) && r.sampleSize >= 0) return { ok: true, value: r.value, sampleSize: r.sampleSize };
  }
  if (r?.ok === false && typeof r.error?.message === "string" && typeof r.error.code === "string") return result as MetricResultV1;
  // What is wrong, not the answer itself: it may hold anything, secrets included.
  const why =
    typeof r !== "object" || r === null
      ? `${r === null ? "null" : typeof r}, not an object`
      : r.ok === true
        ? typeof r.value !== "number"
          ? `a value of type ${r.value === null ? "null" : typeof r.value}`
          : !Number.isFinite(r.value)
            ? `the value ${String(r.value)}`
            : `the sample size ${typeof r.sampleSize === "number" ? String(r.sampleSize) : `of type ${typeof r.sampleSize}`}`
        : r.ok === false
          ? "a failure without an error that has a code and a message"
          : "an object whose ok is neither true nor false";
  return {
    ok: false,
    error: new MetricError({
      code: MetricErrorCode.ProviderFailed,
      metric: key,
      version,
      message: `provider ${JSON.stringify(provider)} answered with ${why}; a provider returns { ok: true, value: <finite number>, sampleSize?: <whole number ≥ 0> } or { ok: false, error: <MetricError> }`,
    }),
  };
}

/**
 * Queries every metric for every version of an experiment, all at once (bounded by
 * `concurrency`), so an iteration takes about as long as its slowest query. Never throws for a
 * failing backend: each (metric, version) gets a value or a typed error, and errors are also
 * written into the value entries (`{ value: null, error }`) that analytics reads.
 *
 * Metric keys are `namespace/name`; an unqualified name resolves to the experiment's namespace.
 * A metric whose `spec.sampleSize` names another queried metric gets that metric's value for
 * the same version as its `sampleSize`.
 *
 * @param secrets Secrets metrics may name in `spec.secret` (a store, or a map keyed `namespace/name`).
 */
export async function queryMetrics(
  experiment: Experiment,
  metrics: readonly MetricSource[],
  secrets: SecretStore | Readonly<Record<string, Readonly<Record<string, string>>>> = {},
  options: QueryMetricsOptions = {},
): Promise<QueryMetricsResult> {
  const registry = options.registry ?? (sharedRegistry ??= createDefaultRegistry());
  const http = options.http ?? (sharedHttp ??= nodeHttpClient());
  const store: SecretStore = typeof (secrets as SecretStore).get === "function" ? (secrets as SecretStore) : secretStore(secrets as Record<string, Record<string, string>>);
  const namespace = experimentNamespace(experiment);
  const now = (options.now ?? (() => new Date()))();
  const startText = experiment.status?.startTime;
  const startMs = startText ? Date.parse(startText) : NaN;
  const context: ExperimentContext = {
    name: experiment.metadata.name ?? "",
    namespace,
    startTime: Number.isFinite(startMs) ? new Date(startMs) : undefined,
    now,
    // Whole seconds, at least 1, as Iter8 computes $elapsedTime (no start yet counts as 1).
    elapsedSeconds: Number.isFinite(startMs) ? Math.max(1, Math.floor((now.getTime() - startMs) / 1000)) : 1,
    builtinHistograms: experiment.status?.analysis?.aggregatedBuiltinHists?.data,
  };
  const versions = versionsOf(experiment);
  const warnings: MetricWarning[] = [];

  const unique: Array<{ key: string; metric: Metric }> = [];
  const seen = new Set<string>();
  for (const source of metrics) {
    const key = metricKey(source, namespace);
    if (seen.has(key)) {
      warnings.push({ metric: key, message: "the metric is listed more than once; only the first definition is queried" });
      continue;
    }
    seen.add(key);
    const metric = isMetricInfo(source) ? source.metricObj : source;
    unique.push({ key, metric });
    if (metric.spec.insecureSkipTLSVerify) {
      warnings.push({
        metric: key,
        message: "insecureSkipTLSVerify is set: the backend's TLS certificate is not verified, so its identity is not checked",
      });
    }
  }

  const tasks: Array<() => Promise<{ key: string; version: string; result: MetricResultV1 }>> = [];
  for (const { key, metric } of unique) {
    for (const version of versions) {
      tasks.push(async () => {
        const base = { key, version: version.name };
        const resolved = registry.resolve(metric.spec);
        if (!resolved.ok) {
          return { ...base, result: { ok: false, error: new MetricError({ code: MetricErrorCode.UnknownProvider, metric: key, version: version.name, message: resolved.reason }) } };
        }
        const query: MetricQueryV1 = {
          key,
          metric,
          version,
          experiment: context,
          secrets: store,
          http,
          sleep: options.sleep ?? realSleep,
          signal: options.signal,
        };
        try {
          return { ...base, result: checkedResult(await resolved.provider.query(query), resolved.provider.name, key, version.name) };
        } catch (error) {
          // A third-party provider broke its contract; its message may echo credentials.
          const secret = metric.spec.secret ? lookupSecret(store, metric.spec.secret, namespace).data : undefined;
          const text = secretMaskOf(secret).redact(error instanceof Error ? error.message : String(error));
          return {
            ...base,
            result: {
              ok: false,
              error: new MetricError({
                code: MetricErrorCode.ProviderFailed,
                metric: key,
                version: version.name,
                message: `provider ${JSON.stringify(resolved.provider.name)} failed: ${text}`,
              }),
            },
          };
        }
      });
    }
  }

  const answers = await pool(tasks, Math.max(1, options.concurrency ?? 64));
  const values: MetricValues = {};
  const errors: MetricError[] = [];
  for (const { key, version, result } of answers) {
    const entry: MetricValue = result.ok
      ? result.sampleSize === undefined
        ? { value: result.value }
        : { value: result.value, sampleSize: result.sampleSize }
      : { value: null, error: result.error.message };
    if (!result.ok) errors.push(result.error);
    (values[key] ??= {})[version] = entry;
  }

  for (const { key, metric } of unique) {
    const ref = metric.spec.sampleSize;
    if (!ref) continue;
    const counter = values[normalizeMetricRef(ref, key.slice(0, key.indexOf("/")))];
    if (!counter) continue;
    for (const [version, entry] of Object.entries(values[key] ?? {})) {
      const n = counter[version]?.value;
      if (entry.sampleSize === undefined && typeof entry.value === "number" && typeof n === "number" && n >= 0) {
        entry.sampleSize = Math.round(n);
      }
    }
  }

  return { values, errors, warnings };
}
