/**
 * The reasons and messages users read in `status.conditions`, `status.message` and events.
 * They keep the exact wording of the original Iter8 controller, because people and scripts
 * match on them.
 */
import type { ActionName as SpecActionName, Stage } from "@iter8ts/types";

/** Condition reasons. */
export const Reason = {
  ExperimentInitialized: "ExperimentInitialized",
  StageAdvanced: "StageAdvanced",
  HandlerLaunched: "HandlerLaunched",
  IterationUpdate: "IterationUpdate",
  ExperimentCompleted: "ExperimentCompleted",
  TargetAcquired: "TargetAcquired",
  /** Set when two experiments briefly held one target and this one, the later, stepped back. */
  TargetReleased: "TargetReleased",
  HandlerFailed: "HandlerFailed",
  AnalyticsServiceError: "AnalyticsServiceError",
  MetricUnavailable: "MetricUnavailable",
  MetricsUnreadable: "MetricsUnreadable",
  InvalidExperiment: "InvalidExperiment",
  WeightRedistributionFailed: "WeightRedistributionFailed",
  /** A Metric or routing object in another namespace that does not consent to the reference. */
  ReferenceNotGranted: "ReferenceNotGranted",
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** The reasons that set `Failed=True`. */
export const FAILURE_REASONS: ReadonlySet<string> = new Set<Reason>([
  Reason.HandlerFailed,
  Reason.AnalyticsServiceError,
  Reason.MetricUnavailable,
  Reason.MetricsUnreadable,
  Reason.InvalidExperiment,
  Reason.WeightRedistributionFailed,
  Reason.ReferenceNotGranted,
]);

/** The action keys of `spec.strategy.actions` the engine runs. */
export const ActionName = {
  Start: "start",
  Loop: "loop",
  Finish: "finish",
  /** Runs after a failure, so users can clean up; not part of the original API. */
  Failure: "failure",
} as const;
export type ActionName = (typeof ActionName)[keyof typeof ActionName];
// The engine runs exactly the actions the API accepts (`ACTION_NAMES` of @iter8ts/types): an
// action added there fails to compile here until the engine has a name for it.
const _everyActionRuns: [SpecActionName] extends [ActionName] ? ([ActionName] extends [SpecActionName] ? true : never) : never = true;

/** Why an action runs; it prefixes the handler messages ("Rollback handler 'finish' launched"). */
export const HandlerType = {
  Start: "Start",
  Loop: "Loop",
  Finish: "Finish",
  Rollback: "Rollback",
  Failure: "Failure",
} as const;
export type HandlerType = (typeof HandlerType)[keyof typeof HandlerType];

/** The message catalogue. */
export const Message = {
  initialized: "Experiment status initialized",
  advancedTo: (stage: Stage): string => `Advanced to ${stage}`,
  handlerLaunched: (handler: HandlerType, action: ActionName): string => `${handler} handler '${action}' launched`,
  completedIteration: (iteration: number): string => `Completed Iteration ${iteration}`,
  completedLoop: (loop: number): string => `Completed Loop ${loop}`,
  actionsFailed: (handler: HandlerType): string => `${handler} actions failed`,
  analyticsFailed: "Call to analytics engine failed",
  metricNotFound: (key: string): string => `Unable to find metric ${key}`,
  metricUnreadable: (key: string): string => `Unable to load metric ${key}`,
  weightObjRefInvalid: (error: string): string => `Specification of version weightObjectRef invalid: ${error}`,
  weightsFailed: (error: string): string => `Failure redistributing weights: ${error}`,
  noWeightRecommendation: "no weight recommendation provided",
  referenceNotGranted: (field: string, what: string, namespace: string, from: string): string =>
    `${field} refers to ${what}, but no ReferenceGrant in namespace ${namespace} lets experiments in namespace ${from} refer to it; ` +
    `ask the owners of ${namespace} to create one, or use an object of namespace ${from} (see docs/security-model.md)`,
  targetReleased: (target: string, holder: string): string =>
    `Target ${target} is also held by ${holder}, which came first; waiting for it to finish`,
  /** Completion messages. */
  completedSuccessfully: "Experiment completed successfully",
  completedAfterFinish: "Experiment Completed",
  rolledBack: "Experiment rolled back",
  failed: "Experiment failed",
  launchFailed: "failure executing failure handler",
} as const;
