/** What went wrong in the statistics mode. */
export const StatisticsErrorCode = {
  /** `spec.criteria.strength` does not match its schema. */
  InvalidStrength: "invalid_strength",
  /** `status.analysis.statistics` carried from the last iteration does not match its schema. */
  InvalidState: "invalid_state",
  /** A statistics primitive got arguments outside its domain. */
  InvalidInput: "invalid_input",
} as const;
/** One of the values of {@link StatisticsErrorCode}. */
export type StatisticsErrorCode = (typeof StatisticsErrorCode)[keyof typeof StatisticsErrorCode];

/** A typed error of the statistics mode; `message` names the field or input at fault. */
export class StatisticsError extends Error {
  override readonly name = "StatisticsError";

  constructor(
    readonly code: StatisticsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
