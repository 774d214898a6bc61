import { Command } from "commander";
import { processIo, type CommandIo } from "../command-io";
import type { ClusterConnection } from "../cluster/cluster-connection";

/** What `action run` reads from its flags, with the Job's environment as fallback. */
export interface ActionRunOptions {
  action?: string;
  experiment?: string;
  runId?: string;
  kubeconfig?: string;
  context?: string;
}

/** The variables the controller sets on action Jobs (Iter8's task runner read the same ones). */
export interface ActionEnv {
  ACTION?: string;
  EXPERIMENT_NAME?: string;
  EXPERIMENT_NAMESPACE?: string;
  RUN_ID?: string;
  /** `true` where the controller allows exec-type tasks; anything else refuses them. */
  ITER8_ALLOW_EXEC?: string;
  /** The controller's `--egress-allow`: what notification URLs may reach besides the default. */
  ITER8_EGRESS_ALLOW?: string;
  KUBECONFIG?: string;
  HOME?: string;
  KUBERNETES_SERVICE_HOST?: string;
  [name: string]: string | undefined;
}

function processEnv(): ActionEnv {
  return { ...process.env };
}

/** The environment handed to task processes: every variable of the container that has a value. */
function taskEnv(env: ActionEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * `iter8ctl action run --action NAME --experiment NS/NAME --run-id ID`: what the controller's
 * action Jobs run. Reads the experiment from the cluster, runs the action's tasks, writes their
 * status changes, prints Iter8Log JSON lines, and exits 0 when every task succeeded, else 1.
 * Exec-type tasks run only when ITER8_ALLOW_EXEC is `true` (the controller sets it per namespace).
 */
export function actionCommand(io: CommandIo = processIo, env: ActionEnv = processEnv()): Command {
  const action = new Command("action").description("Run experiment actions (used by the controller's action Jobs)");
  action
    .command("run")
    .description("Run one action (start, loop, finish, failure) of an experiment stored in the cluster, printing Iter8Log JSON lines")
    .option("--action <name>", "the action in spec.strategy.actions (env ACTION)")
    .option("--experiment <namespace/name>", "the experiment (env EXPERIMENT_NAMESPACE and EXPERIMENT_NAME)")
    .option("--run-id <id>", "the controller's id of this run, echoed in the logs (env RUN_ID)")
    .option("--kubeconfig <path>", "kubeconfig file; default: $KUBECONFIG, else ~/.kube/config, else the pod's service account")
    .option("--context <name>", "kubeconfig context; default: the current context")
    .action(async (opts: ActionRunOptions) => {
      // The Kubernetes client is loaded only by the commands that talk to a cluster: it takes
      // longer to load than everything else the CLI needs.
      const { ClusterConfigError, connectCluster } = await import("../cluster/cluster-connection");
      const { jobFetch, runClusterAction } = await import("@iter8ts/kube");
      const { resolveActionTarget } = await import("../action/resolve-action-target");
      let connection: ClusterConnection | undefined;
      const connect = () => (connection ??= connectCluster({ ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}), ...(opts.context ? { context: opts.context } : {}) }, env));
      let target;
      try {
        target = resolveActionTarget(opts, env, () => connect().namespace);
        if (!("error" in target)) connect();
      } catch (error) {
        if (!(error instanceof ClusterConfigError)) throw error;
        io.err(`Error: ${error.message}\n`);
        io.setExitCode(1);
        return;
      }
      if ("error" in target) {
        io.err(`Error: ${target.error}\n`);
        io.setExitCode(1);
        return;
      }
      let fetchForTasks: typeof fetch;
      try {
        fetchForTasks = await jobFetch(connect().clients, env);
      } catch (error) {
        io.err(`Error: ITER8_EGRESS_ALLOW: ${error instanceof Error ? error.message : String(error)}\n`);
        io.setExitCode(1);
        return;
      }
      // The Job's deadline ends the pod with SIGTERM: stop the tasks and their processes first.
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      try {
        const result = await runClusterAction({
          clients: connect().clients,
          experiment: { namespace: target.namespace, name: target.name },
          action: target.action,
          ...(target.runId ? { runId: target.runId } : {}),
          env: taskEnv(env),
          // Only the controller's explicit yes: a Job made without the variable runs no process.
          allowExec: env.ITER8_ALLOW_EXEC?.trim().toLowerCase() === "true",
          fetch: fetchForTasks,
          log: (line) => io.out(`${line}\n`),
          signal: abort.signal,
        });
        if (!result.ok) io.err(`Error: action ${target.action} of experiment ${target.namespace}/${target.name} failed: ${result.error}\n`);
        io.setExitCode(result.ok ? 0 : 1);
      } finally {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
    });
  return action;
}
