/** Runs kubectl against one kubeconfig. */
import { spawn } from "node:child_process";

/** What kubectl printed and how it exited. */
export interface KubectlResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one kubectl run. */
export interface KubectlOptions {
  /** Written to kubectl's stdin (for `-f -`). */
  readonly input?: string;
  /** Kills kubectl after this long; default 60 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Another kubeconfig than the admin's (say, one holding a ServiceAccount's token). */
  readonly kubeconfig?: string;
}

/**
 * Runs `binary --kubeconfig <kubeconfig> ...args`. A non-zero exit is a result, not an error: tests
 * assert on refusals (403, 422) as often as on successes.
 */
export function runKubectl(binary: string, kubeconfig: string, args: readonly string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["--kubeconfig", options.kubeconfig ?? kubeconfig, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 60_000,
      signal: options.signal,
      // kubectl must not pick up the caller's cluster through the environment.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, sig) => resolve({ exitCode: code ?? (sig ? 128 : 1), stdout, stderr }));
    // A command that exits without reading all of its input makes the write fail with EPIPE; its
    // exit code and output already say what happened, so the pipe's error is not one of its own.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}
