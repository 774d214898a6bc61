// Shared by the fuzz test files: one corpus of 10,000 documents (seed FUZZ_SEED), split into
// four slices of 2,500 so that test workers check them side by side.
import { expect } from "vitest";
import { runFuzz, type FuzzCase, type FuzzSummary } from "../src/index";

/** The corpus every fuzz test file draws from. */
export const FUZZ_SEED = "iter8ts-fuzz-1";
/** Cases in the whole corpus: indices 0 … 9,999, even ones Experiments, odd ones Metrics. */
export const FUZZ_CASES = 10_000;

/** Which half of the index range a test file takes, and of which kind. */
export function slice(kind: FuzzCase["kind"], half: 0 | 1): { seed: string; kinds: FuzzCase["kind"][]; start: number; count: number } {
  return { seed: FUZZ_SEED, kinds: [kind], start: half * (FUZZ_CASES / 2), count: FUZZ_CASES / 2 };
}

/** Fails with the first violations, each with what it takes to rebuild its document. */
export function expectNoViolations(summary: FuzzSummary): void {
  const shown = summary.violations.slice(0, 15).map((v) => `${v.id} [${v.phase}] ${v.violation}\n    from ${v.base}: ${v.changes.join("; ")}`);
  expect(shown, `${summary.violations.length} violations; rebuild one with fuzzCase(loadFuzzBases(), seed, index)`).toEqual([]);
}

/** A line for the test output: what the slice held and how it ended. */
export function describeSummary(summary: FuzzSummary): string {
  const endings = Object.entries(summary.endings)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  return (
    `${summary.cases} cases: ${summary.accepted} accepted, ${summary.schemaOnly} schema-valid but rejected by the rules, ${summary.rejected} rejected; ` +
    `${summary.engineRuns} engine runs (${endings}); most reconciles used ${(summary.maxBudgetShare * 100).toFixed(0)}% of the budget; ` +
    `parse ${summary.parseMs.toFixed(0)} ms, engine ${summary.engineMs.toFixed(0)} ms`
  );
}

/**
 * Runs one slice and checks its contracts: parse functions never throw and name a field path in
 * every rejection; every schema-valid document runs to the end in the engine, within its
 * reconcile budget, and a failure names what is at fault. Also checks that the slice reaches
 * every outcome, or it would no longer test what it claims to.
 */
export async function checkSlice(kind: FuzzCase["kind"], half: 0 | 1): Promise<FuzzSummaryOf> {
  const summary = await runFuzz(slice(kind, half));
  console.log(describeSummary(summary));
  expectNoViolations(summary);
  expect(summary.cases).toBe(FUZZ_CASES / 4);
  expect(summary.rejected).toBeGreaterThan(summary.cases / 4);
  expect(summary.engineRuns).toBeGreaterThan(summary.cases / 6);
  const reached = ["ExperimentCompleted: Experiment Completed", "Failed: MetricUnavailable"];
  if (kind === "Experiment") reached.push("Failed: InvalidExperiment", "Failed: HandlerFailed");
  for (const ending of reached) expect(summary.endings[ending], ending).toBeGreaterThan(0);
  return summary;
}

/** What {@link checkSlice} checked, for the test to state its own expectations on. */
type FuzzSummaryOf = Awaited<ReturnType<typeof runFuzz>>;
