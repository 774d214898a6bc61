import { spawn } from "node:child_process";

/** What a finished command printed and how it ended. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Text written to the command's standard input. */
  input?: string;
  /** Killed (and reported as failed) after this long; default 5 minutes. */
  timeoutMs?: number;
}

/**
 * Runs a command without a shell and collects its output. A non-zero exit is a result, not an
 * error (tests assert on it); only a command that cannot start or runs past its time limit throws.
 */
export function runCommand(command: string, args: readonly string[], options: RunCommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timeoutMs = options.timeoutMs ?? 300_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} (in ${options.cwd}) ran longer than ${timeoutMs} ms; output so far:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command} (in ${options.cwd}): ${err.message}; is it installed and on PATH?`, { cause: err }));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    // A command that exits without reading all of its input makes the write fail with EPIPE; its
    // exit code and output already say what happened, so the pipe's error is not one of its own.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** Like {@link runCommand}, but a non-zero exit throws an error carrying the command's output. */
export async function mustRun(command: string, args: readonly string[], options: RunCommandOptions): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} (in ${options.cwd}) exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}
