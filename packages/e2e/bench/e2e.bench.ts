/**
 * How long the end-to-end checks take on this machine: the whole 10,000-document fuzz corpus in
 * one process (parse checks and engine runs timed apart), and one quickstart end to end.
 * Run with `pnpm -F @iter8ts/e2e bench`.
 */
import { afterAll, bench, describe } from "vitest";
import { loadFuzzBases, QuickstartOutcome, runFuzz, runQuickstart, type FuzzSummary } from "../src/index";

const SEED = "iter8ts-fuzz-1";
const CASES = 10_000;
const bases = loadFuzzBases();
let fuzz: { summary: FuzzSummary; ms: number } | undefined;
const quickstartMs: number[] = [];

describe("e2e", () => {
  bench(
    `fuzz: ${CASES.toLocaleString("en-US")} documents, parse checks and engine runs`,
    async () => {
      const started = performance.now();
      const summary = await runFuzz({ seed: SEED, count: CASES }, bases);
      fuzz = { summary, ms: performance.now() - started };
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );

  bench(
    "quickstart knative, candidate wins (10 iterations, finish action in a real shell)",
    async () => {
      const started = performance.now();
      await runQuickstart("knative", QuickstartOutcome.CandidateWins);
      quickstartMs.push(performance.now() - started);
    },
    { iterations: 5, warmupIterations: 1, time: 0 },
  );
});

afterAll(() => {
  if (fuzz) {
    const { summary, ms } = fuzz;
    const rate = (n: number, t: number) => Math.round((n / t) * 1000).toLocaleString("en-US");
    console.log(
      `fuzz: ${summary.cases.toLocaleString("en-US")} documents in ${(ms / 1000).toFixed(1)} s ` +
        `(parse checks ${(summary.parseMs / 1000).toFixed(1)} s = ${rate(summary.cases, summary.parseMs)} documents/s; ` +
        `${summary.engineRuns} engine runs ${(summary.engineMs / 1000).toFixed(1)} s = ${(summary.engineMs / summary.engineRuns).toFixed(1)} ms each; ` +
        `generation and the rest ${((ms - summary.parseMs - summary.engineMs) / 1000).toFixed(1)} s), ${summary.violations.length} violations`,
    );
  }
  if (quickstartMs.length) {
    const sorted = [...quickstartMs].sort((a, b) => a - b);
    console.log(`quickstart: median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms per run (${sorted.length} runs)`);
  }
});
