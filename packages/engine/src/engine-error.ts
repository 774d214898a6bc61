/** What went wrong in the engine itself (port failures that the engine cannot record in status). */
export const EngineErrorCode = {
  /** The store could not be read or written; the reconcile changed nothing and should be retried. */
  StoreUnavailable: "StoreUnavailable",
  /** The status kept changing under the engine; the reconcile should be retried. */
  WriteConflict: "WriteConflict",
  /** A defect in the engine; the reconcile changed nothing. */
  Unexpected: "Unexpected",
  /** `runToCompletion` reached its step limit before the experiments completed. */
  StepLimitExceeded: "StepLimitExceeded",
  /** `runToCompletion` was aborted through its signal. */
  Aborted: "Aborted",
  /** A reconcile was stopped by its signal (the runtime's deadline); it changed nothing and should be retried. */
  ReconcileAborted: "ReconcileAborted",
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** An engine failure, with a code to branch on and the underlying cause. */
export class EngineError extends Error {
  override readonly name = "EngineError";
  readonly code: EngineErrorCode;
  /** Whether trying again later can succeed. */
  readonly retryable: boolean;

  constructor(code: EngineErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = code === "StoreUnavailable" || code === "WriteConflict" || code === "Unexpected" || code === "ReconcileAborted";
  }
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * Whether a port error may go away on a later attempt. Ports mark final errors with
 * `retryable: false` (a malformed fieldPath, a rejected patch); anything else is retried a
 * bounded number of times.
 */
export function isRetryable(error: unknown): boolean {
  return !(typeof error === "object" && error !== null && (error as { retryable?: unknown }).retryable === false);
}
