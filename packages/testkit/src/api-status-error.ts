/**
 * The `Status` bodies the Kubernetes API server answers failures with, and an error class that
 * carries one. Messages and reasons follow the apimachinery error constructors, because clients
 * (and the code under test) branch on `reason` and `code`, and people read `message`.
 */

/** The `reason` values this server answers with (a subset of metav1.StatusReason). */
export const StatusReason = {
  BadRequest: "BadRequest",
  NotFound: "NotFound",
  AlreadyExists: "AlreadyExists",
  Conflict: "Conflict",
  Gone: "Gone",
  Expired: "Expired",
  Invalid: "Invalid",
  Forbidden: "Forbidden",
  MethodNotAllowed: "MethodNotAllowed",
  NotAcceptable: "NotAcceptable",
  UnsupportedMediaType: "UnsupportedMediaType",
  RequestEntityTooLarge: "RequestEntityTooLarge",
  TooManyRequests: "TooManyRequests",
  Timeout: "Timeout",
  ServerTimeout: "ServerTimeout",
  ServiceUnavailable: "ServiceUnavailable",
  InternalError: "InternalError",
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];

/** One field-level problem inside a `Status` (metav1.StatusCause). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** metav1.StatusDetails. `kind` holds the resource (plural) for most errors, the Kind for Invalid. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A metav1.Status document, as sent on the wire. */
export interface KubeStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never> | { resourceVersion?: string; continue?: string };
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  /** Present on failures; a successful delete's Status leaves it out. */
  code?: number;
}

/** A resource qualified by its group, e.g. `experiments.iter8.tools` or `configmaps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** A kind qualified by its group, e.g. `Experiment.iter8.tools` or `ConfigMap`. */
export interface GroupKind {
  group: string;
  kind: string;
}

function qualified(name: string, group: string): string {
  return group ? `${name}.${group}` : name;
}

/**
 * An API failure with its HTTP code and `Status` body. The request handler sends `status` as is;
 * the programmatic API of the test server throws it so tests can assert on `code`/`reason`.
 */
export class ApiStatusError extends Error {
  override readonly name = "ApiStatusError";
  /** The `reason` of the Status, a closed set. */
  readonly code: StatusReason;
  /** The HTTP status code. */
  readonly httpCode: number;
  /** The Status body sent to clients. */
  readonly status: KubeStatus;

  constructor(httpCode: number, reason: StatusReason, message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.code = reason;
    this.httpCode = httpCode;
    this.status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      ...(details ? { details } : {}),
      code: httpCode,
    };
  }
}

/** 404: `experiments.iter8.tools "name" not found`. */
export function notFound(gr: GroupResource, name: string): ApiStatusError {
  return new ApiStatusError(404, StatusReason.NotFound, `${qualified(gr.resource, gr.group)} "${name}" not found`, {
    name,
    ...(gr.group ? { group: gr.group } : {}),
    kind: gr.resource,
  });
}

/** 404 for a path that names no resource the server serves. */
export function pathNotFound(): ApiStatusError {
  return new ApiStatusError(404, StatusReason.NotFound, "the server could not find the requested resource", {});
}

/** 409 on create when the name is taken. */
export function alreadyExists(gr: GroupResource, name: string): ApiStatusError {
  return new ApiStatusError(409, StatusReason.AlreadyExists, `${qualified(gr.resource, gr.group)} "${name}" already exists`, {
    name,
    ...(gr.group ? { group: gr.group } : {}),
    kind: gr.resource,
  });
}

/** The message the API server gives when a write carries a stale resourceVersion. */
export const STALE_OBJECT_MESSAGE = "the object has been modified; please apply your changes to the latest version and try again";

/** 409 on update: `Operation cannot be fulfilled on <resource> "<name>": <why>`. */
export function conflict(gr: GroupResource, name: string, why: string = STALE_OBJECT_MESSAGE): ApiStatusError {
  return new ApiStatusError(409, StatusReason.Conflict, `Operation cannot be fulfilled on ${qualified(gr.resource, gr.group)} "${name}": ${why}`, {
    name,
    ...(gr.group ? { group: gr.group } : {}),
    kind: gr.resource,
  });
}

/** The `reason` of a field cause (field.ErrorType) and the words the API server puts before the detail. */
export const FieldErrorType = {
  Required: "FieldValueRequired",
  Invalid: "FieldValueInvalid",
  NotSupported: "FieldValueNotSupported",
  Duplicate: "FieldValueDuplicate",
  Forbidden: "FieldValueForbidden",
  TooLong: "FieldValueTooLong",
  TooMany: "FieldValueTooMany",
  TypeInvalid: "FieldValueTypeInvalid",
} as const;
export type FieldErrorType = (typeof FieldErrorType)[keyof typeof FieldErrorType];

/** One validation failure at a field path (field.Error). */
export interface FieldError {
  type: FieldErrorType;
  /** Dotted path, e.g. `spec.duration.intervalSeconds` or `metadata.labels`. */
  field: string;
  /** The text after the type's prefix, e.g. `Invalid value: 0: must be at least 1`. */
  message: string;
}

/** Builds the `Invalid value: <json>: <detail>` text of a field.Invalid error. */
export function invalidValue(field: string, value: unknown, detail: string): FieldError {
  return { type: FieldErrorType.Invalid, field, message: `Invalid value: ${renderValue(value)}: ${detail}` };
}

/** A field.Required error. */
export function requiredValue(field: string, detail = ""): FieldError {
  return { type: FieldErrorType.Required, field, message: detail ? `Required value: ${detail}` : "Required value" };
}

/** A field.NotSupported error listing the accepted values. */
export function unsupportedValue(field: string, value: unknown, supported: readonly string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(", ");
  return { type: FieldErrorType.NotSupported, field, message: `Unsupported value: ${renderValue(value)}: supported values: ${list}` };
}

/** A field.Forbidden error. */
export function forbiddenValue(field: string, detail: string): FieldError {
  return { type: FieldErrorType.Forbidden, field, message: `Forbidden: ${detail}` };
}

function renderValue(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function invalidStatus(what: string, group: string, detailsKind: string, name: string, errors: readonly FieldError[]): ApiStatusError {
  const parts = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return new ApiStatusError(422, StatusReason.Invalid, `${what} "${name}" is invalid: ${summary}`, {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    kind: detailsKind,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}

/** 422: `Experiment.iter8.tools "name" is invalid: <field>: <message>` with one cause per error. */
export function invalid(gk: GroupKind, name: string, errors: readonly FieldError[]): ApiStatusError {
  return invalidStatus(qualified(gk.kind, gk.group), gk.group, gk.kind, name, errors);
}

/**
 * 422 for a write the registry refuses before any kind-specific validation (a missing
 * resourceVersion): the resource, not the kind, names the object, as in
 * `virtualservices.networking.istio.io "vs" is invalid: ...`.
 */
export function invalidResource(gr: GroupResource, name: string, errors: readonly FieldError[]): ApiStatusError {
  return invalidStatus(qualified(gr.resource, gr.group), gr.group, gr.resource, name, errors);
}

/**
 * 422 for a JSON patch the server cannot apply, whatever the reason (a failed `test`, a path that
 * does not exist, an unknown op): kube-apiserver answers all of them with the same generic body
 * and no causes (`errors.NewGenericServerResponse(422, ...)` in its patch handler).
 */
export function patchNotApplicable(): ApiStatusError {
  return new ApiStatusError(422, StatusReason.Invalid, "the server rejected our request due to an error in our request", {});
}

/** 400 with the given message (no details, like apimachinery's NewBadRequest). */
export function badRequest(message: string): ApiStatusError {
  return new ApiStatusError(400, StatusReason.BadRequest, message);
}

/** 403 with the given message (and causes, when the refusal has them). */
export function forbidden(gr: GroupResource, name: string, message: string, causes?: StatusCause[]): ApiStatusError {
  return new ApiStatusError(403, StatusReason.Forbidden, message, {
    name,
    ...(gr.group ? { group: gr.group } : {}),
    kind: gr.resource,
    ...(causes ? { causes } : {}),
  });
}

/** 405 for a verb the resource does not support. */
export function methodNotAllowed(): ApiStatusError {
  return new ApiStatusError(405, StatusReason.MethodNotAllowed, "the server does not allow this method on the requested resource", {});
}

/** 415 naming the media types that would have been accepted. */
export function unsupportedMediaType(accepted: readonly string[]): ApiStatusError {
  return new ApiStatusError(
    415,
    StatusReason.UnsupportedMediaType,
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );
}

/** 410 Expired for a watch or list from a resourceVersion that is no longer kept. */
export function resourceVersionTooOld(requested: string, oldest: number): ApiStatusError {
  return new ApiStatusError(410, StatusReason.Expired, `too old resource version: ${requested} (${oldest})`);
}

/** 413 for a body over the size limit. */
export function requestEntityTooLarge(message: string): ApiStatusError {
  return new ApiStatusError(413, StatusReason.RequestEntityTooLarge, `Request entity too large: ${message}`, {});
}

/** 500 with the error text, as the server reports unexpected failures. */
export function internalError(cause: unknown): ApiStatusError {
  const text = cause instanceof Error ? cause.message : String(cause);
  return new ApiStatusError(500, StatusReason.InternalError, `Internal error occurred: ${text}`, { causes: [{ message: text }] }, { cause });
}

/** A `Status` with `status: Success`, as DELETE answers for most resources (without a `code`, like the real one). */
export function successStatus(details: StatusDetails): KubeStatus {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}
