/** The end of an experiment: how it concludes, failing it, and finishing it. */
import { ConclusionOutcome, isConditionTrue } from "@iter8ts/types";
import { explainCompletion, explainFailure, explainPromotion } from "../decision-record";
import { ActionState } from "../engine-status";
import { findAction } from "../next-step";
import { ActionName, HandlerType, Message, Reason } from "../reasons";
import { ReconcileOutcome, type StepOutcome } from "../reconcile-outcome";
import { RecordKind } from "../record-condition";
import { recommend, record, setStage, type Turn } from "../turn";
import { versionToPromote } from "../version-recommended";
import { launch } from "./run-action";

/**
 * Decides how the experiment ends and which version its end actions promote, before any of
 * them runs: they read both from the status. Only a completion promotes the latest winner; a
 * rollback or a failure promotes the baseline.
 */
export function conclude(turn: Turn, outcome: ConclusionOutcome, why: string): void {
  const version = versionToPromote(turn.spec, turn.status.analysis, outcome);
  recommend(turn.status, version);
  turn.status.conclusion = { outcome, reason: `${why} ${explainPromotion(turn.spec, outcome, version)}` };
}

/** Completes the experiment with `message`; the next experiment in line for the target is woken. */
export function end(turn: Turn, message: string): StepOutcome {
  setStage(turn, "Completed");
  record(turn, RecordKind.Completed, Reason.ExperimentCompleted, message);
  delete turn.status.retry;
  turn.ended = true;
  return { outcome: ReconcileOutcome.Completed };
}

/** How an experiment fails. */
export interface FailOptions {
  /** The Failed condition's reason (one of `FAILURE_REASONS`). */
  reason: string;
  /** The Failed condition's message. */
  message: string;
  /** The Completed condition's message once the experiment ends. Default `Experiment failed`. */
  completion?: string;
  /**
   * Whether the `failure` action may run first. Default true; false for experiments whose
   * actions are themselves invalid (running one of them to clean up would fail the same way).
   */
  runFailureAction?: boolean;
}

/**
 * Records the failure and ends the experiment, running the `failure` action first when there
 * is one, it may run, and the experiment got as far as holding its target.
 */
export async function fail(turn: Turn, options: FailOptions): Promise<StepOutcome> {
  const { reason, message, completion = Message.failed, runFailureAction = true } = options;
  record(turn, RecordKind.Failed, reason, message);
  conclude(turn, ConclusionOutcome.Failed, explainFailure(reason, message));
  const failureTasks = turn.spec.spec.strategy.actions?.[ActionName.Failure];
  const held = isConditionTrue(turn.status, "TargetAcquired");
  if (runFailureAction && failureTasks && held && !findAction(turn.status, ActionName.Failure)) {
    return launch(turn, ActionName.Failure, HandlerType.Failure, { completionMessage: completion });
  }
  return end(turn, completion);
}

/**
 * The last step: ends an experiment whose failure action or finish action is over, or concludes
 * it as completed and runs its finish action.
 */
export async function finish(turn: Turn): Promise<StepOutcome> {
  const s = turn.status;
  const failure = findAction(s, ActionName.Failure);
  if (failure) return end(turn, failure.completionMessage ?? Message.failed);
  if (isConditionTrue(s, "Failed")) return end(turn, Message.failed);
  const finishRecord = findAction(s, ActionName.Finish);
  if (finishRecord) return end(turn, finishRecord.state === ActionState.Succeeded ? Message.completedAfterFinish : Message.actionsFailed(finishRecord.handler));
  if (!s.conclusion) conclude(turn, ConclusionOutcome.Completed, explainCompletion(s.completedIterations ?? 0, s.analysis));
  if (turn.spec.spec.strategy.actions?.[ActionName.Finish]) return launch(turn, ActionName.Finish, HandlerType.Finish);
  return end(turn, Message.completedSuccessfully);
}
