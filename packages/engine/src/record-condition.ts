import type { Condition, ConditionType, ExperimentStatus } from "@iter8ts/types";
import { FAILURE_REASONS, Reason } from "./reasons";

/**
 * What a record call does to the conditions: progress and completion share the `Completed`
 * condition (False while progressing, True at the end), failures set `Failed=True`, and
 * acquiring the target sets `TargetAcquired=True`.
 */
export const RecordKind = {
  Progress: "Progress",
  Completed: "Completed",
  Failed: "Failed",
  Target: "Target",
  TargetReleased: "TargetReleased",
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

const CONDITION_OF: Record<RecordKind, { type: ConditionType; status: "True" | "False" }> = {
  Progress: { type: "Completed", status: "False" },
  Completed: { type: "Completed", status: "True" },
  Failed: { type: "Failed", status: "True" },
  Target: { type: "TargetAcquired", status: "True" },
  TargetReleased: { type: "TargetAcquired", status: "False" },
};

/** A condition change worth an event. */
export interface RecordedChange {
  reason: string;
  message: string;
  type: "Normal" | "Warning";
}

/** The three conditions of a freshly initialised experiment, all False. */
export function initialConditions(time: string): Condition[] {
  return (["Completed", "Failed", "TargetAcquired"] as const).map((type) => ({
    type,
    status: "False",
    lastTransitionTime: time,
  }));
}

/**
 * Records an event on the status: sets the condition's status, reason, message and
 * lastTransitionTime (refreshed on every call, as the original does), and always sets
 * `status.message` to `reason` or `reason: message`. Returns the change when the condition's
 * status, reason or message actually changed, so that the caller emits one event per change.
 */
export function recordCondition(
  status: ExperimentStatus,
  kind: RecordKind,
  reason: string,
  message: string,
  time: string,
): RecordedChange | undefined {
  const { type, status: value } = CONDITION_OF[kind];
  const conditions = (status.conditions ??= []);
  let condition = conditions.find((c) => c.type === type);
  if (!condition) {
    condition = { type, status: "Unknown" };
    conditions.push(condition);
  }
  const changed = condition.status !== value || condition.reason !== reason || (condition.message ?? "") !== message;
  condition.status = value;
  condition.reason = reason;
  condition.message = message;
  condition.lastTransitionTime = time;
  status.message = message === "" ? reason : `${reason}: ${message}`;
  if (!changed) return undefined;
  return { reason, message, type: FAILURE_REASONS.has(reason) || reason === Reason.TargetReleased ? "Warning" : "Normal" };
}
