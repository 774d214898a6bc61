/** Why a call through a {@link ResourceClient} failed. */
export const ResourceErrorCode = {
  /** The object does not exist. */
  NotFound: "not_found",
  /**
   * A precondition failed: the object changed since it was read (a stale resourceVersion, or a
   * JSON Patch `test` operation that no longer holds). Re-read and try again.
   */
  Conflict: "conflict",
  /** The request was rejected as malformed (e.g. a patch path that does not exist). */
  Invalid: "invalid",
  /** The caller may not do this (RBAC). */
  Forbidden: "forbidden",
  /** The API could not be reached or answered with a server error. */
  Unavailable: "unavailable",
} as const;
export type ResourceErrorCode = (typeof ResourceErrorCode)[keyof typeof ResourceErrorCode];

/**
 * A failed read or write of a Kubernetes-style object. Implementations of the
 * {@link ResourceClient} port throw this (and nothing else) so callers can tell a conflict,
 * which they should retry after re-reading, from a permanent failure.
 */
export class ResourceError extends Error {
  override readonly name = "ResourceError";
  constructor(
    readonly code: ResourceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the same request may succeed later (after a re-read, for a conflict). */
  get retryable(): boolean {
    return this.code === ResourceErrorCode.Conflict || this.code === ResourceErrorCode.Unavailable;
  }
}

/** True for a {@link ResourceError} with the given code. */
export function isResourceError(error: unknown, code?: ResourceErrorCode): error is ResourceError {
  return error instanceof ResourceError && (code === undefined || error.code === code);
}
