import { Command } from "commander";
import { processIo, type CommandIo } from "../command-io";
import type { ClusterEnv } from "../cluster/cluster-connection";
import { clusterEnv } from "../cluster/cluster-options";
import type { DashboardRequest } from "../dashboard/run-dashboard";

/** `iter8ctl dashboard`'s port when none is given (@iter8ts/dashboard's DEFAULT_DASHBOARD_PORT; the command's test checks they agree). */
export const DASHBOARD_PORT = 3108;

/** `iter8ctl dashboard [DIR] [-n NS | -A] [--port P] [--address A]`. */
export function dashboardCommand(io: CommandIo = processIo, env?: ClusterEnv, signal?: AbortSignal): Command {
  return new Command("dashboard")
    .description("Serve a live dashboard of experiments in the browser: those of a cluster (read-only), or those of the folder iter8ctl run works in")
    .argument("[dir]", "the folder (or file) given to iter8ctl run; without it, the cluster's experiments")
    .option("-n, --namespace <namespace>", "the namespace to show; default: the kubeconfig context's namespace, else default")
    .option("-A, --all-namespaces", "show the experiments of every namespace")
    .option("--port <port>", `port to listen on; 0 picks a free one (default ${DASHBOARD_PORT})`)
    .option("--address <address>", "address to listen on (default 127.0.0.1: this machine only)")
    .option("--kubeconfig <path>", "kubeconfig file; default: $KUBECONFIG, else ~/.kube/config, else the pod's service account")
    .option("--context <name>", "kubeconfig context; default: the current context")
    .action(async (dir: string | undefined, opts: Omit<DashboardRequest, "dir" | "port"> & { port?: string }) => {
      const { runDashboard, parsePort } = await import("../dashboard/run-dashboard");
      const port = parsePort(opts.port, DASHBOARD_PORT);
      if (typeof port === "string") {
        io.err(`Error: ${port}\n`);
        io.setExitCode(2);
        return;
      }
      const request: DashboardRequest = { ...opts, port };
      if (dir !== undefined) request.dir = dir;
      io.setExitCode(await runDashboard(request, io, env ?? clusterEnv(), signal));
    });
}
