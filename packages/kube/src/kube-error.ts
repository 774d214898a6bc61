import { ResourceError, ResourceErrorCode } from "@iter8ts/resources";

/** Why a call to the Kubernetes API failed. */
export const KubeErrorCode = {
  /** The object does not exist (404). */
  NotFound: "NotFound",
  /** An object with this name exists already (409 AlreadyExists). */
  AlreadyExists: "AlreadyExists",
  /** The object changed since it was read (409 Conflict, or a JSON Patch `test` that no longer holds). */
  Conflict: "Conflict",
  /** The request was refused as malformed or semantically wrong (400, 422). */
  Invalid: "Invalid",
  /** The caller may not do this (401, 403): check the service account's RBAC. */
  Forbidden: "Forbidden",
  /** A watch or list resumed from a resourceVersion the server no longer has (410 Gone). */
  Gone: "Gone",
  /** The API server could not be reached, timed out, throttled us (429) or failed (5xx). */
  Unavailable: "Unavailable",
  /** The API server does not serve this apiVersion and kind (a CRD that is not installed). */
  UnknownKind: "UnknownKind",
  /** The caller cancelled the request through its signal. */
  Aborted: "Aborted",
  /** No usable kubeconfig or in-cluster configuration. */
  Config: "Config",
  /** The server answered with something that is not what the API promises. */
  BadResponse: "BadResponse",
} as const;
export type KubeErrorCode = (typeof KubeErrorCode)[keyof typeof KubeErrorCode];

const RETRYABLE: ReadonlySet<KubeErrorCode> = new Set<KubeErrorCode>([KubeErrorCode.Conflict, KubeErrorCode.Unavailable, KubeErrorCode.Gone]);

/** One field-level cause the API server gave for refusing a request. */
export interface KubeErrorCause {
  field?: string;
  reason?: string;
  message?: string;
}

/** What a {@link KubeError} carries besides its message. */
export interface KubeErrorInit {
  /** HTTP status of the answer; absent when none arrived (network failure, timeout). */
  httpStatus?: number;
  /** `reason` of the Kubernetes `Status` (`NotFound`, `Conflict`, `Invalid`, ...). */
  reason?: string;
  causes?: KubeErrorCause[];
  /** Overrides the default retryability of the code. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * A failed call to the Kubernetes API, with a code to branch on and whether trying again later
 * can succeed (conflicts, network failures, 429 and 5xx answers can; 404 and 422 cannot). The
 * message names the object and what to do about the failure.
 */
export class KubeError extends Error {
  override readonly name = "KubeError";
  readonly code: KubeErrorCode;
  readonly retryable: boolean;
  readonly httpStatus: number | undefined;
  readonly reason: string | undefined;
  readonly causes: readonly KubeErrorCause[];

  constructor(code: KubeErrorCode, message: string, init: KubeErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.retryable = init.retryable ?? RETRYABLE.has(code);
    this.httpStatus = init.httpStatus;
    this.reason = init.reason;
    this.causes = init.causes ?? [];
  }
}

/** True for a {@link KubeError}, optionally of one code. */
export function isKubeError(error: unknown, code?: KubeErrorCode): error is KubeError {
  return error instanceof KubeError && (code === undefined || error.code === code);
}

const RESOURCE_CODES: Record<KubeErrorCode, ResourceErrorCode> = {
  NotFound: ResourceErrorCode.NotFound,
  UnknownKind: ResourceErrorCode.NotFound,
  AlreadyExists: ResourceErrorCode.Conflict,
  Conflict: ResourceErrorCode.Conflict,
  Gone: ResourceErrorCode.Conflict,
  Invalid: ResourceErrorCode.Invalid,
  BadResponse: ResourceErrorCode.Unavailable,
  Forbidden: ResourceErrorCode.Forbidden,
  Unavailable: ResourceErrorCode.Unavailable,
  Config: ResourceErrorCode.Invalid,
  Aborted: ResourceErrorCode.Unavailable,
};

/**
 * The same failure as the weights package's `ResourceError`, which is what a `ResourceClient`
 * may throw. A missing CRD reads as `not_found` (the object cannot exist), and a stale watch
 * version as a `conflict` (list again, then watch).
 */
export function toResourceError(error: KubeError): ResourceError {
  return new ResourceError(RESOURCE_CODES[error.code], error.message, { cause: error });
}
