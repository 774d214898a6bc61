import { stat } from "node:fs/promises";
import { clusterFeed, localFeed, startDashboard, type ExperimentFeed } from "@iter8ts/dashboard";
import type { CommandIo } from "../command-io";
import { connectCluster, type ClusterEnv, type ClusterTarget } from "../cluster/cluster-connection";

/** What `iter8ctl dashboard` was asked to serve. */
export interface DashboardRequest {
  /** A local run's folder or file; without it, the cluster. */
  dir?: string;
  namespace?: string;
  allNamespaces?: boolean;
  port: number;
  address?: string;
  kubeconfig?: string;
  context?: string;
}

/** `--port` as a number, or the message saying what is wrong with it. */
export function parsePort(text: string | undefined, fallback: number): number | string {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) return `--port must be a whole number from 0 to 65535 (0 picks a free port), not ${JSON.stringify(text)}`;
  return port;
}

const LOOPBACK = ["127.0.0.1", "::1", "localhost"];

/** Waits for Ctrl-C or SIGTERM (or the given signal, in tests). */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal) {
      if (signal.aborted) return resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/**
 * Serves the dashboard until stopped: of a local run's folder (`dir`), or of a cluster through
 * the kubeconfig (one namespace, or every one with `allNamespaces`), read-only.
 * @returns the exit code: 0 once stopped; 1 when the source or the address cannot be used; 2 for
 *   flags that contradict each other.
 */
export async function runDashboard(request: DashboardRequest, io: CommandIo, env: ClusterEnv, signal?: AbortSignal): Promise<number> {
  if (request.dir !== undefined && (request.namespace !== undefined || request.allNamespaces || request.kubeconfig !== undefined || request.context !== undefined)) {
    io.err(`Error: dashboard ${request.dir} shows a local run's folder; -n, -A, --kubeconfig and --context are for a cluster: drop them, or drop the folder\n`);
    return 2;
  }
  if (request.namespace !== undefined && request.allNamespaces) {
    io.err("Error: pass -n NAMESPACE or -A (--all-namespaces), not both\n");
    return 2;
  }
  const address = request.address ?? "127.0.0.1";
  let feed: ExperimentFeed;
  if (request.dir !== undefined) {
    try {
      await stat(request.dir);
    } catch (error) {
      io.err(`Error: ${request.dir} cannot be read: ${(error as Error).message}; pass the folder iter8ctl run was given\n`);
      return 1;
    }
    feed = localFeed({ paths: [request.dir] });
  } else {
    const target: ClusterTarget = {};
    if (request.kubeconfig !== undefined) target.kubeconfig = request.kubeconfig;
    if (request.context !== undefined) target.context = request.context;
    if (request.namespace !== undefined) target.namespace = request.namespace;
    let connection;
    try {
      connection = connectCluster(target, env);
    } catch (error) {
      io.err(`Error: ${(error as Error).message}\n`);
      return 1;
    }
    feed = clusterFeed({ clients: connection.clients, ...(request.allNamespaces ? {} : { namespace: connection.namespace }) });
  }
  let dashboard;
  try {
    dashboard = await startDashboard({ feed, port: request.port, address });
  } catch (error) {
    await feed.stop();
    const code = (error as { code?: string }).code;
    const why =
      code === "EADDRINUSE"
        ? `port ${request.port} is in use; pass --port with another (0 picks a free one)`
        : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
          ? `${address} given to --address is not an address of this machine`
          : (error as Error).message;
    io.err(`Error: the dashboard cannot listen on ${address}:${request.port}: ${why}\n`);
    return 1;
  }
  if (!LOOPBACK.includes(address)) {
    io.err(`Warning: the dashboard listens on ${address}: anyone who can reach it can read these experiments (it has no login)\n`);
  }
  const problems = feed.snapshot().problems;
  for (const p of problems) io.err(`Warning: ${p.subject}: ${p.message}\n`);
  io.out(`Serving the dashboard of ${feed.description} at ${dashboard.url} (Ctrl-C to stop)\n`);
  await untilStopped(signal);
  await dashboard.close();
  return 0;
}
