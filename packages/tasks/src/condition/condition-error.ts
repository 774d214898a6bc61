/** What is wrong with an `if` condition. */
export const ConditionErrorCode = {
  /** The condition does not parse. */
  Syntax: "syntax",
  /** It calls a function that does not exist. */
  UnknownFunction: "unknown_function",
  /** It gave something other than true or false. */
  NotBoolean: "not_boolean",
  /** Evaluating it failed. */
  Evaluation: "evaluation",
  /** It is longer or nests deeper than `InputLimits` of @iter8ts/types allow. */
  InputLimit: "input_limit",
} as const;
export type ConditionErrorCode = (typeof ConditionErrorCode)[keyof typeof ConditionErrorCode];

/** A condition that cannot be used; the message quotes the condition and says what to write instead. */
export class ConditionError extends Error {
  override readonly name = "ConditionError";
  constructor(
    readonly code: ConditionErrorCode,
    message: string,
    /** 0-based offset into the condition, when known. */
    readonly position?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
