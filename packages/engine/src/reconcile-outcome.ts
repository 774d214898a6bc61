import type { Stage } from "@iter8ts/types";
import type { EngineError } from "./engine-error";
import type { ExperimentKey } from "./ports";

/** What a reconcile did. */
export const ReconcileOutcome = {
  NotFound: "NotFound",
  Completed: "Completed",
  /** The experiment moved on; reconcile again after `requeueAfterMs` (often 0). */
  Progressed: "Progressed",
  /** The target is held by another experiment. */
  Waiting: "Waiting",
  ActionRunning: "ActionRunning",
  /** The next iteration is not due yet. */
  NotDue: "NotDue",
  /** A step failed and will be tried again. */
  Retrying: "Retrying",
  /** The store failed or kept conflicting; nothing was changed. */
  StoreError: "StoreError",
  /**
   * The reconcile's signal was aborted (its deadline passed) before it finished: nothing was
   * written, so the step (an iteration, say) is done again on the next reconcile, not lost.
   */
  Aborted: "Aborted",
} as const;
export type ReconcileOutcome = (typeof ReconcileOutcome)[keyof typeof ReconcileOutcome];

/** The result of one reconcile. */
export interface ReconcileResult {
  key: ExperimentKey;
  outcome: ReconcileOutcome;
  /** The stage after this reconcile. */
  stage?: Stage;
  /** When to reconcile again; absent when the experiment needs no more work. */
  requeueAfterMs?: number;
  /** Other experiments to reconcile now (the next in line for a target that became free). */
  wake: ExperimentKey[];
  /** For `StoreError` and `Aborted`: what failed. */
  error?: EngineError;
}

/** What one step did: the reconcile's outcome and when to come back. */
export interface StepOutcome {
  outcome: ReconcileOutcome;
  requeueAfterMs?: number;
}

/** The experiment moved on; come back after `requeueAfterMs` (at once by default). */
export function progressed(requeueAfterMs = 0): StepOutcome {
  return { outcome: ReconcileOutcome.Progressed, requeueAfterMs };
}
