/** Errors of the test control plane: building it, starting it, reading a cluster's kubeconfig, or asking it for tokens. */

/** What went wrong; callers branch on these, never on messages. */
export const KubeHarnessErrorCode = {
  /** `go build` of the control-plane binaries failed or Go is missing. */
  BuildFailed: "BuildFailed",
  /** A component could not be started or exited while starting. */
  StartFailed: "StartFailed",
  /** The API server did not become ready (or the default ServiceAccount did not appear) in time. */
  NotReady: "NotReady",
  /** The kubeconfig named by `ITER8TS_KUBECONFIG` cannot be read or has no usable context. */
  InvalidKubeconfig: "InvalidKubeconfig",
  /** Starting was aborted through the caller's signal. */
  Aborted: "Aborted",
  /** The API server refused a TokenRequest for a ServiceAccount (it does not exist, or no right to ask). */
  TokenRequestFailed: "TokenRequestFailed",
  /** The operation needs a control plane this harness started (not an `ITER8TS_KUBECONFIG` cluster). */
  Unsupported: "Unsupported",
} as const;
export type KubeHarnessErrorCode = (typeof KubeHarnessErrorCode)[keyof typeof KubeHarnessErrorCode];

/** An error of the harness itself (not an answer of the API server, which kubectl reports). */
export class KubeHarnessError extends Error {
  override readonly name = "KubeHarnessError";
  readonly code: KubeHarnessErrorCode;
  /** Whether trying again may help (a port taken in between, a slow machine). */
  readonly retryable: boolean;

  constructor(code: KubeHarnessErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}
