import { isConditionTrue, type ValidationIssue } from "@iter8ts/types";
import { ExperimentLoadError, type ExperimentSource } from "./experiment-source";
import { evaluateConditions, type AssertCondition, type ConditionResult } from "./conditions";

/** How long to wait and how to tell time (tests pass a simulated clock). */
export interface WaitOptions {
  /** 0 checks once; more re-reads the experiment until the conditions hold or time is up. */
  timeoutMs: number;
  /** Pause between reads. */
  pollIntervalMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The result of checking conditions, once or until a deadline. */
export interface AssertOutcome {
  satisfied: boolean;
  /** Verdicts from the last successful read; empty when the experiment was never read. */
  results: ConditionResult[];
  /** The deadline passed before the conditions held. */
  timedOut: boolean;
  /** The experiment completed with a condition failing, so waiting longer could not help. */
  settled: boolean;
  /** The last read failure while waiting (a file being rewritten, or not there yet). */
  lastError: ExperimentLoadError | null;
  /** Warnings from the last successful read. */
  warnings: ValidationIssue[];
  /** Reads made. */
  reads: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Checks conditions against an experiment, re-reading it until they all hold, the experiment has
 * completed (its status no longer changes), or the timeout passes. While waiting, a read that
 * fails is retried: a writer may be replacing the file, or a run may not have created it yet.
 * @throws ExperimentLoadError when checking once (no timeout) and the experiment cannot be read.
 */
export async function waitForConditions(
  source: ExperimentSource,
  conditions: readonly AssertCondition[],
  options: WaitOptions,
): Promise<AssertOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const waiting = options.timeoutMs > 0;
  const deadline = now() + options.timeoutMs;
  let results: ConditionResult[] = [];
  let warnings: ValidationIssue[] = [];
  let lastError: ExperimentLoadError | null = null;
  let reads = 0;

  for (;;) {
    reads += 1;
    try {
      const loaded = await source.load();
      lastError = null;
      warnings = loaded.warnings;
      results = evaluateConditions(loaded.experiment, conditions);
      const done = isConditionTrue(loaded.experiment.status, "Completed");
      const satisfied = results.every((r) => r.satisfied);
      if (satisfied || !waiting || done) {
        return { satisfied, results, timedOut: false, settled: !satisfied && waiting, lastError, warnings, reads };
      }
    } catch (error) {
      if (!waiting || !(error instanceof ExperimentLoadError)) throw error;
      lastError = error;
    }
    const left = deadline - now();
    if (left <= 0) return { satisfied: false, results, timedOut: true, settled: false, lastError, warnings, reads };
    await sleep(Math.min(options.pollIntervalMs, left));
  }
}
