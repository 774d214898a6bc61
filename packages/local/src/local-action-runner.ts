import type { ActionRequest, ActionRunner, ActionRunState, ExperimentKey } from "@iter8ts/engine";
import { InProcessActionRunner, type ActionResult, type TaskRunner } from "@iter8ts/tasks";
import type { Experiment } from "@iter8ts/types";
import type { DocumentFiles } from "./document-files";
import { LocalRunError, LocalRunErrorCode } from "./local-run-error";

/** What the state file remembers about one action run. */
export interface ActionRunRecord {
  /** `namespace/name` of the experiment. */
  experiment: string;
  action: string;
  handler: string;
  loop?: number;
  /** `Running` also after the process died during the run: the run was interrupted. */
  state: "Running" | "Succeeded" | "Failed";
  message?: string;
  /** How many times this run was started (more than 1 after interrupted runs were resumed). */
  starts: number;
  startTime: string;
  endTime?: string;
}

/** The state file's content. */
export interface ActionStateFile {
  runs: Record<string, ActionRunRecord>;
}

/** Options of {@link LocalActionRunner}. */
export interface LocalActionRunnerOptions {
  files: DocumentFiles;
  /** The JSON state file (e.g. `<folder>/.iter8ctl/actions.json`). */
  statePath: string;
  /** A task runner for one experiment (its status updates go to that experiment). */
  taskRunner: (key: ExperimentKey) => TaskRunner;
  now?: () => Date;
  /** Called once an action's result is saved, e.g. to wake the run loop. */
  onFinished?: (request: ActionRequest, result: ActionResult) => void;
  /** Called just before an action's tasks start, with the experiment they run against. */
  onStarting?: (request: ActionRequest, experiment: Experiment) => void;
  /**
   * For runs on a simulated clock, whose tasks still take real time: asked for the state of an
   * action this process is running, the runner first waits for it to end, up to this many
   * milliseconds of real time, so that the clock cannot race past the action's deadline while
   * its tasks work. Left out on the real clock, where the run waits on its clock instead.
   */
  settleWithinMs?: number;
}

function keyOf(key: ExperimentKey): string {
  return `${key.namespace}/${key.name}`;
}

/** Waits for `done`, but at most `ms` of real time. */
async function settleWithinReal(done: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([done, limit]);
  clearTimeout(timer);
}

/**
 * The engine's action runner for local mode: actions run in this process with the tasks package,
 * and every run's outcome is kept in a small state file, so that it survives the process.
 *
 * - A run that finished (succeeded or failed) is never started again, by this process or a later
 *   one: `start` is a no-op and `state` answers from the file.
 * - A run started by an earlier process that died before it finished (Ctrl-C, a crash) is
 *   reported `Unknown`; the engine then starts it again, from its first task, as a Kubernetes Job
 *   would be retried. Tasks should tolerate that, as they must in a cluster.
 * - A second `start` of a run this process is running does nothing.
 */
export class LocalActionRunner implements ActionRunner {
  readonly #options: LocalActionRunnerOptions;
  readonly #state: ActionStateFile;
  readonly #runners = new Map<string, InProcessActionRunner>();
  readonly #live = new Set<string>();
  /** Per live run: settles once its result is recorded. */
  readonly #recorded = new Map<string, Promise<void>>();
  #saving: Promise<void> = Promise.resolve();
  #stopping = false;

  private constructor(options: LocalActionRunnerOptions, state: ActionStateFile) {
    this.#options = options;
    this.#state = state;
  }

  /**
   * Opens the state file (a missing file is an empty state).
   * @throws LocalRunError `state_unreadable` when the file exists but is not a state file.
   */
  static async open(options: LocalActionRunnerOptions): Promise<LocalActionRunner> {
    let text: string | undefined;
    try {
      text = await options.files.read(options.statePath);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") {
        throw new LocalRunError(LocalRunErrorCode.StateUnreadable, `${options.statePath} cannot be read: ${(error as Error).message}`, [], { cause: error });
      }
    }
    let state: ActionStateFile = { runs: {} };
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as Partial<ActionStateFile>;
        if (typeof parsed !== "object" || parsed === null || typeof parsed.runs !== "object" || parsed.runs === null) throw new Error("it has no runs object");
        state = { runs: parsed.runs };
      } catch (error) {
        throw new LocalRunError(
          LocalRunErrorCode.StateUnreadable,
          `${options.statePath} is not a state file of iter8ctl run (${(error as Error).message}); delete it to forget every action run`,
          [],
          { cause: error },
        );
      }
    }
    return new LocalActionRunner(options, state);
  }

  /** A copy of what the state file holds. */
  get records(): Readonly<Record<string, ActionRunRecord>> {
    return structuredClone(this.#state.runs);
  }

  #now(): string {
    return (this.#options.now?.() ?? new Date()).toISOString();
  }

  #save(): Promise<void> {
    const text = `${JSON.stringify(this.#state, null, 2)}\n`;
    this.#saving = this.#saving.then(
      () => this.#options.files.write(this.#options.statePath, text),
      () => this.#options.files.write(this.#options.statePath, text),
    );
    return this.#saving;
  }

  #runnerFor(key: ExperimentKey): InProcessActionRunner {
    const id = keyOf(key);
    let runner = this.#runners.get(id);
    if (!runner) {
      runner = new InProcessActionRunner(this.#options.taskRunner(key));
      this.#runners.set(id, runner);
    }
    return runner;
  }

  async start(request: ActionRequest, experiment: Experiment): Promise<void> {
    const previous = this.#state.runs[request.runId];
    if ((previous && previous.state !== "Running") || this.#live.has(request.runId)) return;
    const record: ActionRunRecord = {
      experiment: keyOf(request.experiment),
      action: request.action,
      handler: request.handler,
      state: "Running",
      starts: (previous?.starts ?? 0) + 1,
      startTime: this.#now(),
    };
    if (request.loop !== undefined) record.loop = request.loop;
    this.#state.runs[request.runId] = record;
    // Saved before the tasks start, so a later process knows this run was interrupted.
    try {
      await this.#save();
    } catch (error) {
      if (previous) this.#state.runs[request.runId] = previous;
      else delete this.#state.runs[request.runId];
      throw new LocalRunError(LocalRunErrorCode.WriteFailed, `${this.#options.statePath} could not be written: ${(error as Error).message}`, [], { cause: error });
    }
    const runner = this.#runnerFor(request.experiment);
    this.#live.add(request.runId);
    this.#options.onStarting?.(request, experiment);
    await runner.start({ runId: request.runId, action: request.action, tasks: request.tasks }, experiment);
    const recorded = runner.settled(request.runId)?.then((result) => this.#finished(request, result));
    if (recorded) this.#recorded.set(request.runId, recorded);
  }

  async #finished(request: ActionRequest, result: ActionResult): Promise<void> {
    // Runs cancelled by a shutdown stay `Running` in the file: they were interrupted, not failed.
    if (this.#stopping) return;
    const record = this.#state.runs[request.runId];
    if (record) {
      record.state = result.ok ? "Succeeded" : "Failed";
      record.endTime = this.#now();
      if (result.error) record.message = result.error.message;
    }
    try {
      await this.#save();
    } catch {
      // The engine learns the outcome anyway; a later process would re-run an unsaved success.
    }
    this.#options.onFinished?.(request, result);
  }

  async state(request: ActionRequest): Promise<ActionRunState> {
    const settleWithin = this.#options.settleWithinMs;
    const recorded = this.#recorded.get(request.runId);
    if (settleWithin !== undefined && recorded) await settleWithinReal(recorded, settleWithin);
    const record = this.#state.runs[request.runId];
    if (record && record.state !== "Running") {
      await this.#saving.catch(() => undefined);
      return record.state === "Failed" && record.message !== undefined ? { state: "Failed", message: record.message } : { state: record.state };
    }
    if (!this.#live.has(request.runId)) return { state: "Unknown" };
    // The outcome is reported only once it is in the state file (above), so the engine never
    // records an outcome that a restarted process would not know.
    return { state: "Running" };
  }

  /** Forgets every run of the given experiments (`namespace/name`), for a run that starts over. */
  async forget(experiments: readonly string[]): Promise<void> {
    let changed = false;
    for (const [runId, record] of Object.entries(this.#state.runs)) {
      if (!experiments.includes(record.experiment)) continue;
      delete this.#state.runs[runId];
      changed = true;
    }
    if (changed) await this.#save();
  }

  /** Cancels the running actions (on shutdown); they stay recorded as interrupted and run again on resume. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#runners.values()].map((r) => r.stopAll()));
    await this.#saving.catch(() => undefined);
  }
}
