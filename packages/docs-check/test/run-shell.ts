// Runs the shell blocks of one Markdown file in order, with one shell state per file (cwd and
// exported variables carry from one block to the next, as in the reader's terminal).
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DocBlock, ShellCommand } from "./doc-blocks";

export interface ShellResult {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface ShellFileSession {
  /** Runs one block's commands (skipped ones left out) after the state the earlier blocks left. */
  run(block: DocBlock): Promise<ShellResult>;
}

const DEFAULT_TIMEOUT_SECONDS = 120;

/** The script that runs `commands` in the state file's cwd and variables, then saves the state. */
export function shellScript(commands: readonly ShellCommand[], stateFile: string, startDir: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const body = commands.map((c) => (c.skipReason === undefined ? c.text : `: docs-check skipped: ${q(c.text.split("\n")[0]!)}`)).join("\n");
  return [
    "set -e -o pipefail",
    `cd ${q(startDir)}`,
    // The shell's own variables, which are not the doc's to carry over.
    `__dc_initial=" $(compgen -v | tr '\\n' ' ') "`,
    `if [ -f ${q(stateFile)} ]; then . ${q(stateFile)}; fi`,
    // Saved on every exit, so the next block starts where this one ended, as in one terminal:
    // exported variables, the variables the blocks set, and the working directory.
    `__dc_save() { export -p; for __v in $(compgen -v); do case "$__dc_initial" in *" $__v "*) ;; *) case "$__v" in __*) ;; *) declare -p "$__v" 2>/dev/null || true ;; esac ;; esac; done; printf "cd %q\\n" "$PWD"; }`,
    `trap '__rc=$?; __dc_save > ${q(stateFile)}.next 2>/dev/null; mv -f ${q(stateFile)}.next ${q(stateFile)}; exit $__rc' EXIT`,
    body,
    "",
  ].join("\n");
}

/** A session for one file: `env` is the environment the documented steps leave (PATH, KUBECONFIG). */
export function shellFileSession(options: { root: string; workDir: string; name: string; env: NodeJS.ProcessEnv }): ShellFileSession {
  const stateFile = join(options.workDir, `${options.name}.state.sh`);
  let index = 0;
  return {
    run(block) {
      const script = join(options.workDir, `${options.name}.${index++}.sh`);
      writeFileSync(script, shellScript(block.commands, stateFile, options.root));
      const timeoutMs = (block.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
      return runProcess("bash", [script], { cwd: options.root, env: options.env, timeoutMs });
    },
  };
}

/** Runs one transcript command (`$ cmd`) with the same state handling. */
export function transcriptBlock(block: DocBlock, command: ShellCommand): DocBlock {
  return { ...block, commands: [command] };
}

export function runProcess(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; input?: string }): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    if (!existsSync(options.cwd)) {
      reject(new Error(`working directory ${options.cwd} does not exist`));
      return;
    }
    // Its own process group, so a timeout stops what the block started in the background too.
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", () => {
      // Whatever the block left running in the background ends with it (and closes the pipes).
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // the group is gone already
      }
    });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, timedOut, stdout, stderr });
    });
    // A command that exits without reading all of its input makes the write fail with EPIPE; its
    // exit code and output already say what happened, so the pipe's error is not one of its own.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}
