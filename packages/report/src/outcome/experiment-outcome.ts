import { readEngineStatus } from "@iter8ts/engine";
import { conditionOf, ConclusionOutcome, isConditionTrue, type Condition, type ExperimentStatus } from "@iter8ts/types";

/** How an experiment stands, in one word. */
export const ExperimentOutcome = {
  NotStarted: "NotStarted",
  InProgress: "InProgress",
  Completed: "Completed",
  RolledBack: "RolledBack",
  Failed: "Failed",
} as const;
/** One of the values of {@link ExperimentOutcome}. */
export type ExperimentOutcome = (typeof ExperimentOutcome)[keyof typeof ExperimentOutcome];

/** An experiment's outcome and the sentence that explains it. */
export interface ExperimentOutcomeReading {
  outcome: ExperimentOutcome;
  /** The outcome in words, from the conditions or `status.conclusion`. */
  text: string;
}

const said = (c: Condition | undefined) => [c?.reason, c?.message].filter((s) => s).join(": ");

/**
 * What happened to an experiment, from its status alone:
 * - `Failed` when the Failed condition is True;
 * - otherwise how `status.conclusion` says it ends (the engine decides it before the finish,
 *   rollback or failure action runs, so an experiment still finishing already has it);
 * - a status from the original Iter8 controller has no conclusion: once Completed is True, the
 *   last decision or the completion message tells a rollback from a completion;
 * - `NotStarted` without a stage, else `InProgress`.
 */
export function experimentOutcome(status: ExperimentStatus | undefined): ExperimentOutcomeReading {
  const completed = conditionOf(status, "Completed");
  const done = isConditionTrue(status, "Completed");
  if (isConditionTrue(status, "Failed")) {
    const why = said(conditionOf(status, "Failed")) || "no reason recorded";
    return { outcome: ExperimentOutcome.Failed, text: done ? `Failed (${why}); ${completed?.message || "ended"}` : `Failed (${why})` };
  }
  const conclusion = status?.conclusion;
  if (conclusion) {
    const outcome = conclusion.outcome === ConclusionOutcome.RolledBack ? ExperimentOutcome.RolledBack : conclusion.outcome === ConclusionOutcome.Failed ? ExperimentOutcome.Failed : ExperimentOutcome.Completed;
    return { outcome, text: conclusion.reason };
  }
  if (done) {
    const last = readEngineStatus(status).decisions?.at(-1);
    if (last?.outcome === "RolledBack" || completed?.message === "Experiment rolled back") {
      return { outcome: ExperimentOutcome.RolledBack, text: `Rolled back: ${completed?.message || "an objective marked rollback_on_failure was not met"}` };
    }
    return { outcome: ExperimentOutcome.Completed, text: `Completed: ${completed?.message || "the experiment ended"}` };
  }
  const stage = status?.stage;
  if (stage === undefined) return { outcome: ExperimentOutcome.NotStarted, text: "Not started: the experiment has no status yet" };
  return { outcome: ExperimentOutcome.InProgress, text: `In progress: stage ${stage}${status?.message ? ` (${status.message})` : ""}` };
}
