import type { Command } from "commander";
import { actionCommand } from "./action";
import { analyzeCommand } from "./analyze";
import { assertCommand } from "./assert";
import { crdCommand } from "./crd";
import { debugCommand } from "./debug";
import { describeCommand } from "./describe";
import { reportCommand } from "./report";
import { runCommand } from "./run";
import { validateCommand } from "./validate";

/**
 * Every subcommand, in the order `iter8ctl --help` lists them. Each entry builds a fresh
 * commander Command (one file per command under ./commands).
 */
export const commands: Array<() => Command> = [() => describeCommand(), () => assertCommand(), () => debugCommand(), () => validateCommand(), () => runCommand(), () => analyzeCommand(), () => reportCommand(), () => crdCommand(), () => actionCommand()];
