import { createTaskRegistry } from "@iter8ts/tasks";
import { escapeControls, experimentNamespace, type Experiment } from "@iter8ts/types";

const builtins = createTaskRegistry();

/**
 * The tasks that start processes on the machine that runs them: the builtin tasks that run user
 * code (the same mark the task runner refuses them by). `run` is a task spec with a `run:`
 * script instead of a `task:` name.
 */
export const EXEC_TASKS: ReadonlySet<string> = new Set(builtins.names().filter((name) => builtins.get(name)?.runsUserCode));

/** One task of a local run's actions that would start a process. */
export interface ExecCommand {
  /** `namespace/name` of the experiment. */
  experiment: string;
  /** Field path of the task, e.g. `spec.strategy.actions.finish[0]`. */
  path: string;
  /** `run`, `common/exec`, `common/bash` or `common/promote-kubectl`. */
  task: string;
  /** The command or script as written in the document (templates not rendered). */
  command: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `with` keys are matched ignoring case, as the task runner matches them. */
function input(spec: Record<string, unknown>, key: string): unknown {
  const inputs = isRecord(spec.with) ? spec.with : {};
  const found = Object.keys(inputs).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : inputs[found];
}

/** An argument as a shell would need it to mean the same word, for display only. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value) ?? "";
}

function commandOf(task: string, spec: Record<string, unknown>, namespace: string): string {
  switch (task) {
    case "run":
      return text(spec.run);
    case "common/bash":
      return text(input(spec, "script"));
    case "common/exec": {
      const args = input(spec, "args");
      return [text(input(spec, "cmd")), ...(Array.isArray(args) ? args.map(String) : [])].map(shellWord).join(" ");
    }
    default: {
      const ns = input(spec, "namespace");
      const words = ["kubectl", "apply", `--namespace=${typeof ns === "string" ? ns : namespace}`, ...(input(spec, "recursive") === true ? ["--recursive"] : []), `--filename=${text(input(spec, "manifest"))}`];
      return words.map(shellWord).join(" ");
    }
  }
}

/**
 * Every task of every action of `experiments` that would start a process, with its command as
 * written (templates such as `{{ .promote }}` are shown, not rendered: they are filled from the
 * experiment's status when the action runs).
 */
export function listExecCommands(experiments: readonly Experiment[]): ExecCommand[] {
  const commands: ExecCommand[] = [];
  for (const experiment of experiments) {
    const namespace = experimentNamespace(experiment);
    const id = `${namespace}/${experiment.metadata.name ?? ""}`;
    for (const [action, tasks] of Object.entries(experiment.spec.strategy.actions ?? {})) {
      tasks.forEach((spec: unknown, index) => {
        if (!isRecord(spec)) return;
        const task = spec.run !== undefined && spec.run !== "" ? "run" : typeof spec.task === "string" ? spec.task : "";
        if (!EXEC_TASKS.has(task)) return;
        commands.push({ experiment: id, path: `spec.strategy.actions.${action}[${index}]`, task, command: commandOf(task, spec, namespace) });
      });
    }
  }
  return commands;
}

/** One line for the terminal: `ns/name spec.strategy.actions.finish[0] (common/exec): cp a b`, control characters escaped. */
export function describeExecCommand(command: ExecCommand): string {
  return escapeControls(`${command.experiment} ${command.path} (${command.task}): ${command.command}`);
}
