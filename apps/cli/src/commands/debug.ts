import { Command } from "commander";
import { processIo, type CommandIo } from "../command-io";
import type { ClusterConnection, ClusterEnv } from "../cluster/cluster-connection";
import { addClusterOptions, clusterEnv } from "../cluster/cluster-options";

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
      const { runDebug } = await import("../debug/run-debug");
      io.setExitCode(await runDebug(name, opts, io, env));
    });
}
