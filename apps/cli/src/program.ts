import { Command } from "commander";
import { commands } from "./commands/index";

/** The version printed by `iter8ctl --version`, injected at build time. */
declare const __ITER8CTL_VERSION__: string | undefined;
const version = typeof __ITER8CTL_VERSION__ === "string" ? __ITER8CTL_VERSION__ : "0.0.0-dev";

/** Builds the `iter8ctl` command tree; tests call this with their own output streams. */
export function buildProgram(): Command {
  const program = new Command("iter8ctl")
    .description("Run, validate, analyze, describe and assert Iter8 v2alpha2 experiments, with or without a cluster.")
    .version(version, "-v, --version", "print the iter8ctl version")
    .showHelpAfterError()
    .exitOverride();
  for (const make of commands) program.addCommand(make());
  return program;
}
