/**
 * The fields the engine adds to `status` next to the Iter8 ones. They hold everything a
 * restarted runner needs to resume: the run token, the actions started and their outcome, a
 * pending retry, and the recent decisions.
 */
import type { MetricValues } from "@iter8ts/analytics";
import type { ExperimentStatus, VersionWeight } from "@iter8ts/types";
import type { ActionName, HandlerType } from "./reasons";

/** The life of an action as recorded in status. */
export const ActionState = {
  /** Decided but not yet accepted by the runner (its start failed and will be retried). */
  Pending: "Pending",
  Running: "Running",
  Succeeded: "Succeeded",
  Failed: "Failed",
} as const;
export type ActionState = (typeof ActionState)[keyof typeof ActionState];

/** One action the engine decided to run, in `status.actions`. */
export interface ActionRecord {
  action: ActionName;
  handler: HandlerType;
  loop?: number;
  /** `<runToken>-<action>[-<loop>]`; the runner's idempotency key. */
  runId: string;
  state: ActionState;
  /** How many times the runner was asked to start it. */
  attempts: number;
  /** How many times it was started again after the runner lost it. */
  restarts?: number;
  /** When it was last started. */
  launchTime?: string;
  endTime?: string;
  /** Why it failed or was restarted, in the runner's or engine's words. */
  message?: string;
  /** For failure actions: how the experiment ends once the action is over. */
  completionMessage?: string;
}

/** Steps that are retried with backoff before the experiment fails. */
export const RetryStep = {
  LoadMetrics: "LoadMetrics",
  /** Reading the consents to references across namespaces, before the target is taken. */
  References: "References",
  ObserveWeights: "ObserveWeights",
  Iteration: "Iteration",
  ActionLaunch: "ActionLaunch",
  ActionState: "ActionState",
} as const;
export type RetryStep = (typeof RetryStep)[keyof typeof RetryStep];

/** A step that failed and will be tried again, in `status.retry`. */
export interface RetryRecord {
  step: RetryStep;
  /** Failed attempts so far. */
  attempts: number;
  lastError: string;
  nextAttemptTime: string;
}

/** How an iteration ended. */
export const DecisionOutcome = {
  Continued: "Continued",
  RolledBack: "RolledBack",
  Retrying: "Retrying",
  Failed: "Failed",
} as const;
export type DecisionOutcome = (typeof DecisionOutcome)[keyof typeof DecisionOutcome];

/** Why and with what evidence one iteration decided what it did, in `status.decisions`. */
export interface DecisionRecord {
  /** The iteration number this attempt belongs to (1-based). */
  iteration: number;
  loop: number;
  time: string;
  outcome: DecisionOutcome;
  /** One or two sentences a person can read. */
  reason: string;
  /** Metric values per metric and version, as queried. */
  values?: MetricValues;
  /** Per version, whether each objective (in criteria order) was met. */
  versionAssessments?: Record<string, boolean[]>;
  winner?: { found: boolean; winner?: string };
  recommendedWeights?: VersionWeight[];
  /** Whether the recommended weights were applied (Progressive and BlueGreen only). */
  weightsApplied?: boolean;
  /** Weights observed after this iteration, when they differ from the recommendation. */
  observedWeights?: VersionWeight[];
  versionRecommendedForPromotion?: string;
  error?: string;
}

/** `status` with the engine's fields. */
export interface EngineStatus extends ExperimentStatus {
  /** Identifies this incarnation of the experiment; part of every action's `runId`. */
  runId?: string;
  actions?: ActionRecord[];
  retry?: RetryRecord;
  /** The most recent iterations' decisions, oldest first, bounded. */
  decisions?: DecisionRecord[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const ACTION_STATES = new Set<string>(Object.values(ActionState));
const RETRY_STEPS = new Set<string>(Object.values(RetryStep));

function readActionRecord(value: unknown): ActionRecord | undefined {
  if (!isObject(value)) return undefined;
  const { action, handler, runId, state, attempts } = value;
  if (typeof action !== "string" || typeof handler !== "string" || typeof runId !== "string") return undefined;
  if (typeof state !== "string" || !ACTION_STATES.has(state)) return undefined;
  return { ...(value as unknown as ActionRecord), attempts: typeof attempts === "number" ? attempts : 0 };
}

/**
 * Reads the engine's fields from a stored status, dropping entries that do not have the
 * expected shape (a hand-edited or foreign status must not crash the engine).
 */
export function readEngineStatus(status: ExperimentStatus | undefined): EngineStatus {
  return parseEngineStatus(JSON.stringify(status ?? {}));
}

/**
 * {@link readEngineStatus} from the status serialised as JSON; the engine already holds that
 * text to tell whether a reconcile changed anything, and parsing it is the cheapest deep copy.
 */
export function parseEngineStatus(json: string): EngineStatus {
  const parsed: unknown = JSON.parse(json);
  const copy = (isObject(parsed) ? parsed : {}) as EngineStatus;
  const raw = copy as Record<string, unknown>;
  if (typeof raw.runId !== "string") delete copy.runId;
  const actions = Array.isArray(raw.actions)
    ? raw.actions.map(readActionRecord).filter((r): r is ActionRecord => r !== undefined)
    : [];
  if (actions.length > 0) copy.actions = actions;
  else delete copy.actions;
  const retry = raw.retry;
  if (
    !isObject(retry) ||
    typeof retry.step !== "string" ||
    !RETRY_STEPS.has(retry.step) ||
    typeof retry.attempts !== "number" ||
    typeof retry.nextAttemptTime !== "string"
  ) {
    delete copy.retry;
  }
  if (!Array.isArray(raw.decisions)) delete copy.decisions;
  else copy.decisions = raw.decisions.filter(isObject) as unknown as DecisionRecord[];
  return copy;
}
