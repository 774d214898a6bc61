/**
 * Running an action: launching it (recorded in `status.actions` before the runner is asked, so
 * a restart never starts it twice), polling it, and what its end means for the experiment. What
 * each handler does lives in {@link HANDLERS}, one entry per `HandlerType`: a new handler does
 * not compile until it says whether it ends the experiment and what its success leads to.
 */
import { actionRunId, handlerName } from "../action-ids";
import { errorMessage } from "../engine-error";
import { ActionState, RetryStep, type ActionRecord } from "../engine-status";
import type { ActionRequest, ActionRunState } from "../ports";
import { HandlerType, Message, Reason, type ActionName } from "../reasons";
import { ReconcileOutcome, progressed, type StepOutcome } from "../reconcile-outcome";
import { RecordKind } from "../record-condition";
import { current, record, setStage, type Turn } from "../turn";
import { end, fail } from "./finish";
import { observeWeights } from "./observe-weights";
import { clearRetry, retryOrGiveUp } from "./retry";

/** What a handler type means for the experiment. */
interface HandlerBehaviour {
  /** Whether the experiment is finishing while it runs (the stage becomes Finishing). */
  ends: boolean;
  /** What follows once the action succeeded. */
  succeeded(turn: Turn, r: ActionRecord): Promise<StepOutcome> | StepOutcome;
}

const HANDLERS = {
  [HandlerType.Start]: { ends: false, succeeded: () => progressed() },
  // A loop action may have moved traffic itself (a promotion, a helm upgrade).
  [HandlerType.Loop]: { ends: false, succeeded: (turn) => observeWeights(turn) },
  [HandlerType.Finish]: { ends: true, succeeded: (turn) => end(turn, Message.completedAfterFinish) },
  [HandlerType.Rollback]: { ends: true, succeeded: (turn) => end(turn, Message.completedAfterFinish) },
  [HandlerType.Failure]: { ends: true, succeeded: (turn, r) => end(turn, r.completionMessage ?? Message.failed) },
} satisfies Record<HandlerType, HandlerBehaviour>;

function requestFor(turn: Turn, r: ActionRecord): ActionRequest {
  const request: ActionRequest = {
    runId: r.runId,
    handlerName: handlerName(turn.key, r.action, r.loop),
    experiment: turn.key,
    action: r.action,
    handler: r.handler,
    tasks: turn.spec.spec.strategy.actions?.[r.action] ?? [],
  };
  if (r.loop !== undefined) request.loop = r.loop;
  return request;
}

/** Marks the action failed now, with why. */
function markFailed(turn: Turn, r: ActionRecord, message?: string): void {
  r.state = ActionState.Failed;
  r.endTime = turn.time;
  if (message !== undefined) r.message = message;
}

/** Decides an action (recording it as Pending) and asks the runner to start it. */
export async function launch(
  turn: Turn,
  action: ActionName,
  handler: HandlerType,
  options: { loop?: number; completionMessage?: string } = {},
): Promise<StepOutcome> {
  const runToken = turn.status.runId ?? turn.settings.newRunToken();
  turn.status.runId = runToken;
  const r: ActionRecord = {
    action,
    handler,
    runId: actionRunId(runToken, action, options.loop),
    state: ActionState.Pending,
    attempts: 0,
  };
  if (options.loop !== undefined) r.loop = options.loop;
  if (options.completionMessage !== undefined) r.completionMessage = options.completionMessage;
  turn.status.actions = [...(turn.status.actions ?? []), r];
  if (HANDLERS[handler].ends) setStage(turn, "Finishing");
  return startAction(turn, r);
}

/** Asks the runner to start a decided action; a refusal is retried, then fails the action. */
export async function startAction(turn: Turn, r: ActionRecord): Promise<StepOutcome> {
  r.attempts += 1;
  try {
    await turn.ports.actions.start(requestFor(turn, r), current(turn));
  } catch (error) {
    r.message = `could not be started: ${errorMessage(error)}`;
    r.state = ActionState.Pending;
    return retryOrGiveUp(turn, RetryStep.ActionLaunch, error, () => {
      markFailed(turn, r);
      return actionFailed(turn, r, { started: false });
    });
  }
  delete turn.status.retry;
  r.state = ActionState.Running;
  r.launchTime = turn.time;
  record(turn, RecordKind.Progress, Reason.HandlerLaunched, Message.handlerLaunched(r.handler, r.action));
  return { outcome: ReconcileOutcome.ActionRunning, requeueAfterMs: turn.settings.actionPollMs };
}

/** Asks the runner how a running action is doing, and acts on its answer. */
export async function pollAction(turn: Turn, r: ActionRecord): Promise<StepOutcome> {
  let state: ActionRunState;
  try {
    state = await turn.ports.actions.state(requestFor(turn, r));
  } catch (error) {
    return retryOrGiveUp(turn, RetryStep.ActionState, error, () => {
      markFailed(turn, r, `its state could not be read: ${errorMessage(error)}`);
      return actionFailed(turn, r, { started: true });
    });
  }
  clearRetry(turn, RetryStep.ActionState);
  switch (state.state) {
    case "Running":
      return stillRunning(turn, r);
    case "Unknown":
      return lost(turn, r);
    case "Failed":
      markFailed(turn, r, state.message);
      return actionFailed(turn, r, { started: true });
    case "Succeeded":
      r.state = ActionState.Succeeded;
      r.endTime = turn.time;
      delete r.message;
      return HANDLERS[r.handler].succeeded(turn, r);
  }
}

/** A running action: poll again later, unless it ran out of time. */
function stillRunning(turn: Turn, r: ActionRecord): Promise<StepOutcome> | StepOutcome {
  const { actionTimeoutMs, actionPollMs } = turn.settings;
  const started = r.launchTime ? Date.parse(r.launchTime) : Number.NaN;
  if (!Number.isNaN(started) && turn.now.getTime() - started > actionTimeoutMs) {
    markFailed(turn, r, `did not finish within ${Math.round(actionTimeoutMs / 1000)} s`);
    return actionFailed(turn, r, { started: true });
  }
  return { outcome: ReconcileOutcome.ActionRunning, requeueAfterMs: actionPollMs };
}

/** The runner has no record of a started action: start it again, a bounded number of times. */
function lost(turn: Turn, r: ActionRecord): Promise<StepOutcome> {
  const restarts = r.restarts ?? 0;
  if (restarts < turn.settings.maxActionRestarts) {
    r.restarts = restarts + 1;
    r.message = "the runner has no record of it; started again";
    return startAction(turn, r);
  }
  markFailed(turn, r, `the runner lost it ${restarts + 1} times`);
  return actionFailed(turn, r, { started: true });
}

/** A failed action fails the experiment, except the failure action, which only ends it. */
async function actionFailed(turn: Turn, r: ActionRecord, { started }: { started: boolean }): Promise<StepOutcome> {
  if (r.handler === HandlerType.Failure) {
    // The Failed condition already names the original cause; keep it and say how cleanup went.
    return end(turn, started ? Message.actionsFailed(HandlerType.Failure) : Message.launchFailed);
  }
  const completion = started ? Message.actionsFailed(r.handler) : Message.launchFailed;
  return fail(turn, { reason: Reason.HandlerFailed, message: Message.actionsFailed(r.handler), completion });
}
