import { readEngineStatus } from "@iter8ts/engine";
import { conditionOf, experimentNamespace, isConditionTrue, type Experiment } from "@iter8ts/types";
import { renderDescription, summarizeExperiment } from "@iter8ts/report";
import { describeExecCommand, LocalRunError, LocalRunErrorCode, LocalRunOutcome, runLocal, taskEnvironment, type ExecCommand, type LocalRunOptions } from "@iter8ts/local";
import type { CommandIo } from "../command-io";
import { RunExitCode, type RunCommandOptions, type RunRuntime } from "../commands/run";
import { ProgressMode, ProgressReporter } from "../progress/progress-reporter";
import { registryWithProviders } from "../provider-modules";
import { escapeControls, forTerminal } from "../terminal-text";

function failureText(experiment: Experiment): string {
  const id = `${experimentNamespace(experiment)}/${experiment.metadata.name ?? ""}`;
  const status = experiment.status;
  const failed = isConditionTrue(status, "Failed") ? conditionOf(status, "Failed") : undefined;
  const why = failed ? [failed.reason, failed.message].filter(Boolean).join(": ") : (status?.message ?? "it did not complete");
  let text = `Experiment ${id} failed: ${why}\n`;
  const { actions, retry } = readEngineStatus(status);
  for (const action of actions ?? []) {
    if (action.state === "Failed" && action.message) text += `  the ${action.action} action (${action.handler}) failed: ${action.message}\n`;
  }
  if (retry?.lastError) text += `  last error: ${retry.lastError}\n`;
  return text;
}

/**
 * Runs `iter8ctl run`: the experiments in `paths` to their end, then their description.
 * @returns the exit code (see {@link RunExitCode}).
 */
export async function runRun(paths: readonly string[], options: RunCommandOptions, io: CommandIo, runtime: RunRuntime): Promise<number> {
  const providers = await registryWithProviders(options.provider, io, runtime.cwd ?? process.cwd());
  if (!providers.ok) return RunExitCode.Failed;
  const controller = new AbortController();
  let interruptCode: RunExitCode = RunExitCode.Interrupted;
  const removeHandlers = runtime.onInterrupt((code) => {
    interruptCode = code;
    controller.abort(new Error("interrupted"));
  });
  const dryRun = options.dryRun === true;
  const mode = dryRun || options.plain || runtime.progress.isTTY !== true ? ProgressMode.Plain : ProgressMode.Terminal;
  const env = taskEnvironment(runtime.env, options.env ?? []);
  if ("errors" in env) {
    removeHandlers();
    for (const error of env.errors) io.err(`Error: ${escapeControls(error)}\n`);
    return RunExitCode.Failed;
  }
  let listed = false;
  const confirmExec = async (commands: readonly ExecCommand[]): Promise<boolean> => {
    const list = commands.map((c) => `  ${describeExecCommand(c)}\n`).join("");
    if (dryRun) {
      io.out(`The actions would run ${commands.length} command(s) on this machine (a dry run only prints them):\n${list}`);
      return true;
    }
    if (options.allowExec) {
      io.err(`Running with --allow-exec: the actions run ${commands.length} command(s) on this machine:\n${list}`);
      return true;
    }
    const question = `The actions of these experiments run ${commands.length} command(s) on this machine, as you, with PATH, HOME, the locale and what --env names:\n${list}Run them? [y/N] `;
    const answer = await runtime.ask(question, controller.signal);
    if (answer === undefined) return false;
    listed = true;
    return /^\s*y(es)?\s*$/i.test(answer);
  };
  const runOptions: LocalRunOptions = {
    paths,
    dryRun,
    restart: options.restart === true,
    progress: ({ now }) => new ProgressReporter({ stream: runtime.progress, mode, now }),
    signal: controller.signal,
    taskEnv: env.env,
    confirmExec,
    ...(providers.registry ? { registry: providers.registry } : {}),
  };
  if (options.stateDir !== undefined) runOptions.stateDir = options.stateDir;
  let result;
  try {
    result = await runLocal(runOptions);
  } catch (error) {
    if (!(error instanceof LocalRunError)) throw error;
    if (error.code === LocalRunErrorCode.ExecNotAllowed && controller.signal.aborted) {
      io.err("Interrupted at the question; nothing was run.\n");
      return interruptCode;
    }
    if (error.code === LocalRunErrorCode.ExecNotAllowed && listed) {
      // The commands were just listed at the prompt.
      io.err("Not running them; nothing was run. Pass --allow-exec to run them without asking.\n");
      return RunExitCode.Failed;
    }
    io.err(`Error: ${escapeControls(error.message)}\n`);
    for (const problem of error.problems) if (problem !== error.message) io.err(`  ${escapeControls(problem)}\n`);
    return RunExitCode.Failed;
  } finally {
    removeHandlers();
  }
  if (result.outcome === LocalRunOutcome.Interrupted) {
    const where = result.stateDir ? ` and ${result.stateDir}` : "";
    io.err(`Interrupted. Progress is saved in ${escapeControls(`${result.files.join(", ")}${where}`)}; run the same command to resume.\n`);
    return interruptCode;
  }
  // Names and messages come from the documents; they are shown escaped (see terminal-text.ts).
  const shown = result.experiments.map(forTerminal);
  for (const experiment of shown) io.out(`${renderDescription(summarizeExperiment(experiment))}\n`);
  if (result.outcome === LocalRunOutcome.Completed) return RunExitCode.Completed;
  for (const experiment of shown) {
    if (isConditionTrue(experiment.status, "Failed")) io.err(failureText(experiment));
  }
  if (result.experiments.length === 0) io.err("Error: the experiments disappeared from the files during the run\n");
  else if (result.actionLog) io.err(`The actions' logs: iter8ctl debug -p 3 -f ${escapeControls(paths.join(" -f "))}${options.stateDir !== undefined ? ` --state-dir ${escapeControls(options.stateDir)}` : ""}\n`);
  return RunExitCode.Failed;
}
