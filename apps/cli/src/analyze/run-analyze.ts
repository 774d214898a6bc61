import type { SecretData } from "@iter8ts/metrics";
import { analyzeDocuments, readMetricDocuments, readSecretDocuments, repairableForAnalysis, repairForAnalysis, type DocumentsRead } from "@iter8ts/local";
import { experimentNamespace, type Metric } from "@iter8ts/types";
import { ExperimentLoadError, ExperimentLoadErrorCode, type LoadedExperiment } from "@iter8ts/report";
import type { CommandIo } from "../command-io";
import { AnalyzeFormat, type AnalyzeDeps, type AnalyzeRequest } from "../commands/analyze";
import { parseExperimentText } from "../experiment-source";
import { registryWithProviders } from "../provider-modules";
import { reportIssues, reportLoadError } from "../report-issues";
import { jsonForTerminal, yamlForTerminal } from "../terminal-text";

/** Loads the experiment, repairing what analysis does not need to be strict about. */
function loadExperiment(text: string, label: string): LoadedExperiment {
  try {
    return parseExperimentText(text, label);
  } catch (error) {
    if (!(error instanceof ExperimentLoadError) || error.code !== ExperimentLoadErrorCode.InvalidExperiment || error.issues.length === 0) throw error;
    const remaining = error.issues.filter((i) => !repairableForAnalysis(i));
    if (remaining.length > 0) throw new ExperimentLoadError(error.code, error.source, error.message, remaining);
    return parseExperimentText(repairForAnalysis(text), label);
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

/**
 * Reads a file of Metric or Secret documents (`flag` names it in messages): warns about documents
 * of another kind, reports invalid ones by path.
 */
async function loadDocuments<T>(io: CommandIo, path: string, flag: string, kind: string, read: (text: string) => DocumentsRead<T>): Promise<Loaded<T>> {
  const text = await readFile(io, path, flag);
  if (text === undefined) return { ok: false };
  const { value, issues, ignored } = read(text);
  for (const { where, kind: other } of ignored) io.err(`Warning: ${path} ${where}: a ${other} is not a ${kind}; ignored\n`);
  if (issues.length) {
    reportIssues(io, `Error: ${path} (${flag}) has invalid ${kind} documents:`, issues);
    return { ok: false };
  }
  return { ok: true, value };
}

/**
 * Analyses an experiment now: queries every metric for every version, runs the analytics and
 * prints the resulting `status.analysis`. Metric failures are warnings (the analysis says what
 * they left unavailable); invalid input is an error.
 * @returns the exit code: 0, or 1 when an input cannot be read or is invalid.
 */
export async function runAnalyze(request: AnalyzeRequest, io: CommandIo, deps: AnalyzeDeps = {}): Promise<number> {
  const label = request.file === "-" ? "standard input" : request.file;
  const providers = await registryWithProviders(request.provider, io, deps.cwd ?? process.cwd());
  if (!providers.ok) return 1;
  const query = providers.registry ? { ...deps.query, registry: providers.registry } : deps.query;
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
    const m = await loadDocuments(io, request.metrics, "--metrics", "Metric", (text) => readMetricDocuments(text, namespace));
    if (!m.ok) return 1;
    fromFile = m.value;
  }
  let secrets: Record<string, SecretData> = {};
  if (request.secrets !== undefined) {
    const s = await loadDocuments(io, request.secrets, "--secrets", "Secret", (text) => readSecretDocuments(text, namespace));
    if (!s.ok) return 1;
    secrets = s.value;
  }
  const now = (deps.now ?? (() => new Date()))();
  const result = await analyzeDocuments(experiment, { ...(fromFile ? { metrics: fromFile } : {}), secrets, now, ...(query ? { query } : {}), provenance: "iter8ctl analyze" });
  for (const { ref, path } of result.missing) {
    io.err(`Warning: ${path}: metric ${ref} has no definition (not in status.metrics${request.metrics ? ` nor in ${request.metrics}` : "; pass --metrics FILE"}); its values are unavailable\n`);
  }
  for (const w of result.warnings) io.err(`Warning: metric ${w.metric}: ${w.message}\n`);
  for (const e of result.errors) io.err(`Warning: ${e.message}\n`);
  io.out(request.output === AnalyzeFormat.Json ? `${jsonForTerminal(result.analysis)}\n` : yamlForTerminal(result.analysis));
  return 0;
}
