import type { Experiment, TaskSpec } from "@iter8ts/types";
import type { ActionResult, TaskRunner } from "./task-runner";

/** What starting an action needs: the engine's action request fits. */
export interface ActionStart {
  /** Unique per experiment incarnation and action run: a second start with it does nothing. */
  runId: string;
  /** The key in `spec.strategy.actions`. */
  action: string;
  /** The tasks, in order. */
  tasks: TaskSpec[];
}

/** The state of a started action. */
export type ActionState = { state: "Running" } | { state: "Succeeded" } | { state: "Failed"; message?: string } | { state: "Unknown" };

interface RunEntry {
  controller: AbortController;
  done: Promise<ActionResult>;
  result?: ActionResult;
}

/** Options of {@link InProcessActionRunner}. */
export interface InProcessActionRunnerOptions {
  /** Called when an action ends, e.g. to wake the engine or print a summary. */
  onFinished?: (start: ActionStart, result: ActionResult) => void;
}

/**
 * Runs actions in this process, in the background, in the shape of the engine's action port
 * (`start` by `runId`, then `state`): for local mode, where there are no Jobs. A run that is
 * started twice runs once; a run this process never started is `Unknown`.
 */
export class InProcessActionRunner {
  private readonly runs = new Map<string, RunEntry>();

  constructor(
    private readonly runner: TaskRunner,
    private readonly options: InProcessActionRunnerOptions = {},
  ) {}

  /** Starts the action unless this `runId` was started before. */
  async start(start: ActionStart, experiment: Experiment): Promise<void> {
    if (this.runs.has(start.runId)) return;
    const controller = new AbortController();
    const done = this.runner.runTasks(experiment, start.action, start.tasks, { signal: controller.signal }).then((result) => {
      entry.result = result;
      this.options.onFinished?.(start, result);
      return result;
    });
    const entry: RunEntry = { controller, done };
    this.runs.set(start.runId, entry);
  }

  async state(start: Pick<ActionStart, "runId">): Promise<ActionState> {
    const entry = this.runs.get(start.runId);
    if (!entry) return { state: "Unknown" };
    if (!entry.result) return { state: "Running" };
    if (entry.result.ok) return { state: "Succeeded" };
    return entry.result.error ? { state: "Failed", message: entry.result.error.message } : { state: "Failed" };
  }

  /** The result of a started action once it ends; undefined for an unknown `runId`. */
  settled(runId: string): Promise<ActionResult> | undefined {
    return this.runs.get(runId)?.done;
  }

  /** Cancels every running action (e.g. on shutdown) and waits for them to stop. */
  async stopAll(): Promise<void> {
    for (const entry of this.runs.values()) if (!entry.result) entry.controller.abort();
    await Promise.all([...this.runs.values()].map((e) => e.done));
  }
}
