import { Command, Option } from "commander";
import { analyze } from "@iter8ts/analytics";
import { queryMetrics, secretStore, type QueryMetricsOptions, type SecretData } from "@iter8ts/metrics";
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
  type ValidationIssue,
} from "@iter8ts/types";
import { processIo, type CommandIo } from "../command-io";
import { ExperimentLoadError, ExperimentLoadErrorCode, type LoadedExperiment } from "@iter8ts/report";
import { parseExperimentText } from "../experiment-source";
import { reportIssues, reportLoadError } from "../report-issues";
import { jsonForTerminal, yamlForTerminal } from "../terminal-text";

/** Output formats of `analyze`. */
export const AnalyzeFormat = { Json: "json", Yaml: "yaml" } as const;
export type AnalyzeFormat = (typeof AnalyzeFormat)[keyof typeof AnalyzeFormat];

/** What `analyze` was asked to do. */
export interface AnalyzeRequest {
  /** The experiment file, or `-` for standard input. */
  file: string;
  /** A file of Metric documents to use instead of (or besides) `status.metrics`. */
  metrics?: string;
  /** A file of Secret documents the metrics name in `spec.secret`. */
  secrets?: string;
  output: AnalyzeFormat;
}

/** What `analyze` takes from its environment besides files and streams (tests inject these). */
export interface AnalyzeDeps {
  /** The time of the analysis (default: now). */
  now?: () => Date;
  /** Passed to queryMetrics: HTTP client, providers, retry pauses. */
  query?: Omit<QueryMetricsOptions, "now">;
}

const BUILTIN_NAMESPACE = "iter8-system";
const LEGACY_SAMPLE_SIZE = /^status\.metrics\[(\d+)\]\.metricObj\.spec\.sampleSize$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Issues `analyze` can repair: analysis never reads `spec.target` (Iter8's analytics service did
 * not require it), and `sampleSize` written as a reference object `{name, namespace}` (the form
 * Iter8's analytics tests and early documents used) means the same as `namespace/name`.
 */
function repairable(issue: ValidationIssue): boolean {
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

/** Loads the experiment, repairing what analysis does not need to be strict about. */
function loadExperiment(text: string, label: string): LoadedExperiment {
  try {
    return parseExperimentText(text, label);
  } catch (error) {
    if (!(error instanceof ExperimentLoadError) || error.code !== ExperimentLoadErrorCode.InvalidExperiment || error.issues.length === 0) throw error;
    const remaining = error.issues.filter((i) => !repairable(i));
    if (remaining.length > 0) throw new ExperimentLoadError(error.code, error.source, error.message, remaining);
    const docs = readDocuments(text);
    const doc = docs.ok ? docs.value[0] : undefined;
    const target = isRecord(doc) && doc.kind === "List" && Array.isArray(doc.items) ? doc.items[0] : doc;
    repair(target);
    return parseExperimentText(JSON.stringify(target), label);
  }
}

type Loaded<T> = { ok: true; value: T } | { ok: false };

async function readFile(io: CommandIo, path: string, flag: string): Promise<string | undefined> {
  try {
    return await io.read(path);
  } catch (error) {
    io.err(`Error: cannot read ${path} given to ${flag}: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

/** Reads Metric documents, keyed `namespace/name` (unqualified ones go to the experiment's namespace). */
async function loadMetrics(io: CommandIo, path: string, namespace: string): Promise<Loaded<Map<string, Metric>>> {
  const text = await readFile(io, path, "--metrics");
  if (text === undefined) return { ok: false };
  const out = new Map<string, Metric>();
  const issues: ValidationIssue[] = [];
  for (const doc of parseDocuments(text)) {
    const where = `(document ${doc.index + 1}${doc.item === undefined ? "" : `, item ${doc.item + 1}`})`;
    if (doc.type === "metric" && doc.result.ok) {
      const m = doc.result.value;
      out.set(`${m.metadata?.namespace || namespace}/${m.metadata?.name ?? ""}`, m);
    } else if (doc.type === "metric" || doc.type === "invalid") {
      if (!doc.result.ok) for (const e of doc.result.errors) issues.push({ ...e, path: `${doc.name ?? where}: ${e.path}` });
    } else {
      io.err(`Warning: ${path} ${where}: a ${doc.kind ?? "document"} is not a Metric; ignored\n`);
    }
  }
  if (issues.length) {
    reportIssues(io, `Error: ${path} (--metrics) has invalid Metric documents:`, issues);
    return { ok: false };
  }
  return { ok: true, value: out };
}

/** Reads Secret documents into decoded data keyed `namespace/name`. */
async function loadSecrets(io: CommandIo, path: string, namespace: string): Promise<Loaded<Record<string, SecretData>>> {
  const text = await readFile(io, path, "--secrets");
  if (text === undefined) return { ok: false };
  const out: Record<string, SecretData> = {};
  const issues: ValidationIssue[] = [];
  for (const doc of parseDocuments(text)) {
    const where = `(document ${doc.index + 1}${doc.item === undefined ? "" : `, item ${doc.item + 1}`})`;
    if (doc.type === "secret" && doc.result.ok) {
      const s = doc.result.value;
      out[`${s.metadata.namespace || namespace}/${s.metadata.name ?? ""}`] = secretValues(s);
    } else if (doc.type === "secret" || doc.type === "invalid") {
      // Paths only: a Secret's values must not reach the terminal.
      if (!doc.result.ok) for (const e of doc.result.errors) issues.push({ ...e, path: `${doc.name ?? where}: ${e.path}` });
    } else {
      io.err(`Warning: ${path} ${where}: a ${doc.kind ?? "document"} is not a Secret; ignored\n`);
    }
  }
  if (issues.length) {
    reportIssues(io, `Error: ${path} (--secrets) has invalid Secret documents:`, issues);
    return { ok: false };
  }
  return { ok: true, value: out };
}

/**
 * Puts the metrics the criteria reference (and the counters they name as `sampleSize`) into
 * `status.metrics`, as the controller does before the first iteration: definitions from
 * `--metrics` win over those already embedded. Returns the references nothing defines.
 */
function embedMetrics(experiment: Experiment, fromFile: Map<string, Metric> | undefined): Array<{ ref: string; path: string }> {
  const namespace = experimentNamespace(experiment);
  const embedded = new Map<string, MetricInfo>();
  for (const info of experiment.status?.metrics ?? []) embedded.set(normalizeMetricRef(info.name, namespace), info);
  const missing: Array<{ ref: string; path: string }> = [];
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

/**
 * Analyses an experiment now: queries every metric for every version, runs the analytics and
 * prints the resulting `status.analysis`. Metric failures are warnings (the analysis says what
 * they left unavailable); invalid input is an error.
 * @returns the exit code: 0, or 1 when an input cannot be read or is invalid.
 */
export async function runAnalyze(request: AnalyzeRequest, io: CommandIo, deps: AnalyzeDeps = {}): Promise<number> {
  const label = request.file === "-" ? "standard input" : request.file;
  let loaded: LoadedExperiment;
  try {
    const text = await readFile(io, request.file, "-f");
    if (text === undefined) return 1;
    loaded = loadExperiment(text, label);
  } catch (error) {
    if (!(error instanceof ExperimentLoadError)) throw error;
    reportLoadError(io, error);
    return 1;
  }
  if (loaded.warnings.length) reportIssues(io, `Warning: ${label} has fields that were ignored:`, loaded.warnings);
  const experiment = loaded.experiment;
  const namespace = experimentNamespace(experiment);

  let fromFile: Map<string, Metric> | undefined;
  if (request.metrics !== undefined) {
    const m = await loadMetrics(io, request.metrics, namespace);
    if (!m.ok) return 1;
    fromFile = m.value;
  }
  let secrets: Record<string, SecretData> = {};
  if (request.secrets !== undefined) {
    const s = await loadSecrets(io, request.secrets, namespace);
    if (!s.ok) return 1;
    secrets = s.value;
  }
  for (const { ref, path } of embedMetrics(experiment, fromFile)) {
    io.err(`Warning: ${path}: metric ${ref} has no definition (not in status.metrics${request.metrics ? ` nor in ${request.metrics}` : "; pass --metrics FILE"}); its values are unavailable\n`);
  }

  const now = (deps.now ?? (() => new Date()))();
  const queried = await queryMetrics(experiment, experiment.status?.metrics ?? [], secretStore(secrets), { ...deps.query, now: () => now });
  for (const w of queried.warnings) io.err(`Warning: metric ${w.metric}: ${w.message}\n`);
  for (const e of queried.errors) io.err(`Warning: ${e.message}\n`);

  const result = analyze(experiment, queried.values, { now, provenance: "iter8ctl analyze" });
  const hists = experiment.status?.analysis?.aggregatedBuiltinHists;
  const analysis = hists ? { aggregatedBuiltinHists: hists, ...result } : result;
  io.out(request.output === AnalyzeFormat.Json ? `${jsonForTerminal(analysis)}\n` : yamlForTerminal(analysis));
  return 0;
}

/** `iter8ctl analyze -f FILE|- [--metrics FILE] [--secrets FILE] [-o json|yaml]`. */
export function analyzeCommand(io: CommandIo = processIo, deps: AnalyzeDeps = {}): Command {
  return new Command("analyze")
    .description("Query an experiment's metrics for every version now and print the resulting status.analysis")
    .option("-f, --file <path>", "experiment YAML or JSON file, or - to read standard input")
    .option("--metrics <path>", "Metric documents the criteria refer to (default: the metrics embedded in status.metrics)")
    .option("--secrets <path>", "Secret documents the metrics name in spec.secret")
    .addOption(new Option("-o, --output <format>", "output format").choices(Object.values(AnalyzeFormat)).default(AnalyzeFormat.Yaml))
    .action(async (opts: { file?: string; metrics?: string; secrets?: string; output: AnalyzeFormat }) => {
      if (opts.file === undefined || opts.file === "") {
        io.err("Error: analyze needs an experiment: pass -f FILE, or -f - to read standard input\n");
        io.setExitCode(1);
        return;
      }
      io.setExitCode(await runAnalyze({ file: opts.file, metrics: opts.metrics, secrets: opts.secrets, output: opts.output }, io, deps));
    });
}
