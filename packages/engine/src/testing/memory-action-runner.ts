import type { Experiment } from "@iter8ts/types";
import type { ActionRequest, ActionRunner, ActionRunState, Clock } from "../ports";
import { Faults } from "./faults";

/** How a simulated action behaves. */
export interface SimulatedAction {
  /** Simulated run time (default 0: done at the next poll). */
  durationMs?: number;
  outcome?: "Succeeded" | "Failed";
  /** The failure message. */
  message?: string;
}

/** One real execution of an action (a second start of the same run is not one). */
export interface ActionExecution {
  request: ActionRequest;
  startedAt: number;
  behaviour: SimulatedAction;
}

/**
 * Runs actions in simulated time. Like a Kubernetes Job, a run survives the engine that started
 * it: a restarted engine asks about the same `runId` and gets its state. `forget` simulates a
 * runner that lost a run (a restarted local process).
 */
export class MemoryActionRunner implements ActionRunner {
  readonly faults = new Faults<"start" | "state">();
  readonly executions: ActionExecution[] = [];
  readonly #runs = new Map<string, ActionExecution>();
  readonly #clock: Clock;
  readonly #behave: (request: ActionRequest, experiment: Experiment) => SimulatedAction;

  constructor(clock: Clock, behave: (request: ActionRequest, experiment: Experiment) => SimulatedAction = () => ({})) {
    this.#clock = clock;
    this.#behave = behave;
  }

  async start(request: ActionRequest, experiment: Experiment): Promise<void> {
    this.faults.check("start");
    if (this.#runs.has(request.runId)) return;
    const execution = { request: structuredClone(request), startedAt: this.#clock.now().getTime(), behaviour: this.#behave(request, experiment) };
    this.#runs.set(request.runId, execution);
    this.executions.push(execution);
  }

  async state(request: ActionRequest): Promise<ActionRunState> {
    this.faults.check("state");
    const run = this.#runs.get(request.runId);
    if (!run) return { state: "Unknown" };
    if (this.#clock.now().getTime() < run.startedAt + (run.behaviour.durationMs ?? 0)) return { state: "Running" };
    if (run.behaviour.outcome === "Failed") {
      return run.behaviour.message === undefined ? { state: "Failed" } : { state: "Failed", message: run.behaviour.message };
    }
    return { state: "Succeeded" };
  }

  /** Drops all knowledge of a run, as a restarted in-process runner would. */
  forget(runId: string): void {
    this.#runs.delete(runId);
  }

  /** How many times each handler name was really executed. */
  executionCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.executions) out[e.request.handlerName] = (out[e.request.handlerName] ?? 0) + 1;
    return out;
  }
}
