import type { CommandIo } from "../command-io";
import type { ClusterEnv } from "../cluster/cluster-connection";
import type { ExperimentKey } from "@iter8ts/engine";
import { parseIter8Logs, selectDebugLogs, type DebugLog } from "@iter8ts/report";
import { parseDebugPriority, renderDebugLogs } from "./debug-logs";
import { escapeControls } from "../terminal-text";
import type { DebugCommandOptions } from "../commands/debug";

function fail(io: CommandIo, message: string): number {
  io.err(`Error: ${escapeControls(message)}\n`);
  return 1;
}

function print(io: CommandIo, target: ExperimentKey, logs: readonly DebugLog[], priority: number): void {
  io.out(renderDebugLogs(target, selectDebugLogs(logs, priority)));
}

async function debugLocal(name: string | undefined, options: DebugCommandOptions, priority: number, io: CommandIo): Promise<number> {
  if (options.kubeconfig !== undefined || options.context !== undefined || options.jobNamespace !== undefined) {
    return fail(io, "--kubeconfig, --context and --job-namespace select a cluster; they cannot be used with -f");
  }
  const { LocalRunError, readLocalActionLog } = await import("@iter8ts/local");
  let found;
  try {
    found = await readLocalActionLog(options.file ?? [], {
      ...(name !== undefined ? { name } : {}),
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    });
  } catch (error) {
    if (!(error instanceof LocalRunError)) throw error;
    fail(io, error.message);
    for (const problem of error.problems) if (problem !== error.message) io.err(`  ${escapeControls(problem)}\n`);
    return 1;
  }
  if ("error" in found) return fail(io, found.error);
  if (!found.exists) io.err(`Note: ${escapeControls(found.path)} does not exist yet: iter8ctl run has run no action of these documents (or was given another --state-dir)\n`);
  print(io, found.target, parseIter8Logs(found.text, found.target), priority);
  return 0;
}

async function debugCluster(name: string | undefined, options: DebugCommandOptions, priority: number, io: CommandIo, env: ClusterEnv): Promise<number> {
  if (options.stateDir !== undefined) return fail(io, "--state-dir belongs to local mode; pass it with -f");
  // The Kubernetes client is loaded only by the commands that talk to a cluster.
  const { ClusterConfigError, connectCluster } = await import("../cluster/cluster-connection");
  const { LEGACY_ACTION_NAMESPACE, readClusterActionLogs } = await import("../cluster/cluster-action-logs");
  const { clusterExperimentSource } = await import("../cluster/cluster-experiment-source");
  const { ExperimentLoadError } = await import("@iter8ts/report");
  let connection = options.connection;
  try {
    connection ??= connectCluster({ ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}), ...(options.context ? { context: options.context } : {}) }, env);
  } catch (error) {
    if (!(error instanceof ClusterConfigError)) throw error;
    return fail(io, error.message);
  }
  const namespace = options.namespace || connection.namespace;
  let experimentName = name;
  if (experimentName === undefined) {
    // Without a name: the experiment created last in the namespace (Iter8 took the last by name).
    try {
      const { experiment } = await clusterExperimentSource({ namespace, connection }, env).load();
      experimentName = experiment.metadata.name ?? "";
    } catch (error) {
      if (!(error instanceof ExperimentLoadError)) throw error;
      return fail(io, error.message);
    }
  }
  const target = { name: experimentName, namespace };
  const extra = options.jobNamespace ?? [];
  const read = await readClusterActionLogs(connection.clients, target, [namespace, ...extra, LEGACY_ACTION_NAMESPACE], new Set([LEGACY_ACTION_NAMESPACE].filter((n) => !extra.includes(n) && n !== namespace)));
  for (const problem of read.problems) io.err(`Warning: ${escapeControls(problem)}\n`);
  if (read.searched === 0) return fail(io, `no namespace could be searched for the action Jobs of experiment ${namespace}/${experimentName}`);
  print(io, target, read.pods.flatMap((pod) => parseIter8Logs(pod.log, target)), priority);
  return 0;
}

/**
 * Runs `iter8ctl debug`: the experiment's Iter8Log lines at or above the priority.
 * @returns the exit code: 0, or 1 for a usage error or logs that cannot be read at all.
 */
export async function runDebug(name: string | undefined, options: DebugCommandOptions, io: CommandIo, env: ClusterEnv): Promise<number> {
  const priority = parseDebugPriority(options.priority);
  if (typeof priority !== "number") return fail(io, priority.error);
  if (options.file !== undefined) return debugLocal(name, options, priority, io);
  return debugCluster(name, options, priority, io, env);
}
