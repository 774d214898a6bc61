import { spawn } from "node:child_process";
import { access } from "node:fs/promises";
import { DemoError, DemoErrorCode } from "./demo-error";

/** How a child `iter8ctl` ended. */
export interface ChildExit {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link runIter8ctl}. */
export interface RunIter8ctlOptions {
  /** Ends the child: SIGTERM at once, SIGKILL after `killGraceMs`. */
  signal?: AbortSignal;
  /** Receives the child's output; without it the child shares this process's terminal. */
  output?: (text: string, stream: "stdout" | "stderr") => void;
  /** Default 3000 ms. */
  killGraceMs?: number;
}

/** Runs `node <cliPath> ...args` with the same Node as this process. */
export function runIter8ctl(cliPath: string, args: readonly string[], options: RunIter8ctlOptions = {}): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: options.output ? ["ignore", "pipe", "pipe"] : "inherit" });
    child.stdout?.setEncoding("utf8").on("data", (text: string) => options.output?.(text, "stdout"));
    child.stderr?.setEncoding("utf8").on("data", (text: string) => options.output?.(text, "stderr"));
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), options.killGraceMs ?? 3000);
      killTimer.unref();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    child.once("error", (error) => {
      options.signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ code, signal });
    });
  });
}

/**
 * Checks that the built `iter8ctl` exists and has a `run` command, so the demo stops with a
 * clear message before it starts anything when the CLI was not built or local mode is missing.
 *
 * @throws DemoError `iter8ctl_missing` or `run_command_missing`.
 */
export async function checkIter8ctlRun(cliPath: string): Promise<void> {
  try {
    await access(cliPath);
  } catch {
    throw new DemoError(
      DemoErrorCode.Iter8ctlMissing,
      `iter8ctl is not built at ${cliPath}; run \`pnpm exec turbo run build --filter=@iter8ts/cli...\` first`,
    );
  }
  let help = "";
  const exit = await runIter8ctl(cliPath, ["--help"], { output: (text) => (help += text), signal: AbortSignal.timeout(15_000) });
  // Commander lists subcommands under "Commands:", each indented and followed by its arguments.
  const commands = help.slice(help.indexOf("Commands:"));
  if (exit.code !== 0 || help.indexOf("Commands:") < 0 || !/^\s+run\b/m.test(commands)) {
    throw new DemoError(
      DemoErrorCode.RunCommandMissing,
      `${cliPath} has no \`run\` command (local mode), which the demo needs to run experiments; ` +
        "build an iter8ctl that includes `iter8ctl run <dir>` (apps/cli), then try again",
    );
  }
}
