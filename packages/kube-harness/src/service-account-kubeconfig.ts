/** Kubeconfigs that authenticate as a ServiceAccount, with a token from the TokenRequest API. */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiRequest } from "./api-request";
import { writeKubeconfig, type ClusterAccess } from "./cluster-access";
import { KubeHarnessError, KubeHarnessErrorCode } from "./kube-harness-error";

/** Which ServiceAccount, and how long its token lives. */
export interface ServiceAccountTokenOptions {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Lifetime of the token; default 3600 s (the API server's minimum is 600 s). */
  readonly expirationSeconds?: number;
}

/**
 * Asks the API server for a token of a ServiceAccount (`POST
 * /api/v1/namespaces/<ns>/serviceaccounts/<sa>/token`, as `kubectl create token` does), with the
 * identity of `access` (an admin's). The token is not bound to a Pod.
 */
export async function requestServiceAccountToken(access: ClusterAccess, options: ServiceAccountTokenOptions): Promise<string> {
  const { namespace, serviceAccount } = options;
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`;
  const body = { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: options.expirationSeconds ?? 3600 } };
  const r = await apiRequest(access, "POST", path, { body, timeoutMs: 10_000 });
  const token = r.status === 201 || r.status === 200 ? (JSON.parse(r.body) as { status?: { token?: string } }).status?.token : undefined;
  if (token) return token;
  const why = r.status === 0 ? `no answer (${r.body})` : `${r.status}: ${statusMessage(r.body)}`;
  throw new KubeHarnessError(
    KubeHarnessErrorCode.TokenRequestFailed,
    `cannot get a token for ServiceAccount ${namespace}/${serviceAccount} (${why}); create the ServiceAccount first`,
    { retryable: r.status === 0 || r.status === 404 || r.status >= 500 },
  );
}

function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

/** Options of {@link serviceAccountKubeconfig}. */
export interface ServiceAccountKubeconfigOptions extends ServiceAccountTokenOptions {
  /**
   * The server the kubeconfig names; default the control plane's. An `http://` URL (a fault
   * proxy's) is written without a CA and with `insecure-skip-tls-verify`, as client-node needs.
   */
  readonly server?: string;
  /** Where to write it; default a new file in the control plane's folder (removed by `stop()`), or the system's temporary folder. */
  readonly path?: string;
}

/** A kubeconfig file and the token in it. */
export interface ServiceAccountKubeconfig {
  readonly path: string;
  readonly token: string;
}

/**
 * Writes a kubeconfig that authenticates as a ServiceAccount through a TokenRequest token, its
 * context's namespace the ServiceAccount's, verifying the server's certificate against the
 * control plane's CA. Throws {@link KubeHarnessError} `TokenRequestFailed` when there is no such
 * ServiceAccount.
 */
export async function serviceAccountKubeconfig(plane: ClusterAccess & { readonly dir?: string | undefined }, options: ServiceAccountKubeconfigOptions): Promise<ServiceAccountKubeconfig> {
  const token = await requestServiceAccountToken(plane, options);
  const server = options.server ?? plane.server;
  let path = options.path;
  if (path === undefined) {
    const dir = join(plane.dir ?? tmpdir(), "service-accounts");
    mkdirSync(dir, { recursive: true });
    path = join(dir, `${options.namespace}.${options.serviceAccount}.${randomBytes(4).toString("hex")}.kubeconfig`);
  }
  writeKubeconfig(path, tokenAccess(plane, server, token), options.namespace);
  return { path, token };
}

/**
 * Access to `server` with `token`: verified with the control plane's CA, or for a plain `http://`
 * server (a fault proxy) with no CA and `insecureSkipTlsVerify`, which @kubernetes/client-node
 * requires for `http://`. Go clients (kubectl) send no credentials over `http://` at all; give
 * them a TLS fault proxy.
 */
export function tokenAccess(plane: ClusterAccess, server: string, token: string): ClusterAccess {
  return new URL(server).protocol === "http:" ? { server, token, insecureSkipTlsVerify: true } : { server, caData: plane.caData, token };
}
