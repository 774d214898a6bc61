import type { Command } from "commander";
import type { ClusterEnv } from "./cluster-connection";

/** The options `describe` and `assert` share for finding their experiment. */
export interface ExperimentLocationOptions {
  file?: string;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
}

/** Adds `-n/--namespace`, `--kubeconfig` and `--context` to a command that reads one experiment. */
export function addClusterOptions(command: Command): Command {
  return command
    .option("-n, --namespace <namespace>", "namespace of the experiment in the cluster; default: the kubeconfig context's namespace, else default")
    .option("--kubeconfig <path>", "kubeconfig file; default: $KUBECONFIG, else ~/.kube/config, else the pod's service account")
    .option("--context <name>", "kubeconfig context; default: the current context");
}

/** The environment variables that locate a cluster, read at the command's edge. */
export function clusterEnv(): ClusterEnv {
  const { KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST } = process.env;
  return {
    ...(KUBECONFIG ? { KUBECONFIG } : {}),
    ...(HOME ? { HOME } : {}),
    ...(KUBERNETES_SERVICE_HOST ? { KUBERNETES_SERVICE_HOST } : {}),
  };
}
