import type { CommandIo } from "../command-io";
import {
  ExperimentLoadError,
  waitForConditions,
  type AssertCondition,
  type ExperimentSource,
} from "@iter8ts/report";
import { formatDuration } from "./parse-duration";
import { reportLoadError, reportWarnings } from "../report-issues";
import { escapeControls } from "../terminal-text";

/** Pause between reads while `--timeout` waits. */
export const ASSERT_POLL_INTERVAL_MS = 1000;

/** Options of {@link runAssert}. */
export interface AssertRunOptions {
  /** 0 checks once. */
  timeoutMs: number;
  pollIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Asserts conditions on an experiment. Success prints `All conditions satisfied.`; otherwise the
 * first failing condition's line goes to stdout (the line scripts match on) and every failing
 * condition, with the status that fails it, goes to stderr.
 * @returns the exit code: 0 when every condition holds, else 1.
 */
export async function runAssert(
  source: ExperimentSource,
  conditions: readonly AssertCondition[],
  options: AssertRunOptions,
  io: CommandIo,
): Promise<number> {
  if (options.timeoutMs > 0 && !source.rereadable) {
    io.err(`Error: --timeout re-reads the experiment, but ${escapeControls(source.label)} can be read only once; pass a file with -f\n`);
    return 1;
  }
  let outcome;
  try {
    outcome = await waitForConditions(source, conditions, {
      timeoutMs: options.timeoutMs,
      pollIntervalMs: options.pollIntervalMs ?? ASSERT_POLL_INTERVAL_MS,
      ...(options.now ? { now: options.now } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  } catch (error) {
    if (!(error instanceof ExperimentLoadError)) throw error;
    reportLoadError(io, error);
    return 1;
  }
  reportWarnings(io, source, outcome.warnings);
  if (outcome.satisfied) {
    io.out("All conditions satisfied.\n");
    return 0;
  }
  const failed = outcome.results.filter((r) => !r.satisfied);
  if (failed[0]) io.out(`${failed[0].message}\n`);
  if (outcome.timedOut) {
    io.err(`Timed out after ${formatDuration(options.timeoutMs)} waiting for ${conditions.join(", ")} on ${escapeControls(source.label)}\n`);
  } else if (outcome.settled) {
    io.err(`The experiment has completed, so its status will not change further\n`);
  }
  // A detail quotes names and messages from the experiment.
  for (const r of failed) io.err(`condition "${r.condition}" failed: ${escapeControls(r.detail)}\n`);
  if (outcome.lastError) reportLoadError(io, outcome.lastError);
  return 1;
}
