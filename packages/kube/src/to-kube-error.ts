import { AbortError, ApiException, FetchError } from "@kubernetes/client-node";
import { KubeError, KubeErrorCode, type KubeErrorCause } from "./kube-error";

/** The parts of a Kubernetes `Status` (the body of every error answer) that we read. */
interface StatusBody {
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: KubeErrorCause[] };
}

function parseStatus(body: unknown): StatusBody {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      // Proxies and load balancers answer with HTML or plain text; keep a short excerpt.
      return { message: body.trim().slice(0, 200) };
    }
  }
  if (typeof value !== "object" || value === null) return {};
  const status = value as Record<string, unknown>;
  const details = status.details as { causes?: unknown } | undefined;
  const causes = Array.isArray(details?.causes) ? (details.causes.filter((c) => typeof c === "object" && c !== null) as KubeErrorCause[]) : undefined;
  const parsed: StatusBody = {};
  if (typeof status.message === "string") parsed.message = status.message;
  if (typeof status.reason === "string") parsed.reason = status.reason;
  if (typeof status.code === "number") parsed.code = status.code;
  if (causes) parsed.details = { causes };
  return parsed;
}

// A 422 is Invalid from its answer alone, also for a JSON Patch whose `test` failed: kube-apiserver
// says nothing more than for any patch it cannot apply, so only a read of the object can tell
// (see json-patch-refusal.ts, which KubeResourceClient.patch uses).
function codeFor(httpStatus: number, status: StatusBody): KubeErrorCode {
  if (httpStatus === 404) return KubeErrorCode.NotFound;
  if (httpStatus === 409) return status.reason === "AlreadyExists" ? KubeErrorCode.AlreadyExists : KubeErrorCode.Conflict;
  if (httpStatus === 410) return KubeErrorCode.Gone;
  if (httpStatus === 400 || httpStatus === 422 || httpStatus === 415) return KubeErrorCode.Invalid;
  if (httpStatus === 401 || httpStatus === 403) return KubeErrorCode.Forbidden;
  if (httpStatus === 429 || httpStatus >= 500) return KubeErrorCode.Unavailable;
  return KubeErrorCode.BadResponse;
}

const ADVICE: Partial<Record<KubeErrorCode, string>> = {
  Conflict: "it changed since it was read; read it again and retry",
  Forbidden: "grant this service account the permission (RBAC) or check the kubeconfig credentials",
  Gone: "the resourceVersion is too old; list again",
  Unavailable: "the API server is unreachable or overloaded; try again later",
};

function describe(subject: string, httpStatus: number, status: StatusBody, code: KubeErrorCode): string {
  const causes = (status.details?.causes ?? [])
    .map((c) => [c.field, c.message].filter(Boolean).join(": "))
    .filter((t) => t && !(status.message ?? "").includes(t));
  const said = [status.message, ...causes].filter(Boolean).join("; ") || `HTTP ${httpStatus}`;
  const advice = ADVICE[code];
  return `${subject}: ${said} (HTTP ${httpStatus}${status.reason ? ` ${status.reason}` : ""})${advice ? `; ${advice}` : ""}`;
}

/** The error for an API answer with a status outside 2xx, from its body (a Kubernetes `Status`). */
export function kubeErrorFromResponse(subject: string, httpStatus: number, body: unknown): KubeError {
  const status = parseStatus(body);
  const code = codeFor(httpStatus, status);
  const init: ConstructorParameters<typeof KubeError>[2] = { httpStatus };
  if (status.reason !== undefined) init.reason = status.reason;
  if (status.details?.causes) init.causes = status.details.causes;
  return new KubeError(code, describe(subject, httpStatus, status, code), init);
}

function isAbort(error: unknown): boolean {
  return error instanceof AbortError || (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError"));
}

/**
 * Turns anything a call through client-node can throw into a {@link KubeError} about `subject`
 * (e.g. "Experiment default/quickstart-exp"): `ApiException` (whose `body` is the JSON text of the
 * Status), node-fetch's network errors and aborts, discovery failures for unknown kinds.
 */
export function toKubeError(error: unknown, subject: string): KubeError {
  if (error instanceof KubeError) return error;
  if (error instanceof ApiException) return kubeErrorFromResponse(subject, error.code, error.body);
  if (isAbort(error)) {
    return new KubeError(KubeErrorCode.Unavailable, `${subject}: the API server did not answer in time (request aborted); try again later`, { cause: error });
  }
  if (error instanceof FetchError || (error instanceof Error && "code" in error && typeof (error as { code?: unknown }).code === "string")) {
    const detail = (error as Error & { code?: string }).code ?? (error as FetchError).type;
    return new KubeError(KubeErrorCode.Unavailable, `${subject}: the API server could not be reached (${detail}); try again later`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/Unrecognized API version and kind/.test(message)) {
    return new KubeError(KubeErrorCode.UnknownKind, `${subject}: the API server does not serve this kind; install its CustomResourceDefinition or fix apiVersion/kind`, { cause: error });
  }
  return new KubeError(KubeErrorCode.BadResponse, `${subject}: ${message}`, { cause: error });
}
