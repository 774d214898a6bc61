import type { ActionRequest, ActionRunner, ActionRunState } from "@iter8ts/engine";
import { InProcessActionRunner, type ActionResult, type TaskRunner } from "@iter8ts/tasks";
import type { Experiment } from "@iter8ts/types";

/** One action the runner ran, with its result. */
export interface FinishedAction {
  request: ActionRequest;
  result: ActionResult;
}

/**
 * The engine's action port over the tasks package, for runs on a simulated clock. Tasks do real
 * work (processes, HTTP on loopback) in real time while the simulated clock would race through
 * the engine's polls and time the action out; so asking for the state of a running action waits
 * until the action has ended, up to `maxWaitMs` of real time, and only then answers.
 */
export class SettledActionRunner implements ActionRunner {
  /** Every action that ended, in the order they ended. */
  readonly finished: FinishedAction[] = [];
  readonly #runner: InProcessActionRunner;
  readonly #maxWaitMs: number;

  constructor(tasks: TaskRunner, options: { maxWaitMs?: number } = {}) {
    this.#maxWaitMs = options.maxWaitMs ?? 60_000;
    this.#runner = new InProcessActionRunner(tasks);
  }

  async start(request: ActionRequest, experiment: Experiment): Promise<void> {
    const first = this.#runner.settled(request.runId) === undefined;
    await this.#runner.start({ runId: request.runId, action: request.action, tasks: request.tasks }, experiment);
    if (first) void this.#runner.settled(request.runId)?.then((result) => this.finished.push({ request: structuredClone(request), result }));
  }

  async state(request: ActionRequest): Promise<ActionRunState> {
    const settled = this.#runner.settled(request.runId);
    if (settled) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#maxWaitMs);
      });
      await Promise.race([settled.then(() => undefined), limit]);
      clearTimeout(timer);
    }
    return this.#runner.state(request);
  }

  /** Cancels actions still running (e.g. after a test) and waits for them to stop. */
  stopAll(): Promise<void> {
    return this.#runner.stopAll();
  }
}
