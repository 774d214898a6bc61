/** How to reach and authenticate to a cluster, and the kubeconfig files that say so. */
import { readFileSync, writeFileSync } from "node:fs";
import { parse } from "yaml";
import { KubeHarnessError, KubeHarnessErrorCode } from "./kube-harness-error";

/** A cluster's address and an identity on it, as PEM text (not base64) where it is a certificate. */
export interface ClusterAccess {
  /** `https://127.0.0.1:<port>` for a started control plane. */
  readonly server: string;
  /** The CA that signed the server's certificate (PEM); absent when the kubeconfig skips verification or trusts the system CAs. */
  readonly caData?: string;
  /** Client certificate and key (PEM) of the identity. */
  readonly clientCertData?: string;
  readonly clientKeyData?: string;
  /** Bearer token of the identity, when it is not a certificate. */
  readonly token?: string;
  /**
   * Skip verifying the server's certificate. Set only for a plain `http://` server (a fault
   * proxy), because @kubernetes/client-node refuses `http://` without it.
   */
  readonly insecureSkipTlsVerify?: boolean;
}

const CONTEXT = "iter8ts-kube";

/** Writes a self-contained kubeconfig (every credential inline) for `access`. */
export function writeKubeconfig(path: string, access: ClusterAccess, namespace = "default"): void {
  const b64 = (pem: string | undefined) => (pem === undefined ? undefined : Buffer.from(pem).toString("base64"));
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: CONTEXT,
        cluster: { server: access.server, "certificate-authority-data": b64(access.caData), "insecure-skip-tls-verify": access.insecureSkipTlsVerify || undefined },
      },
    ],
    users: [
      {
        name: CONTEXT,
        user: { "client-certificate-data": b64(access.clientCertData), "client-key-data": b64(access.clientKeyData), token: access.token },
      },
    ],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT, namespace } }],
    "current-context": CONTEXT,
  };
  // JSON is YAML, and every kubeconfig reader accepts it; undefined fields drop out.
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

interface Named<T> {
  name?: string;
  cluster?: T;
  user?: T;
  context?: T;
}
type Fields = Record<string, unknown>;

/**
 * Reads the current context of a kubeconfig: its server, CA and (when inline or in files)
 * certificate or token. Exec and auth-provider users are left to kubectl; their access has neither.
 */
export function readKubeconfig(path: string): ClusterAccess {
  const bad = (why: string, cause?: unknown) =>
    new KubeHarnessError(KubeHarnessErrorCode.InvalidKubeconfig, `kubeconfig ${path}: ${why}`, { cause });
  let doc: Fields;
  try {
    doc = parse(readFileSync(path, "utf8")) as Fields;
  } catch (err) {
    throw bad(`cannot be read (${(err as Error).message})`, err);
  }
  const pick = <T>(list: unknown, name: unknown, field: "cluster" | "user" | "context"): T | undefined =>
    Array.isArray(list) ? (list as Named<T>[]).find((e) => e.name === name)?.[field] : undefined;
  const context = pick<Fields>(doc.contexts, doc["current-context"], "context");
  if (!context) throw bad(`has no context named by current-context (${String(doc["current-context"])})`);
  const cluster = pick<Fields>(doc.clusters, context.cluster, "cluster");
  if (!cluster || typeof cluster.server !== "string") throw bad(`context ${String(doc["current-context"])} names no cluster with a server`);
  const user = pick<Fields>(doc.users, context.user, "user") ?? {};
  const pem = (data: unknown, file: unknown): string | undefined => {
    if (typeof data === "string") return Buffer.from(data, "base64").toString("utf8");
    if (typeof file === "string") return readFileSync(file, "utf8");
    return undefined;
  };
  const token = typeof user.token === "string" ? user.token : typeof user.tokenFile === "string" ? readFileSync(user.tokenFile, "utf8").trim() : undefined;
  return {
    server: cluster.server,
    ...(cluster["insecure-skip-tls-verify"] === true ? { insecureSkipTlsVerify: true } : {}),
    caData: pem(cluster["certificate-authority-data"], cluster["certificate-authority"]),
    clientCertData: pem(user["client-certificate-data"], user["client-certificate"]),
    clientKeyData: pem(user["client-key-data"], user["client-key"]),
    token,
  };
}
