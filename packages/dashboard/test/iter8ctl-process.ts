// The built iter8ctl (apps/cli/dist) as a child process, as a user runs it: `iter8ctl dashboard`
// until it prints where it serves, `iter8ctl run` to the end. The test fails with the build
// command when the CLI is not built.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..", "..", "..");
export const CLI_PATH = join(REPO_ROOT, "apps", "cli", "dist", "iter8ctl.js");
export const CONTROLLER_PATH = join(REPO_ROOT, "apps", "controller", "dist", "controller.js");

/** Fails with the command that builds what is missing. */
export function requireBuilt(path: string, filter: string): void {
  if (!existsSync(path)) throw new Error(`${path} does not exist: build it first with \`pnpm exec turbo run build --filter=${filter}...\``);
}

/** A spawned process and what it printed. */
export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Spawns `node file args` with `env`, collecting stdout and stderr. */
export function spawnNode(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [file, ...args], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Starts `iter8ctl dashboard args --port 0` and resolves with its URL once it serves. */
export async function startDashboardProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Spawned & { url: string }> {
  requireBuilt(CLI_PATH, "@iter8ts/cli");
  const process = spawnNode(CLI_PATH, ["dashboard", ...args, "--port", "0"], env);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = /Serving the dashboard of .* at (http:\/\/\S+) \(Ctrl-C to stop\)/.exec(process.output())?.[1];
    if (url) return { ...process, url };
    if (process.child.exitCode !== null || Date.now() > deadline) {
      await process.stop();
      throw new Error(`iter8ctl dashboard did not start; it printed:\n${process.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
