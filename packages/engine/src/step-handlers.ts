/**
 * The act half of a reconcile: which function performs each kind of {@link Step}. The table is
 * typed by `Step["kind"]`, so a new kind of step does not compile until it has a handler here.
 */
import type { Step } from "./next-step";
import { ActionName, HandlerType } from "./reasons";
import { ReconcileOutcome, type StepOutcome } from "./reconcile-outcome";
import { fail, finish } from "./steps/finish";
import { iterate } from "./steps/iterate";
import { observeWeights } from "./steps/observe-weights";
import { launch, pollAction, startAction } from "./steps/run-action";
import { advanceToRunning, initialize, loadMetrics } from "./steps/start";
import { acquireTarget, advanceToInitializing } from "./steps/wait-for-target";
import type { Turn } from "./turn";

/** Performs one kind of step. */
type StepHandler<K extends Step["kind"]> = (turn: Turn, step: Extract<Step, { kind: K }>) => Promise<StepOutcome> | StepOutcome;

const STEP_HANDLERS: { [K in Step["kind"]]: StepHandler<K> } = {
  Initialize: (turn) => initialize(turn),
  Done: () => ({ outcome: ReconcileOutcome.Completed }),
  WaitForRetry: (_turn, step) => ({ outcome: ReconcileOutcome.Retrying, requeueAfterMs: step.afterMs }),
  PollAction: (turn, step) => pollAction(turn, step.record),
  LaunchAction: (turn, step) => startAction(turn, step.record),
  // The actions themselves are invalid: running the failure action would fail the same way.
  FailInvalidTasks: (turn, { problem }) => fail(turn, { reason: problem.reason, message: problem.message, runFailureAction: false }),
  AcquireTarget: (turn) => acquireTarget(turn),
  AdvanceToInitializing: (turn) => advanceToInitializing(turn),
  LaunchStart: (turn) => launch(turn, ActionName.Start, HandlerType.Start),
  LoadMetrics: (turn, step) => loadMetrics(turn, step.refs),
  AdvanceToRunning: (turn) => advanceToRunning(turn),
  FailInvalidVersionInfo: (turn, { problem }) => fail(turn, { reason: problem.reason, message: problem.message }),
  ObserveWeights: (turn) => observeWeights(turn),
  WaitForIteration: (_turn, step) => ({ outcome: ReconcileOutcome.NotDue, requeueAfterMs: step.afterMs }),
  Iterate: (turn, step) => iterate(turn, step.iteration),
  Finish: (turn) => finish(turn),
};

/** Performs `step` on the turn's status through the ports. */
export async function perform(turn: Turn, step: Step): Promise<StepOutcome> {
  // The table pairs each kind with the handler of that kind; TypeScript cannot follow the
  // correlation through the union, hence the widening.
  const handler = STEP_HANDLERS[step.kind] as StepHandler<Step["kind"]>;
  return handler(turn, step);
}
