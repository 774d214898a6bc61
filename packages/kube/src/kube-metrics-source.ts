import type { ExperimentKey, MetricsSource } from "@iter8ts/engine";
import { MetricError, MetricErrorCode, queryMetrics, type MetricWarning, type QueryMetricsOptions } from "@iter8ts/metrics";
import { experimentNamespace, parseMetricRef, versionNames, type Experiment, type MetricInfo } from "@iter8ts/types";
import type { KubeClients } from "./create-kube-clients";
import type { KubeError } from "./kube-error";
import { KubeSecretCache, type KubeSecretCacheOptions } from "./kube-secret-cache";

/** Values by metric key and version, as analytics reads them. */
type MetricValues = Awaited<ReturnType<MetricsSource["query"]>>;

/** What one round of queries found, for logs and metrics of the runtime. */
export interface MetricsQueryReport {
  experiment: ExperimentKey;
  /** One per (metric, version) without a value. */
  errors: MetricError[];
  warnings: MetricWarning[];
  /** Secrets named by metrics that do not exist or may not be read. */
  secretProblems: KubeError[];
}

/** Settings of {@link KubeMetricsSource}. */
export interface KubeMetricsSourceOptions extends Pick<QueryMetricsOptions, "registry" | "http" | "concurrency" | "sleep"> {
  /** The Secret cache, or its settings (default: 10 s). */
  secrets?: KubeSecretCache | KubeSecretCacheOptions;
  /** Receives what every round of queries found. */
  onQueried?: (report: MetricsQueryReport) => void;
}

/**
 * Where a metric's `spec.secret` lives: `namespace/name` as written, and an unqualified `name`
 * in the Metric's own namespace. (Iter8 looked unqualified names up in the namespace of its
 * analytics service, so a Metric's author could not create the Secret next to the Metric.)
 */
export function metricSecretRef(info: MetricInfo, experimentNs: string): { namespace: string; name: string } | undefined {
  const secret = info.metricObj.spec.secret?.trim();
  if (!secret) return undefined;
  return parseMetricRef(secret, metricNamespace(info, experimentNs));
}

function metricNamespace(info: MetricInfo, experimentNs: string): string {
  return info.metricObj.metadata?.namespace || parseMetricRef(info.name, experimentNs).namespace;
}

/**
 * Why a metric's `spec.secret` may not be read: it names a Secret of another namespace. A Secret
 * is read only in the namespace of the Metric naming it, and no grant changes that: otherwise
 * anyone who may create a Metric could send another team's credentials to a URL of their choice.
 * Undefined when the Secret is the Metric's own (or there is none).
 */
export function refusedMetricSecret(info: MetricInfo, experimentNs: string): string | undefined {
  const ref = metricSecretRef(info, experimentNs);
  const metricNs = metricNamespace(info, experimentNs);
  if (!ref || ref.namespace === metricNs) return undefined;
  const metric = `${metricNs}/${info.metricObj.metadata?.name || parseMetricRef(info.name, experimentNs).name}`;
  return (
    `Metric ${metric} names Secret ${ref.namespace}/${ref.name} in spec.secret, but a Metric may only use Secrets of its own namespace (${metricNs}); ` +
    `create the Secret in namespace ${metricNs} and name it there (see docs/security-model.md)`
  );
}

/**
 * The engine's metrics port for the cluster: queries every metric of `status.metrics` for every
 * version with `queryMetrics` of @iter8ts/metrics, with the Secrets the metrics name read from
 * the API (see {@link metricSecretRef} for the namespace rule) and cached briefly. A metric whose
 * `spec.secret` names another namespace's Secret gets an error value for every version instead
 * (see {@link refusedMetricSecret}).
 *
 * A backend that fails gives error values, never a throw. It throws (and the engine retries the
 * iteration) only when the API server cannot be reached to read a Secret.
 */
export class KubeMetricsSource implements MetricsSource {
  readonly #secrets: KubeSecretCache;
  readonly #options: KubeMetricsSourceOptions;

  constructor(clients: KubeClients, options: KubeMetricsSourceOptions = {}) {
    this.#secrets = options.secrets instanceof KubeSecretCache ? options.secrets : new KubeSecretCache(clients, options.secrets);
    this.#options = options;
  }

  async query(experiment: Experiment, context: { now: Date; signal?: AbortSignal }): Promise<MetricValues> {
    const namespace = experimentNamespace(experiment);
    const refs: Array<{ namespace: string; name: string }> = [];
    const refused: MetricError[] = [];
    // Qualify every secret reference, so queryMetrics finds it where this adapter read it; a
    // metric naming another namespace's Secret is not queried, and that Secret never read.
    const metrics = (experiment.status?.metrics ?? []).flatMap((info) => {
      const refusal = refusedMetricSecret(info, namespace);
      if (refusal !== undefined) {
        const metric = parseMetricRef(info.name, namespace);
        for (const version of versionNames(experiment)) {
          refused.push(new MetricError({ code: MetricErrorCode.InvalidMetric, metric: `${metric.namespace}/${metric.name}`, version, message: refusal }));
        }
        return [];
      }
      const ref = metricSecretRef(info, namespace);
      if (!ref) return [info];
      refs.push(ref);
      return [{ ...info, metricObj: { ...info.metricObj, spec: { ...info.metricObj.spec, secret: `${ref.namespace}/${ref.name}` } } }];
    });
    const { store, problems } = await this.#secrets.load(refs);
    const options: QueryMetricsOptions = { now: () => context.now };
    if (this.#options.registry) options.registry = this.#options.registry;
    if (this.#options.http) options.http = this.#options.http;
    if (this.#options.concurrency !== undefined) options.concurrency = this.#options.concurrency;
    if (this.#options.sleep) options.sleep = this.#options.sleep;
    // The reconcile's deadline cancels the requests still in flight.
    if (context.signal) options.signal = context.signal;
    const result = await queryMetrics(experiment, metrics, store, options);
    for (const error of refused) (result.values[error.metric] ??= {})[error.version] = { value: null, error: error.message };
    this.#options.onQueried?.({
      experiment: { namespace, name: experiment.metadata.name ?? "" },
      errors: [...refused, ...result.errors],
      warnings: result.warnings,
      secretProblems: problems,
    });
    return result.values;
  }
}
