// How a command is added to iter8ctl (read this before adding one; issue 18's start-up budget
// depends on it). `iter8ctl --help`, and every command, load this file and every command's
// *definition*, so a definition must be thin:
//
//   1. src/commands/<name>.ts exports `<name>Command(io = processIo, …deps): Command`: the
//      command's name, arguments, options, help text, and an `.action()` that checks its flags and
//      then loads the code that does the work with `await import("../<name>/…")` (or
//      `await import("@iter8ts/…")`). At the top of the definition file, import only `commander`,
//      `node:` builtins, `../command-io`, `../cluster/cluster-options`, `../provider-option` and
//      other files under src/commands/; types from anywhere with `import type`. Never a static
//      import of an @iter8ts package, yaml or zod, nor of the implementation modules (they pull
//      those in). Constants the help text needs are written in the definition, and the command's
//      test checks them against the package that owns them.
//   2. The implementation lives in src/<name>/ (e.g. src/describe/run-describe.ts exporting
//      `runDescribe(…)`), imports whatever it needs, and is tested directly.
//   3. Add one line `() => <name>Command(),` to COMMANDS below, in the place `--help` lists it.
//
// The published CLI is one esbuild bundle split at every `import()` (tsup.config.ts), so a command
// pays only for the chunks its implementation reaches. test/lazy-commands.test.ts runs the built
// CLI and fails when `--help` or `--version` loads an implementation, yaml or zod, or when a
// command that reads a file loads the Kubernetes client.
import { Command } from "commander";
import { actionCommand } from "./commands/action";
import { analyzeCommand } from "./commands/analyze";
import { assertCommand } from "./commands/assert";
import { crdCommand } from "./commands/crd";
import { dashboardCommand } from "./commands/dashboard";
import { debugCommand } from "./commands/debug";
import { describeCommand } from "./commands/describe";
import { reportCommand } from "./commands/report";
import { runCommand } from "./commands/run";
import { validateCommand } from "./commands/validate";

/** The version printed by `iter8ctl --version`: package.json's, injected at build time. */
declare const __ITER8CTL_VERSION__: string | undefined;
const version = typeof __ITER8CTL_VERSION__ === "string" ? __ITER8CTL_VERSION__ : "0.0.0-dev";

/** Every subcommand, in the order `iter8ctl --help` lists them; each call builds a fresh Command. */
export const COMMANDS: ReadonlyArray<() => Command> = [
  () => describeCommand(),
  () => assertCommand(),
  () => debugCommand(),
  () => validateCommand(),
  () => runCommand(),
  () => analyzeCommand(),
  () => reportCommand(),
  () => dashboardCommand(),
  () => crdCommand(),
  () => actionCommand(),
];

/** Builds the `iter8ctl` command tree; tests call this with their own output streams. */
export function buildProgram(): Command {
  const program = new Command("iter8ctl")
    .description("Run, validate, analyze, describe and assert Iter8 v2alpha2 experiments, with or without a cluster.")
    .version(version, "-v, --version", "print the iter8ctl version")
    .showHelpAfterError()
    .exitOverride();
  for (const make of COMMANDS) program.addCommand(make());
  return program;
}
