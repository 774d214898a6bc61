// Runs the built `iter8ctl` executable the way a user does, for end-to-end tests.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The app's root folder (apps/cli). */
export const cliRoot = join(import.meta.dirname, "..");
/** The repository's root folder. */
export const repoRoot = join(cliRoot, "..", "..");
/** The built executable. */
export const cliPath = join(cliRoot, "dist", "iter8ctl.js");

/** What a run printed and how it ended. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node apps/cli/dist/iter8ctl.js ARGS…` in `cwd` (default: the repository root) with
 * `input` on standard input. Fails with instructions when the CLI has not been built.
 */
export function runCli(args: readonly string[], options: { input?: string; cwd?: string; timeoutMs?: number } = {}): CliRun {
  if (!existsSync(cliPath)) {
    throw new Error(
      `${cliPath} does not exist: build the CLI and its packages first with \`pnpm turbo run build --filter=@iter8ts/cli...\` (npm test builds before testing)`,
    );
  }
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    input: options.input ?? "",
    encoding: "utf8",
    timeout: options.timeoutMs ?? 15_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
