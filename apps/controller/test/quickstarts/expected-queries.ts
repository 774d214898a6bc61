/**
 * The queries a quickstart's Metrics should send for each version, worked out independently of
 * the metrics package: the template of the Metric's query parameter with `$name`, `$namespace`
 * and the version's variables filled in, and `$elapsedTime` any whole number of seconds.
 */
import { BackendProvider, type ExpectedQuery } from "./metrics-backend";

/** What a metric reports for each version: a rate per elapsed second (counters) or a level. */
export interface MetricLevel {
  baseline: number;
  candidate: number;
  /** The value is this many per second of the query's window (a counter's increase). */
  perSecond?: boolean;
}

/** The parts of an Experiment the queries depend on. */
export interface ExperimentDocument {
  metadata: { name: string; namespace?: string };
  spec: { versionInfo: { baseline: VersionDocument; candidates: VersionDocument[] } };
}
interface VersionDocument {
  name: string;
  variables?: Array<{ name: string; value: string }>;
}

/** The parts of a Metric the queries depend on. */
export interface MetricDocument {
  metadata: { name: string; namespace?: string };
  spec: { provider?: string; params?: Array<{ name: string; value: string }>; headerTemplates?: Array<{ name: string; value: string }>; secret?: string };
}

const QUERY_PARAM: Record<BackendProvider, string> = { [BackendProvider.Prometheus]: "query", [BackendProvider.NewRelic]: "nrql" };
const PLACEHOLDER = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const ELAPSED = "elapsedTime";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A pattern matching `template` with its placeholders filled from `values`; `$elapsedTime` may
 * be any whole number, captured by the first group.
 * @throws Error when the template names a placeholder `values` has no value for.
 */
export function templatePattern(template: string, values: Readonly<Record<string, string>>, where: string): RegExp {
  let source = "";
  let last = 0;
  let elapsedSeen = false;
  for (const found of template.matchAll(PLACEHOLDER)) {
    source += escapeRegExp(template.slice(last, found.index));
    last = found.index + found[0].length;
    const name = found[1] ?? found[2];
    if (name === undefined) source += "\\$";
    else if (name === ELAPSED) {
      source += elapsedSeen ? "\\d+" : "(\\d+)";
      elapsedSeen = true;
    } else {
      const value = values[name];
      if (value === undefined) throw new Error(`${where} uses $${name}, which has no value (known: ${Object.keys(values).join(", ")}, ${ELAPSED})`);
      source += escapeRegExp(value);
    }
  }
  return new RegExp(`^${source}${escapeRegExp(template.slice(last))}$`);
}

/**
 * Every query the Metrics should send for every version of the experiment, answered with the
 * metric's level for that version (by Metric name; a Metric without a level is left out, so a
 * query for it goes unanswered).
 */
export function expectedQueries(experiment: ExperimentDocument, metrics: readonly MetricDocument[], levels: Readonly<Record<string, MetricLevel>>): ExpectedQuery[] {
  const namespace = experiment.metadata.namespace ?? "default";
  const { baseline, candidates } = experiment.spec.versionInfo;
  const out: ExpectedQuery[] = [];
  for (const metric of metrics) {
    const provider = Object.values(BackendProvider).find((p) => p === metric.spec.provider);
    const level = levels[metric.metadata.name];
    if (!provider || !level) continue;
    const key = `${metric.metadata.namespace ?? namespace}/${metric.metadata.name}`;
    const param = metric.spec.params?.find((p) => p.name === QUERY_PARAM[provider]);
    if (!param) throw new Error(`metric ${key} has no ${QUERY_PARAM[provider]} parameter`);
    // Without a secret, header values are sent as written.
    const headers = metric.spec.secret ? undefined : Object.fromEntries((metric.spec.headerTemplates ?? []).map((h) => [h.name.toLowerCase(), h.value]));
    for (const version of [baseline, ...candidates]) {
      const values = { namespace, name: version.name, ...Object.fromEntries((version.variables ?? []).map((v) => [v.name, v.value])) };
      const size = version === baseline ? level.baseline : level.candidate;
      out.push({
        provider,
        metric: key,
        version: version.name,
        pattern: templatePattern(param.value, values, `metric ${key} (spec.params ${param.name}) for version ${version.name}`),
        value: (elapsed) => (level.perSecond ? size * elapsed : size),
        ...(headers ? { headers } : {}),
      });
    }
  }
  return out;
}
