/** Starting and stopping the control plane's processes, each in a process group of its own. */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

/**
 * Starts `binary` detached (its own process group, so stopping it also stops anything it forks)
 * with stdout and stderr appended to `logPath`, and returns its pid. The child is unreferenced so
 * that `kube:up` can exit and leave it running.
 */
export function spawnComponent(binary: string, args: readonly string[], logPath: string): number {
  const log = openSync(logPath, "a");
  try {
    const child = spawn(binary, args, { detached: true, stdio: ["ignore", log, log] });
    child.unref();
    if (child.pid === undefined) throw new Error(`${binary} did not start`);
    // A spawn failure (ENOENT) is reported asynchronously; pid is undefined then, handled above.
    child.on("error", () => {});
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Whether a process with this pid still runs (a zombie of this process counts until reaped). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends SIGTERM to each process group in order, waiting for each to exit (SIGKILL after
 * `graceMs`), so that the controller manager goes before the API server and the API server before
 * etcd, and none logs the others' disappearance as an error.
 */
export async function stopComponents(pids: readonly number[], graceMs = 10_000): Promise<void> {
  for (const pid of pids) {
    signalGroup(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (isRunning(pid) && Date.now() < deadline) await sleep(50);
    if (isRunning(pid)) {
      signalGroup(pid, "SIGKILL");
      while (isRunning(pid)) await sleep(50);
    }
  }
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(path: string, lines = 15): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
