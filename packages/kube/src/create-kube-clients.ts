import { KubeConfig, Watch } from "@kubernetes/client-node";
import { KubeApi } from "./kube-api";
import { KubeError, KubeErrorCode } from "./kube-error";
import { ResourceMapper } from "./resource-mapper";

/** Where the cluster configuration comes from; the first that is given wins. */
export interface KubeClientsOptions {
  /** A loaded configuration (tests, or a runtime that built its own). */
  kubeConfig?: KubeConfig;
  /** Path of a kubeconfig file (or a loaded configuration, like `kubeConfig`). */
  kubeconfig?: string | KubeConfig;
  /** Use the pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  inCluster?: boolean;
  /** Context to use instead of the kubeconfig's current context. */
  context?: string;
  /** Timeout of each API request in ms (default 30 s; watches are not limited). */
  requestTimeoutMs?: number;
}

/** Everything the adapter's parts need to talk to one cluster. */
export interface KubeClients {
  kubeConfig: KubeConfig;
  /** JSON requests with the kubeconfig's credentials. */
  api: KubeApi;
  /** apiVersion/kind → paths, through discovery. */
  mapper: ResourceMapper;
  /** client-node's watch, for informers. */
  watch: Watch;
  /** The namespace of the current context (in a cluster: the pod's namespace), else `default`. */
  namespace: string;
}

/**
 * Loads the cluster configuration and builds the clients. With no option, client-node's default
 * rules apply: `$KUBECONFIG`, then `~/.kube/config`, then the in-cluster service account. A
 * runtime that wants to be explicit passes `inCluster: true` or a kubeconfig path.
 *
 * @throws KubeError `Config` when no configuration can be loaded or it names no cluster.
 */
export function createKubeClients(options: KubeClientsOptions = {}): KubeClients {
  let kubeConfig = options.kubeConfig ?? (options.kubeconfig instanceof KubeConfig ? options.kubeconfig : undefined);
  if (!kubeConfig) {
    kubeConfig = new KubeConfig();
    try {
      if (typeof options.kubeconfig === "string") kubeConfig.loadFromFile(options.kubeconfig);
      else if (options.inCluster) kubeConfig.loadFromCluster();
      else kubeConfig.loadFromDefault();
    } catch (error) {
      const source = typeof options.kubeconfig === "string" ? `kubeconfig ${options.kubeconfig}` : options.inCluster ? "the in-cluster service account" : "the default kubeconfig";
      throw new KubeError(KubeErrorCode.Config, `Could not load ${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  if (options.context) {
    if (!kubeConfig.getContextObject(options.context)) {
      throw new KubeError(KubeErrorCode.Config, `The kubeconfig has no context ${options.context}; choose one of: ${kubeConfig.getContexts().map((c) => c.name).join(", ") || "(none)"}`);
    }
    kubeConfig.setCurrentContext(options.context);
  }
  const apiOptions = options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs };
  const api = new KubeApi(kubeConfig, apiOptions);
  const namespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace?.trim() || "default";
  return { kubeConfig, api, mapper: new ResourceMapper(kubeConfig, api), watch: new Watch(kubeConfig), namespace };
}
