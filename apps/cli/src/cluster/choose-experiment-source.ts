import type { CommandIo } from "../command-io";
import type { ExperimentSource } from "@iter8ts/report";
import { fileExperimentSource } from "../experiment-source";
import type { ClusterEnv } from "./cluster-connection";
import type { ClusterExperimentOptions } from "./cluster-experiment-source";
import type { ExperimentLocationOptions } from "./cluster-options";

/**
 * The experiment a command reads: the file given with `-f`, else the experiment NAME (or the
 * latest one) in the cluster.
 * @returns the source, or the usage error to print.
 */
export function chooseExperimentSource(name: string | undefined, options: ExperimentLocationOptions, io: CommandIo, env: ClusterEnv): ExperimentSource | { error: string } {
  if (options.file !== undefined && options.file !== "") {
    if (name !== undefined) return { error: `pass an experiment NAME to read it from the cluster, or -f ${options.file}, not both` };
    if (options.namespace !== undefined) return { error: "-n/--namespace selects an experiment in the cluster; it cannot be used with -f" };
    return fileExperimentSource(options.file, io.read);
  }
  if (options.file === "") return { error: "-f needs a file, or - to read standard input" };
  const target = {
    ...(name !== undefined ? { name } : {}),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
  };
  return lazyClusterSource(target, env);
}

/**
 * A cluster source that loads the Kubernetes client on first use: it takes longer to load than
 * everything else the CLI needs, and commands reading a file never need it.
 */
function lazyClusterSource(target: ClusterExperimentOptions, env: ClusterEnv): ExperimentSource {
  let real: ExperimentSource | undefined;
  const open = async () => (real ??= (await import("./cluster-experiment-source")).clusterExperimentSource(target, env));
  return {
    get label() {
      return real?.label ?? (target.name !== undefined ? `experiment ${target.name}` : "the latest experiment");
    },
    rereadable: true,
    load: async () => (await open()).load(),
  };
}
