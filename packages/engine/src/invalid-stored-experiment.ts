/**
 * What a store throws when the experiment it holds does not match the schema: the API server
 * accepted it (its CRD checks less than the schema does, e.g. a quantity `"1e309"` matches the
 * CRD's pattern but is not a finite number), so only the engine can tell the user. The engine ends
 * such an experiment as failed, naming what is wrong, instead of trying to read it again forever.
 */
export class InvalidStoredExperimentError extends Error {
  override readonly name = "InvalidStoredExperimentError";
  readonly code = "InvalidStoredExperiment" as const;
  /** Reading it again gives the same answer until someone edits it. */
  readonly retryable = false;
  /** The resourceVersion of the object read, so that the failure is written only over what was judged. */
  readonly resourceVersion: string | undefined;
  /** The stored status, as found (any shape). */
  readonly status: unknown;

  constructor(message: string, options: { resourceVersion?: string | undefined; status?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.resourceVersion = options.resourceVersion;
    this.status = options.status;
  }
}

/** Whether an error is an {@link InvalidStoredExperimentError} (also across copies of this package). */
export function isInvalidStoredExperiment(error: unknown): error is InvalidStoredExperimentError {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "InvalidStoredExperiment";
}
