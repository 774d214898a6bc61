import { analyze, type AnalysisResult } from "@iter8ts/analytics";
import { queryMetrics, secretStore, type MetricError, type MetricWarning, type QueryMetricsOptions, type SecretData } from "@iter8ts/metrics";
import {
  criteriaMetricRefs,
  experimentNamespace,
  normalizeMetricRef,
  parseDocuments,
  readDocuments,
  secretValues,
  type Experiment,
  type Metric,
  type MetricInfo,
  type Secret,
  type ValidationIssue,
} from "@iter8ts/types";

const BUILTIN_NAMESPACE = "iter8-system";
const LEGACY_SAMPLE_SIZE = /^status\.metrics\[(\d+)\]\.metricObj\.spec\.sampleSize$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Whether offline analysis can repair an issue of an experiment: analysis never reads
 * `spec.target` (Iter8's analytics service did not require it), and `sampleSize` written as a
 * reference object `{name, namespace}` (the form Iter8's analytics tests and early documents
 * used) means the same as `namespace/name`.
 */
export function repairableForAnalysis(issue: ValidationIssue): boolean {
  return (issue.path === "spec.target" && issue.code === "required") || LEGACY_SAMPLE_SIZE.test(issue.path);
}

function repair(doc: unknown): void {
  if (!isRecord(doc) || !isRecord(doc.spec)) return;
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  if (doc.spec.target === undefined) doc.spec.target = `${meta.namespace ?? "default"}/${meta.name ?? "experiment"}`;
  const metrics = isRecord(doc.status) && Array.isArray(doc.status.metrics) ? doc.status.metrics : [];
  for (const entry of metrics) {
    const spec = isRecord(entry) && isRecord(entry.metricObj) && isRecord(entry.metricObj.spec) ? entry.metricObj.spec : undefined;
    if (spec && isRecord(spec.sampleSize) && typeof spec.sampleSize.name === "string") {
      const ns = typeof spec.sampleSize.namespace === "string" && spec.sampleSize.namespace ? `${spec.sampleSize.namespace}/` : "";
      spec.sampleSize = `${ns}${spec.sampleSize.name}`;
    }
  }
}

/**
 * Repairs the issues {@link repairableForAnalysis} accepts in the text of one experiment (the
 * first document; the first item of a List) and returns the repaired experiment as JSON text.
 */
export function repairForAnalysis(text: string): string {
  const docs = readDocuments(text);
  const doc = docs.ok ? docs.value[0] : undefined;
  const target = isRecord(doc) && doc.kind === "List" && Array.isArray(doc.items) ? doc.items[0] : doc;
  repair(target);
  return JSON.stringify(target);
}

/** Documents of one kind read from a file: what they define, what is invalid, what was ignored. */
export interface DocumentsRead<T> {
  value: T;
  /** Problems of invalid documents, each path prefixed with the document's name or position; never a Secret's values. */
  issues: ValidationIssue[];
  /** Documents of another kind, in order: where they are (`(document N[, item M])`) and their kind. */
  ignored: Array<{ where: string; kind: string }>;
}

interface Typed {
  metric: Metric;
  secret: Secret;
}

function readTyped<K extends keyof Typed>(text: string, type: K, add: (value: Typed[K]) => void): Omit<DocumentsRead<unknown>, "value"> {
  const issues: ValidationIssue[] = [];
  const ignored: Array<{ where: string; kind: string }> = [];
  for (const doc of parseDocuments(text)) {
    const where = `(document ${doc.index + 1}${doc.item === undefined ? "" : `, item ${doc.item + 1}`})`;
    if (doc.type === type && doc.result.ok) {
      add(doc.result.value as Typed[K]);
    } else if (doc.type === type || doc.type === "invalid") {
      // Paths only: a Secret's values must not reach the terminal.
      if (!doc.result.ok) for (const e of doc.result.errors) issues.push({ ...e, path: `${doc.name ?? where}: ${e.path}` });
    } else {
      ignored.push({ where, kind: doc.kind ?? "document" });
    }
  }
  return { issues, ignored };
}

/** Reads Metric documents, keyed `namespace/name` (unqualified ones go to `namespace`, the experiment's). */
export function readMetricDocuments(text: string, namespace: string): DocumentsRead<Map<string, Metric>> {
  const value = new Map<string, Metric>();
  const read = readTyped(text, "metric", (m) => value.set(`${m.metadata?.namespace || namespace}/${m.metadata?.name ?? ""}`, m));
  return { value, ...read };
}

/** Reads Secret documents into decoded data keyed `namespace/name`. */
export function readSecretDocuments(text: string, namespace: string): DocumentsRead<Record<string, SecretData>> {
  const value: Record<string, SecretData> = {};
  const read = readTyped(text, "secret", (s) => {
    value[`${s.metadata.namespace || namespace}/${s.metadata.name ?? ""}`] = secretValues(s);
  });
  return { value, ...read };
}

/** A criteria metric reference nothing defines: the reference and the field that holds it. */
export interface MissingMetric {
  ref: string;
  path: string;
}

/**
 * Puts the metrics the criteria reference (and the counters they name as `sampleSize`) into
 * `status.metrics`, as the controller does before the first iteration: definitions from
 * `fromFile` win over those already embedded. Returns the references nothing defines.
 */
export function embedMetrics(experiment: Experiment, fromFile: Map<string, Metric> | undefined): MissingMetric[] {
  const namespace = experimentNamespace(experiment);
  const embedded = new Map<string, MetricInfo>();
  for (const info of experiment.status?.metrics ?? []) embedded.set(normalizeMetricRef(info.name, namespace), info);
  const missing: MissingMetric[] = [];
  const pending = criteriaMetricRefs(experiment.spec.criteria).map((r) => ({ ref: r.metric, path: r.field, key: normalizeMetricRef(r.metric, namespace) }));
  const seen = new Set<string>();
  while (pending.length) {
    const { ref, path, key } = pending.shift()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const metric = fromFile?.get(key);
    if (metric) embedded.set(key, { name: key, metricObj: metric });
    const defined = embedded.get(key)?.metricObj;
    if (!defined) {
      // Builtin metrics come from the load generator's histograms, not from a definition.
      if (!key.startsWith(`${BUILTIN_NAMESPACE}/`)) missing.push({ ref, path });
      continue;
    }
    const sampleSize = defined.spec.sampleSize;
    if (sampleSize) {
      const metricNs = key.slice(0, key.indexOf("/"));
      pending.push({ ref: sampleSize, path: `${key} spec.sampleSize`, key: normalizeMetricRef(sampleSize, metricNs) });
    }
  }
  experiment.status = { ...experiment.status, metrics: [...embedded.values()] };
  return missing;
}

/** What {@link analyzeDocuments} needs besides the experiment. */
export interface AnalyzeDocumentsOptions {
  /** Metric definitions that win over those embedded in `status.metrics` (see {@link readMetricDocuments}). */
  metrics?: Map<string, Metric>;
  /** Secret data keyed `namespace/name` (see {@link readSecretDocuments}). */
  secrets?: Record<string, SecretData>;
  /** The time of the analysis. */
  now: Date;
  /** Passed to queryMetrics: HTTP client, providers, retry pauses. */
  query?: Omit<QueryMetricsOptions, "now">;
  /** Recorded in the analysis. */
  provenance: string;
}

/** The analysis of an experiment now, and what limited it. */
export interface AnalyzeDocumentsResult {
  /** The `status.analysis` to print, with the experiment's recorded builtin histograms kept. */
  analysis: AnalysisResult & { aggregatedBuiltinHists?: unknown };
  /** Criteria metric references nothing defines (their values are unavailable). */
  missing: MissingMetric[];
  /** Per-metric query warnings. */
  warnings: MetricWarning[];
  /** Query errors (each leaves values unavailable). */
  errors: MetricError[];
}

/**
 * Analyses an experiment offline, as `iter8ctl analyze` does: embeds the metrics the criteria
 * reference (from `options.metrics`, else `status.metrics`; the experiment's status is updated),
 * queries every metric for every version now, and runs the analytics.
 */
export async function analyzeDocuments(experiment: Experiment, options: AnalyzeDocumentsOptions): Promise<AnalyzeDocumentsResult> {
  const missing = embedMetrics(experiment, options.metrics);
  const now = options.now;
  const queried = await queryMetrics(experiment, experiment.status?.metrics ?? [], secretStore(options.secrets ?? {}), { ...options.query, now: () => now });
  const result = analyze(experiment, queried.values, { now, provenance: options.provenance });
  const hists = experiment.status?.analysis?.aggregatedBuiltinHists;
  const analysis = hists ? { aggregatedBuiltinHists: hists, ...result } : result;
  return { analysis, missing, warnings: queried.warnings, errors: queried.errors };
}
