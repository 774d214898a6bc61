import type { ActionRequest, ActionRunner, ActionRunState } from "@iter8ts/engine";
import { legacyTemplateData, renderGoTemplate, TemplateDelimiters } from "@iter8ts/tasks";
import type { Experiment, TaskSpec } from "@iter8ts/types";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A shell-like rendering of one argument, quoted only when needed. */
function quote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  // Bash's $'…' form keeps a multi-line argument on one line.
  if (arg.includes("\n")) return `$'${arg.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\n", "\\n")}'`;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * One line saying what a task would do. `common/exec` shows its command with the arguments
 * rendered for the version recommended for promotion at that moment, which is what a user of a
 * dry run wants to check; other tasks show their inputs.
 */
export async function describeTask(spec: TaskSpec, experiment: Experiment): Promise<string> {
  const condition = spec.if ? ` (if ${spec.if})` : "";
  if (spec.run && !spec.task) return `run: ${spec.run.trim().split("\n").join(" ⏎ ")}${condition}`;
  const inputs = spec.with ?? {};
  if (spec.task === "common/exec" && typeof inputs.cmd === "string") {
    const raw = Array.isArray(inputs.args) ? inputs.args.map(String) : [];
    let args = raw;
    if (inputs.disableInterpolation !== true) {
      try {
        const { data } = legacyTemplateData(experiment);
        args = await Promise.all(raw.map((a, i) => renderGoTemplate(a, data, { name: `with.args[${i}]`, delimiters: TemplateDelimiters.Braces })));
      } catch (error) {
        return `common/exec: ${[inputs.cmd, ...raw].map(quote).join(" ")}${condition} (arguments cannot be rendered yet: ${(error as Error).message})`;
      }
    }
    return `common/exec: ${[inputs.cmd, ...args].map(quote).join(" ")}${condition}`;
  }
  const shown = isRecord(inputs) && Object.keys(inputs).length > 0 ? ` ${JSON.stringify(inputs)}` : "";
  return `${spec.task ?? "(no task)"}${shown}${condition}`;
}

/**
 * The action runner of `--dry-run`: nothing is executed. Each action is described (handler,
 * tasks, rendered commands) and reported as succeeded, so the dry run goes on as a successful
 * run would.
 */
export class DryRunActionRunner implements ActionRunner {
  readonly #started = new Set<string>();

  constructor(private readonly print: (line: string) => void) {}

  /** The runIds of the actions that would have run, in order. */
  get started(): string[] {
    return [...this.#started];
  }

  async start(request: ActionRequest, experiment: Experiment): Promise<void> {
    if (this.#started.has(request.runId)) return;
    this.#started.add(request.runId);
    const loop = request.loop === undefined ? "" : ` ${request.loop}`;
    this.print(`dry run: would run the ${request.action}${loop} action (${request.handler} handler) of ${request.experiment.namespace}/${request.experiment.name}:`);
    for (const [i, task] of request.tasks.entries()) this.print(`  ${i + 1}. ${await describeTask(task, experiment)}`);
    if (request.tasks.length === 0) this.print("  (no tasks)");
  }

  async state(request: ActionRequest): Promise<ActionRunState> {
    return this.#started.has(request.runId) ? { state: "Succeeded" } : { state: "Unknown" };
  }
}
