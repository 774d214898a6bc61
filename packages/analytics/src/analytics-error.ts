/** What went wrong, for callers that branch on it. */
export const AnalyticsErrorCode = {
  /** A function was called with an argument outside its domain (a programming error). */
  InvalidArgument: "invalid_argument",
} as const;
export type AnalyticsErrorCode = (typeof AnalyticsErrorCode)[keyof typeof AnalyticsErrorCode];

/**
 * Thrown only by the numeric helpers when called with arguments outside their domain. The
 * analysis steps themselves never throw: they report problems in their messages.
 */
export class AnalyticsError extends Error {
  override readonly name = "AnalyticsError";
  readonly code: AnalyticsErrorCode;

  constructor(code: AnalyticsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
