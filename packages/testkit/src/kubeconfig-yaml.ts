/** The kubeconfig document for a server reachable over plain HTTP without credentials. */
import { stringify } from "yaml";

/** Name used for the cluster, user and context entries. */
export const KUBECONFIG_CONTEXT = "iter8ts-test";

/**
 * A kubeconfig for `url`. `insecure-skip-tls-verify` must be set: @kubernetes/client-node refuses
 * `http:` servers otherwise.
 */
export function kubeconfigYaml(url: string, namespace = "default"): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: KUBECONFIG_CONTEXT, cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: KUBECONFIG_CONTEXT, user: {} }],
    contexts: [{ name: KUBECONFIG_CONTEXT, context: { cluster: KUBECONFIG_CONTEXT, user: KUBECONFIG_CONTEXT, namespace } }],
    "current-context": KUBECONFIG_CONTEXT,
  });
}
