/**
 * The pure half of a reconcile: from the spec (with defaults), the status and the time, which
 * one thing should happen next. No I/O; the engine performs the step and writes the status.
 */
import { isConditionTrue, type Experiment } from "@iter8ts/types";
import { ActionState, RetryStep, type ActionRecord, type EngineStatus } from "./engine-status";
import { invalidTasks, invalidVersionInfo, type ExperimentProblem } from "./experiment-checks";
import { ITERATION_TOLERANCE_MS, iterationPlan, nextIterationAt } from "./iteration-timing";
import { criteriaMetricKeys } from "./metric-refs";
import { ActionName } from "./reasons";

/** The next step of an experiment. */
export type Step =
  | { kind: "Initialize" }
  /** Completed: nothing left to do. */
  | { kind: "Done" }
  /** A failed step is waiting for its next attempt. */
  | { kind: "WaitForRetry"; afterMs: number }
  /** An action is running; ask the runner how it is doing. */
  | { kind: "PollAction"; record: ActionRecord }
  /** An action was decided but the runner has not accepted it yet. */
  | { kind: "LaunchAction"; record: ActionRecord }
  | { kind: "FailInvalidTasks"; problem: ExperimentProblem }
  | { kind: "AcquireTarget" }
  | { kind: "AdvanceToInitializing" }
  | { kind: "LaunchStart" }
  | { kind: "LoadMetrics"; refs: string[] }
  | { kind: "AdvanceToRunning" }
  | { kind: "FailInvalidVersionInfo"; problem: ExperimentProblem }
  | { kind: "ObserveWeights" }
  | { kind: "WaitForIteration"; afterMs: number }
  | { kind: "Iterate"; iteration: number }
  | { kind: "Finish" };

/** The record of an action for this run, if any. */
export function findAction(status: EngineStatus, action: ActionName, loop?: number): ActionRecord | undefined {
  return status.actions?.find((r) => r.action === action && r.loop === loop);
}

/**
 * A runtime's own check of the actions' tasks (unknown task names, bad `with` inputs, malformed
 * `if` conditions), so that such an experiment fails before it starts instead of at its finish.
 */
export type ActionValidator = (experiment: Experiment) => ExperimentProblem | null | undefined;

/**
 * Decides the next step. `experiment` must have its defaults applied; `status` is the engine's
 * reading of the stored status.
 */
export function nextStep(experiment: Experiment, status: EngineStatus, now: Date, validateActions?: ActionValidator): Step {
  if (!status.initTime) return { kind: "Initialize" };
  if (isConditionTrue(status, "Completed")) return { kind: "Done" };
  const nowMs = now.getTime();

  if (status.retry) {
    const at = Date.parse(status.retry.nextAttemptTime);
    if (!Number.isNaN(at) && at > nowMs) return { kind: "WaitForRetry", afterMs: at - nowMs };
  }

  const running = status.actions?.find((r) => r.state === ActionState.Running);
  if (running) return { kind: "PollAction", record: running };
  const pending = status.actions?.find((r) => r.state === ActionState.Pending);
  if (pending) return { kind: "LaunchAction", record: pending };

  const taskProblem = invalidTasks(experiment) ?? validateActions?.(experiment) ?? undefined;
  if (taskProblem) return { kind: "FailInvalidTasks", problem: taskProblem };

  if (!isConditionTrue(status, "TargetAcquired")) return { kind: "AcquireTarget" };

  const stage = status.stage ?? "Waiting";
  if (stage === "Waiting") return { kind: "AdvanceToInitializing" };

  if (stage === "Initializing") {
    if (experiment.spec.strategy.actions?.[ActionName.Start] && !findAction(status, ActionName.Start)) {
      return { kind: "LaunchStart" };
    }
    const refs = criteriaMetricKeys(experiment);
    if (refs.length > 0 && (status.metrics ?? []).length === 0) return { kind: "LoadMetrics", refs };
    return { kind: "AdvanceToRunning" };
  }

  if (stage === "Running") {
    const versionProblem = invalidVersionInfo(experiment);
    if (versionProblem) return { kind: "FailInvalidVersionInfo", problem: versionProblem };
    if (status.retry?.step === RetryStep.ObserveWeights) return { kind: "ObserveWeights" };
    const plan = iterationPlan(experiment);
    const completed = status.completedIterations ?? 0;
    if (completed >= plan.totalIterations) return { kind: "Finish" };
    const dueAt = status.retry?.step === RetryStep.Iteration ? nowMs : nextIterationAt(plan, status);
    if (dueAt - ITERATION_TOLERANCE_MS > nowMs) return { kind: "WaitForIteration", afterMs: dueAt - nowMs };
    return { kind: "Iterate", iteration: completed + 1 };
  }

  // Finishing (or a Completed stage without the Completed condition, e.g. a hand-edited
  // status): no action is running or pending, so what remains is ending the experiment.
  return { kind: "Finish" };
}
