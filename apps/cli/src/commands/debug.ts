import { Command } from "commander";
import { processIo, type CommandIo } from "../command-io";
import type { ClusterConnection, ClusterEnv } from "../cluster/cluster-connection";
import { addClusterOptions, clusterEnv } from "../cluster/choose-experiment-source";
import type { ExperimentKey } from "@iter8ts/engine";
import { parseIter8Logs, selectDebugLogs, type DebugLog } from "@iter8ts/report";
import { parseDebugPriority, renderDebugLogs } from "../debug/debug-logs";
import { escapeControls } from "../terminal-text";

/** Options of `iter8ctl debug`, as parsed. */
export interface DebugCommandOptions {
  /** Local mode: the paths `iter8ctl run` was given. */
  file?: string[];
  stateDir?: string;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  priority?: string;
  /** More namespaces where action Jobs may run (a controller started with --action-namespace). */
  jobNamespace?: string[];
  /** An open connection (tests); otherwise one is made from the kubeconfig. */
  connection?: ClusterConnection;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

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

/** `iter8ctl debug [NAME] [-n NS] [-p 1|2|3] [--job-namespace NS]... | -f PATH... [--state-dir DIR]`. */
export function debugCommand(io: CommandIo = processIo, env: ClusterEnv = clusterEnv()): Command {
  const command = new Command("debug")
    .description("Print an experiment's Iter8Log lines (errors, warnings, progress of its actions), from its action Jobs' logs or a local run's action log")
    .argument("[name]", "experiment (NAME, or NAMESPACE/NAME with -f); default: the most recently created one in the namespace, or the only one in the documents")
    .option("-p, --priority <1|2|3>", "show logs at or above this priority: 1 errors, 2 also warnings, 3 everything", "1")
    .option("-f, --file <path>", "local mode: a folder or file given to iter8ctl run (repeatable); reads its action log", collect)
    .option("--state-dir <dir>", "local mode: the --state-dir given to iter8ctl run (default: <folder of the first path>/.iter8ctl)")
    .option("--job-namespace <namespace>", "also look for action Jobs here (repeatable), for a controller started with --action-namespace", collect);
  return addClusterOptions(command)
    .addHelpText(
      "after",
      `
In a cluster, the logs are read from the pods of the experiment's action Jobs (labels
iter8/experimentName and iter8/experimentNamespace): in the experiment's namespace, where the
controller runs them, in each --job-namespace, and in iter8-system, where Iter8 and older
installs ran them (skipped without a word when you may not read it). In local mode (-f), from
<state folder>/action-log.jsonl, where iter8ctl run appends the Iter8Log lines of the actions.

Output, as Iter8's iter8ctl printed it, logs ordered by the loop they belong to:
  Debugging experiment NAME in namespace NS
  source: task-runner priority: 1 message: action finish, task 1 (run) failed: ...

Examples:
  iter8ctl debug quickstart-exp -n default -p 3
  iter8ctl debug -f samples/local/ab-progressive -p 2`,
    )
    .action(async (name: string | undefined, opts: DebugCommandOptions) => {
      io.setExitCode(await runDebug(name, opts, io, env));
    });
}
