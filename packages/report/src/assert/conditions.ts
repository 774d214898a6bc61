import { conditionOf, isConditionTrue, totalIterations, versionNames, type Condition, type Experiment } from "@iter8ts/types";

/** Conditions `iter8ctl assert -c` can check. */
export const AssertCondition = {
  /** The `Completed` condition is True. */
  Completed: "completed",
  /** Analytics found a winner. */
  WinnerFound: "winnerFound",
  /** Analytics found a winner and it is a candidate, not the baseline. */
  CandidateWon: "candidateWon",
  /** The `Failed` condition is not True. */
  NoFailure: "noFailure",
} as const;
export type AssertCondition = (typeof AssertCondition)[keyof typeof AssertCondition];

/** Every condition, in the order help text lists them. */
export const ASSERT_CONDITIONS: readonly AssertCondition[] = Object.values(AssertCondition);

/** Why the `-c` values cannot be used. */
export const AssertUsageErrorCode = { NoConditions: "no_conditions", InvalidCondition: "invalid_condition" } as const;
export type AssertUsageErrorCode = (typeof AssertUsageErrorCode)[keyof typeof AssertUsageErrorCode];

/** The conditions given to `assert` are missing or unknown. */
export class AssertUsageError extends Error {
  override readonly name = "AssertUsageError";
  constructor(
    readonly code: AssertUsageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function isAssertCondition(value: string): value is AssertCondition {
  return (ASSERT_CONDITIONS as readonly string[]).includes(value);
}

/**
 * Reads `-c` values: each may be one condition or a comma-separated list; blanks are skipped.
 * @throws AssertUsageError when nothing is given or a name is unknown.
 */
export function parseConditions(values: readonly string[]): AssertCondition[] {
  const names = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  if (names.length === 0) {
    throw new AssertUsageError(AssertUsageErrorCode.NoConditions, "one or more conditions must be specified with assert");
  }
  return names.map((name) => {
    if (isAssertCondition(name)) return name;
    throw new AssertUsageError(
      AssertUsageErrorCode.InvalidCondition,
      `Invalid condition: ${name} (use ${ASSERT_CONDITIONS.slice(0, -1).join(", ")} or ${ASSERT_CONDITIONS.at(-1)})`,
    );
  });
}

/** The verdict on one condition. */
export interface ConditionResult {
  condition: AssertCondition;
  satisfied: boolean;
  /** The one-line verdict printed when this is the first condition that fails. */
  message: string;
  /** Why, in terms of the experiment's status, for people reading a failed check. */
  detail: string;
}

// The first line printed for a failed condition; the first two are the ones Iter8 users script against.
const FAILURE_MESSAGES: Record<AssertCondition, string> = {
  completed: "experiment has not completed",
  winnerFound: "no winner found in experiment",
  candidateWon: "no candidate won the experiment",
  noFailure: "experiment has failed",
};

function reasonText(c: Condition): string {
  const parts = [c.reason, c.message].filter((p): p is string => typeof p === "string" && p !== "");
  return parts.length ? ` (${parts.join(": ")})` : "";
}

function progressText(experiment: Experiment): string {
  const done = experiment.status?.completedIterations ?? 0;
  const stage = experiment.status?.stage;
  return `${stage ? `stage ${stage}, ` : ""}${done} of ${totalIterations(experiment)} iterations completed`;
}

function winnerDetail(experiment: Experiment): string | null {
  const assessment = experiment.status?.analysis?.winnerAssessment;
  if (!assessment) return `analytics has not assessed a winner yet (${progressText(experiment)})`;
  if (!assessment.data.winnerFound || !assessment.data.winner) {
    const why = assessment.message ? `: ${assessment.message}` : "";
    return `analytics found no winner${why}`;
  }
  return null;
}

function check(experiment: Experiment, condition: AssertCondition): string | null {
  switch (condition) {
    case "completed": {
      if (isConditionTrue(experiment.status, "Completed")) return null;
      const c = conditionOf(experiment.status, "Completed");
      const state = c ? `is ${c.status}${reasonText(c)}` : "is not set yet";
      return `the Completed condition ${state}; ${progressText(experiment)}`;
    }
    case "winnerFound":
      return winnerDetail(experiment);
    case "candidateWon": {
      const noWinner = winnerDetail(experiment);
      if (noWinner) return noWinner;
      const winner = experiment.status!.analysis!.winnerAssessment!.data.winner!;
      const [baseline, ...candidates] = versionNames(experiment);
      if (baseline === undefined) return `the winner is "${winner}", but the experiment has no versionInfo naming candidates`;
      if (winner === baseline) return `the winner is the baseline "${baseline}", not a candidate`;
      if (!candidates.includes(winner)) {
        return `the winner "${winner}" is not one of the candidates (${candidates.join(", ") || "none"})`;
      }
      return null;
    }
    case "noFailure": {
      const c = conditionOf(experiment.status, "Failed");
      return c && isConditionTrue(experiment.status, "Failed") ? `the Failed condition is True${reasonText(c)}` : null;
    }
  }
}

/** Checks one condition against an experiment's status. */
export function evaluateCondition(experiment: Experiment, condition: AssertCondition): ConditionResult {
  const problem = check(experiment, condition);
  return { condition, satisfied: problem === null, message: FAILURE_MESSAGES[condition], detail: problem ?? "satisfied" };
}

/** Checks every condition, in the order given. */
export function evaluateConditions(experiment: Experiment, conditions: readonly AssertCondition[]): ConditionResult[] {
  return conditions.map((c) => evaluateCondition(experiment, c));
}
