import type { KubeConfig } from "@kubernetes/client-node";
import { resolveAddresses } from "@iter8ts/metrics";

/**
 * The IP addresses of the Kubernetes API server, for the egress policy: the current cluster's
 * `server` in the kubeconfig and, in a pod, `KUBERNETES_SERVICE_HOST` (passed in: libraries do
 * not read the environment). Names are resolved now; one that cannot be resolved adds nothing.
 */
export async function apiServerAddresses(kubeConfig: KubeConfig, serviceHost?: string): Promise<string[]> {
  const hosts = new Set<string>();
  const server = kubeConfig.getCurrentCluster()?.server;
  if (server) {
    try {
      hosts.add(new URL(server).hostname);
    } catch {
      // A server that is not a URL fails the client elsewhere; it has no address to refuse.
    }
  }
  if (serviceHost) hosts.add(serviceHost);
  const addresses = await Promise.all([...hosts].map((host) => resolveAddresses(host)));
  return [...new Set(addresses.flat())];
}
