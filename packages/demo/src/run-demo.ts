#!/usr/bin/env node
// The runtime behind `npm run demo`: parses the command line, runs the samples, prints the
// summary, and turns Ctrl-C into a clean stop. Everything else lives in the library modules.
import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DEMO_USAGE, parseDemoArgs } from "./demo-args";
import { DemoError } from "./demo-error";
import { runDemo } from "./demo-runner";
import { formatSummary } from "./format-summary";

/** The workspace root: the closest folder above this file with pnpm-workspace.yaml. */
function workspaceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** Runs the demo with the given arguments and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let args;
  try {
    args = parseDemoArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    print(DEMO_USAGE);
    return 0;
  }
  const root = workspaceRoot();
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const report = await runDemo({
      samples: args.samples,
      samplesDir: resolve(args.samplesDir ?? join(root, "samples", "local")),
      iter8ctl: resolve(args.iter8ctl ?? join(root, "apps", "cli", "dist", "iter8ctl.js")),
      fast: args.fast,
      budgetSeconds: args.budgetSeconds,
      qps: args.qps,
      keepWorkdirs: args.keepWorkdirs,
      log: print,
      signal: interrupt.signal,
    });
    for (const line of formatSummary(report)) print(line);
    return report.ok ? 0 : 1;
  } catch (error) {
    const message = error instanceof DemoError ? `demo: ${error.message}` : `demo: unexpected failure: ${(error as Error).stack ?? String(error)}`;
    process.stderr.write(`${message}\n`);
    return error instanceof DemoError && error.code === "interrupted" ? 130 : 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

const invoked = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : "";
if (import.meta.url === invoked) {
  // Exit explicitly: a stray keep-alive socket must not hold the demo open past its budget.
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
