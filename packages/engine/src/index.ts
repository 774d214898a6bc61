export { createEngine } from "./engine";
export type { Engine, ReconcileOptions } from "./engine";
export type { EngineOptions, RetryPolicy, AnalyzeFn, IterationAnalysis } from "./engine-settings";
export { ReconcileOutcome } from "./reconcile-outcome";
export type { ReconcileResult } from "./reconcile-outcome";
export { runToCompletion } from "./run-to-completion";
export type { RunToCompletionOptions, RunSummary } from "./run-to-completion";
export type {
  ExperimentKey,
  ExperimentStore,
  StatusWriteResult,
  MetricsSource,
  WeightWriter,
  ActionRequest,
  ActionRunState,
  ActionRunner,
  Clock,
  EngineEvent,
  EventSink,
  EnginePorts,
  CrossNamespaceRef,
  ReferencePolicy,
} from "./ports";
export { criteriaMetricReferences, weightObjectReferences, describeReference, refusedReference } from "./cross-namespace-refs";
export { systemClock } from "./system-clock";
export { SimulatedClock } from "./simulated-clock";
export {
  ActionState,
  RetryStep,
  DecisionOutcome,
  readEngineStatus,
  runId,
  ActionRecordSchema,
  RetryStateSchema,
  DecisionRecordSchema,
  EngineStatusSchema,
} from "./engine-status";
export type { ActionRecord, RetryRecord, DecisionRecord, EngineStatus } from "./engine-status";
export { Reason, FAILURE_REASONS, ActionName, HandlerType, Message } from "./reasons";
export { nextStep } from "./next-step";
export type { Step, ActionValidator } from "./next-step";
export type { ExperimentProblem } from "./experiment-checks";
export { decideTarget, compareQueueOrder, contendersFor, nextInQueue } from "./target-queue";
export type { TargetDecision } from "./target-queue";
export { versionRecommendedForPromotion } from "./version-recommended";
export { findRollbackViolations } from "./rollback-check";
export type { RollbackViolation } from "./rollback-check";
export { iterationPlan, nextIterationAt, ITERATION_TOLERANCE_MS } from "./iteration-timing";
export type { IterationPlan } from "./iteration-timing";
export { criteriaMetricKeys } from "./metric-refs";
export { actionRunId, handlerName } from "./action-ids";
export { recordCondition, RecordKind } from "./record-condition";
export type { RecordedChange } from "./record-condition";
export { EngineError, EngineErrorCode, isRetryable, errorMessage } from "./engine-error";
export { InvalidStoredExperimentError, isInvalidStoredExperiment } from "./invalid-stored-experiment";
