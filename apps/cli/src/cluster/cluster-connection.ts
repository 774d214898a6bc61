import { existsSync } from "node:fs";
import { join } from "node:path";
import { createKubeClients, type KubeClients } from "@iter8ts/kube";

/** Where the cluster is, as the user said it (flags) and as the process found it (environment). */
export interface ClusterTarget {
  /** `--kubeconfig`; else `KUBECONFIG`, else `~/.kube/config`, else the in-cluster account. */
  kubeconfig?: string;
  /** `--context`; else the kubeconfig's current context. */
  context?: string;
  /** `-n`; else the context's namespace, else `default`. */
  namespace?: string;
}

/** The parts of the environment that locate a cluster. */
export interface ClusterEnv {
  KUBECONFIG?: string;
  HOME?: string;
  KUBERNETES_SERVICE_HOST?: string;
}

/** Why no cluster could be reached; the message says what to pass. */
export class ClusterConfigError extends Error {
  override readonly name = "ClusterConfigError";
  readonly code = "no_cluster_config";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An open connection and the namespace commands use by default. */
export interface ClusterConnection {
  clients: KubeClients;
  namespace: string;
}

/**
 * Loads the cluster configuration the way kubectl does: `--kubeconfig`, then `KUBECONFIG`, then
 * `~/.kube/config`, then the pod's service account. Finding none is an error here rather than
 * a quiet attempt at localhost:8080.
 * @throws ClusterConfigError naming the sources it tried.
 */
export function connectCluster(target: ClusterTarget, env: ClusterEnv): ClusterConnection {
  const explicit = target.kubeconfig;
  const home = env.HOME ? join(env.HOME, ".kube", "config") : undefined;
  if (!explicit && !env.KUBECONFIG && !(home && existsSync(home)) && !env.KUBERNETES_SERVICE_HOST) {
    throw new ClusterConfigError(
      `no cluster is configured: KUBECONFIG is not set, ${home ?? "~/.kube/config"} does not exist, and this is not a pod; pass --kubeconfig FILE, or -f FILE to read an experiment from a file`,
    );
  }
  let clients: KubeClients;
  try {
    clients = createKubeClients({ ...(explicit ? { kubeconfig: explicit } : {}), ...(target.context ? { context: target.context } : {}) });
  } catch (error) {
    throw new ClusterConfigError(`${error instanceof Error ? error.message : String(error)}; check --kubeconfig, KUBECONFIG or --context`, { cause: error });
  }
  return { clients, namespace: target.namespace || clients.namespace };
}
