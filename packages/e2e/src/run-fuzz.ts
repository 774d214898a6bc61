import type { Experiment, Metric } from "@iter8ts/types";
import { checkParseContract } from "./check-parse-contract";
import { checkTaskContract } from "./check-task-contract";
import { fuzzCorpus, loadFuzzBases, type FuzzBases, type FuzzCase } from "./fuzz-corpus";
import { loadSample, type QuickstartStack, type SampleDocuments } from "./load-sample";
import { routeWeights } from "./route-weights";
import { runFuzzedExperiment } from "./run-fuzzed-experiment";

/** One breach of a contract, with what it takes to reproduce it. */
export interface FuzzViolation {
  /** `<seed>#<index>`: `fuzzCase(bases, seed, index)` rebuilds the document. */
  id: string;
  kind: FuzzCase["kind"];
  base: string;
  changes: string[];
  /** `parse` or `engine`. */
  phase: "parse" | "engine";
  violation: string;
}

/** What a fuzz run found. */
export interface FuzzSummary {
  seed: string;
  cases: number;
  /** Accepted by the full parse (schema and rules). */
  accepted: number;
  /** Accepted by the schema but rejected by the rules (these still run in the engine). */
  schemaOnly: number;
  rejected: number;
  /** Experiments run to the end by the engine. */
  engineRuns: number;
  /** How engine runs ended: the Failed reason, or the completion message. */
  endings: Record<string, number>;
  /** The most reconciles a run took, as a share of its budget. */
  maxBudgetShare: number;
  violations: FuzzViolation[];
  /** Wall time of the parse checks and of the engine runs, in milliseconds. */
  parseMs: number;
  engineMs: number;
}

/** Options of {@link runFuzz}. */
export interface RunFuzzOptions {
  seed: string;
  count: number;
  /** Index of the first case (to split one corpus over several workers). */
  start?: number;
  /** Only the cases of these kinds among `start` … `start + count - 1` (both kinds by default). */
  kinds?: readonly FuzzCase["kind"][];
}

function metricsFor(sample: SampleDocuments, fuzz: FuzzCase, replacement: Metric | undefined): Metric[] {
  if (!replacement) return sample.metrics;
  const original = fuzz.base.slice(fuzz.base.indexOf(":") + 1);
  return [...sample.metrics.filter((m) => m.metadata?.name !== original), replacement];
}

/**
 * Generates `count` fuzz cases of the corpus `seed` and checks each: the parse contract for every
 * document (`checkParseContract`) and the tasks' validation of every schema-valid Experiment
 * (`checkTaskContract`), then, for every document the schema accepts, a run to the end in the
 * engine (`runFuzzedExperiment`) — a fuzzed Experiment with its quickstart's Metrics and
 * objects, a fuzzed Metric in place of its original next to the quickstart's Experiment — on
 * routing objects carrying the case's weights, if it has any (which must fail the run when they
 * cannot be a split).
 */
export async function runFuzz(options: RunFuzzOptions, bases: FuzzBases = loadFuzzBases()): Promise<FuzzSummary> {
  const samples = new Map<QuickstartStack, SampleDocuments>();
  const sampleOf = (stack: QuickstartStack) => {
    let sample = samples.get(stack);
    if (!sample) samples.set(stack, (sample = loadSample(stack)));
    return sample;
  };
  const summary: FuzzSummary = {
    seed: options.seed,
    cases: 0,
    accepted: 0,
    schemaOnly: 0,
    rejected: 0,
    engineRuns: 0,
    endings: {},
    maxBudgetShare: 0,
    violations: [],
    parseMs: 0,
    engineMs: 0,
  };
  const kinds = new Set(options.kinds ?? (["Experiment", "Metric"] as const));
  // Documents carry keys such as `__proto__`; no code along the way may let them reach a prototype.
  const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).join(",");
  const cleanPrototype = prototypeKeys();
  for (const fuzz of fuzzCorpus(bases, options.seed, options.count, options.start ?? 0, kinds)) {
    summary.cases++;
    const report = (phase: FuzzViolation["phase"], violation: string) =>
      summary.violations.push({ id: fuzz.id, kind: fuzz.kind, base: fuzz.base, changes: fuzz.changes, phase, violation });
    let started = performance.now();
    const verdict = checkParseContract(fuzz);
    if (fuzz.kind === "Experiment" && verdict.schemaValue) verdict.violations.push(...checkTaskContract(fuzz, verdict.schemaValue as Experiment));
    summary.parseMs += performance.now() - started;
    for (const v of verdict.violations) report("parse", v);
    if (prototypeKeys() !== cleanPrototype) report("parse", `Object.prototype changed: ${prototypeKeys()}`);
    if (verdict.accepted) summary.accepted++;
    else if (verdict.schemaValue) summary.schemaOnly++;
    else summary.rejected++;
    if (!verdict.schemaValue) continue;

    const sample = sampleOf(fuzz.stack);
    const experiment = fuzz.kind === "Experiment" ? (verdict.schemaValue as Experiment) : sample.experiment;
    const metrics = metricsFor(sample, fuzz, fuzz.kind === "Metric" ? (verdict.schemaValue as Metric) : undefined);
    // Routing objects whose weights cannot be a split must fail the experiment, never pass.
    const routed = fuzz.routing ? routeWeights(sample.objects, experiment, fuzz.routing) : undefined;
    started = performance.now();
    const outcome = await runFuzzedExperiment(experiment, metrics, routed?.objects ?? sample.objects, fuzz.id);
    summary.engineMs += performance.now() - started;
    if (routed?.cannotSplit && !outcome.failed) outcome.violations.push(`routing weights ${fuzz.routing?.join(", ")} cannot be a split of the traffic, yet the experiment ended with ${JSON.stringify(outcome.message)}`);
    summary.engineRuns++;
    const ending = outcome.failed ? `Failed: ${outcome.failed.reason}` : (outcome.message ?? "(no message)");
    summary.endings[ending] = (summary.endings[ending] ?? 0) + 1;
    summary.maxBudgetShare = Math.max(summary.maxBudgetShare, outcome.reconciles / outcome.budget);
    for (const v of outcome.violations) report("engine", v);
    if (prototypeKeys() !== cleanPrototype) report("engine", `Object.prototype changed: ${prototypeKeys()}`);
  }
  return summary;
}
