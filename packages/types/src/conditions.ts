import type { Condition, ConditionType } from "./experiment";

/** Anything with the conditions of an Experiment's status (a status, or none). */
type WithConditions = { readonly conditions?: readonly Condition[] | undefined } | undefined;

/** The condition of `type` in a status, if present. */
export function conditionOf(status: WithConditions, type: ConditionType): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** True when the status has the condition of `type` with status True (`Completed`, `Failed`, `TargetAcquired`). */
export function isConditionTrue(status: WithConditions, type: ConditionType): boolean {
  return conditionOf(status, type)?.status === "True";
}
