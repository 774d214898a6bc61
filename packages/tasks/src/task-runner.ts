import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SecretData } from "@iter8ts/metrics";
import { SecretMask, escapeControls, experimentNamespace, parseMetricRef, type Experiment, type ExperimentStatus, type TaskSpec } from "@iter8ts/types";
import type { ResourceClient } from "@iter8ts/resources";
import { compileCondition } from "./condition/condition";
import { ConditionError } from "./condition/condition-error";
import { runProcess } from "./exec/run-process";
import type { CollectFunction, SecretSource, StatusUpdate, TaskContext, TaskDefinition } from "./task-definition";
import { TaskError, TaskErrorCode, type TaskLocation } from "./task-error";
import { parseTaskInputs } from "./task-inputs";
import type { TaskRegistry } from "./task-registry";

/** Things the runner reports while an action runs. */
export type TaskEvent =
  | { type: "action-started"; action: string; tasks: number }
  | { type: "task-started"; location: TaskLocation }
  | { type: "task-skipped"; location: TaskLocation; condition: string }
  | { type: "task-output"; location: TaskLocation; stream: "stdout" | "stderr"; line: string }
  | { type: "task-log"; location: TaskLocation; level: "info" | "warning"; message: string }
  | { type: "task-succeeded"; location: TaskLocation }
  | { type: "task-failed"; location: TaskLocation; error: TaskError }
  | { type: "action-finished"; action: string; ok: boolean };

/** What the runner needs from its runtime. */
export interface TaskRunnerOptions {
  /** The tasks it knows (see `createTaskRegistry`). */
  registry: TaskRegistry;
  /**
   * Whether `run`, `common/exec` and `common/bash` may start processes. Off by default: a runtime
   * turns it on only where running user scripts is acceptable.
   */
  allowExec?: boolean;
  /**
   * How an exec-type task is refused when {@link allowExec} is off: the end of the sentence
   * "<task> runs processes, …", saying where exec is off and who turns it on.
   */
  execDisabledReason?: string;
  /** Reads objects for `common/readiness`. */
  resources?: ResourceClient;
  /** HTTP for the notification tasks (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** Secrets named by tasks (`with.secret`). */
  secrets?: SecretSource;
  /** The load generator of `metrics/collect` (default: `collectBuiltinMetrics`). */
  collect?: CollectFunction;
  /**
   * The environment of the processes tasks start. Nothing is inherited from the runtime's own
   * environment unless given here; the default holds only a standard `PATH`.
   */
  env?: Readonly<Record<string, string>>;
  /** `SCRATCH_DIR` of scripts; by default a fresh directory per action, removed afterwards. */
  scratchDir?: string;
  /** Per-task time limit (default 300 s); a task may ask for another with `with.timeoutSeconds`. */
  taskTimeoutMs?: number;
  /** Output kept per task (default 1 MiB): the start and the end, the middle is dropped. */
  maxOutputBytes?: number;
  /** Receives progress, output lines (redacted) and outcomes. */
  events?: (event: TaskEvent) => void;
  /** Persists a status change right away (e.g. builtin histograms); see {@link StatusUpdate}. */
  writeStatus?: (update: StatusUpdate) => Promise<void>;
  /** Waiting, injectable so tests of retries need not wait (default: timers). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The clock (default: `new Date()`). */
  now?: () => Date;
  /** Default `/bin/bash`. */
  bash?: string;
  /** Default `kubectl`. */
  kubectl?: string;
  /** Default `https://slack.com/api/`. */
  slackApiUrl?: string;
}

/** How one task ended. */
export interface TaskOutcome {
  location: TaskLocation;
  status: "succeeded" | "skipped" | "failed";
  /** Captured output, size-bounded and redacted. */
  output: string;
  truncated: boolean;
  warnings: string[];
  error?: TaskError;
}

/** How an action ended. */
export interface ActionResult {
  action: string;
  /** True when no task failed. */
  ok: boolean;
  /** The first failure; later tasks did not run. */
  error?: TaskError;
  outcomes: TaskOutcome[];
  /** The experiment after the tasks' status updates. */
  experiment: Experiment;
  /** The status updates, in order, for runtimes that persist them after the action. */
  statusUpdates: StatusUpdate[];
}

/** A problem found by {@link TaskRunner.validate}. */
export interface TaskIssue {
  location: TaskLocation;
  code: TaskErrorCode;
  /** Field path, e.g. `spec.strategy.actions.finish[1].with.URL`. */
  path: string;
  message: string;
}

/**
 * `collectBuiltinMetrics`, imported on the first `metrics/collect` task: the load generator and
 * the rest of @iter8ts/metrics are not needed to check or run any other task.
 */
const collectWithBuiltinLoadGenerator: CollectFunction = async (inputs, options) => (await import("@iter8ts/metrics")).collectBuiltinMetrics(inputs, options);

const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_MAX_OUTPUT = 1024 * 1024;
const DEFAULT_ENV = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
// How long a task may take to wind down after it was aborted before the runner stops waiting.
const ABORT_GRACE_MS = 5000;

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The task a spec names, its inputs, and the per-task timeout it asks for. */
interface ResolvedTask {
  definition: TaskDefinition;
  input: unknown;
  timeoutMs: number | undefined;
}

/**
 * Runs the tasks of an action in order. Before a task runs, its spec is checked (exactly one of
 * `task` and `run`), its `with` inputs are validated, its `if` condition is evaluated (false
 * skips it) and its templates are compiled. The first failure stops the action and is returned
 * as a {@link TaskError} naming the action, the task's position and its name.
 */
export class TaskRunner {
  private readonly options: TaskRunnerOptions;

  constructor(options: TaskRunnerOptions) {
    this.options = options;
  }

  /**
   * Checks an action's tasks without running them: spec shape, task names, inputs, conditions,
   * templates, and whether exec is allowed. Use it to reject an experiment before it starts.
   * Paths and messages quote what the experiment says, with control characters escaped.
   */
  validate(tasks: readonly TaskSpec[], action: string): TaskIssue[] {
    const issues: TaskIssue[] = [];
    const push = (location: TaskLocation, code: TaskErrorCode, path: string, message: string) =>
      issues.push({ location, code, path: escapeControls(path), message: escapeControls(message) });
    tasks.forEach((spec, index) => {
      const location: TaskLocation = { action, index, task: taskLabel(spec) };
      const base = `spec.strategy.actions.${action}[${index}]`;
      const resolved = this.resolve(spec, location);
      if (!resolved.ok) {
        for (const issue of resolved.issues) push(location, issue.code, `${base}${issue.path ? `.${issue.path}` : ""}`, issue.message);
        return;
      }
      if (spec.if !== undefined) {
        try {
          compileCondition(spec.if);
        } catch (error) {
          push(location, TaskErrorCode.InvalidCondition, `${base}.if`, (error as Error).message);
        }
      }
    });
    return issues;
  }

  /**
   * Checks every action of an experiment ({@link validate} for each, and that no task names a
   * Secret of another namespace); no issues means all can run.
   */
  validateExperiment(experiment: Experiment): TaskIssue[] {
    const namespace = experimentNamespace(experiment);
    return Object.entries(experiment.spec.strategy.actions ?? {}).flatMap(([action, tasks]) => [
      ...this.validate(tasks, action),
      ...tasks.flatMap((spec, index): TaskIssue[] => {
        const key = Object.keys(spec.with ?? {}).find((k) => k.toLowerCase() === "secret");
        const ref = key === undefined ? undefined : spec.with?.[key];
        const problem = typeof ref === "string" ? foreignSecretProblem(ref, namespace) : undefined;
        if (!problem) return [];
        const location: TaskLocation = { action, index, task: taskLabel(spec) };
        return [{ location, code: TaskErrorCode.SecretUnavailable, path: escapeControls(`spec.strategy.actions.${action}[${index}].with.${key}`), message: escapeControls(`${location.task}: ${problem}`) }];
      }),
    ]);
  }

  private resolve(spec: TaskSpec, location: TaskLocation): { ok: true; task: ResolvedTask } | { ok: false; issues: { code: TaskErrorCode; path: string; message: string }[] } {
    const hasTask = !!spec.task;
    const hasRun = !!spec.run;
    if (hasTask === hasRun) {
      return {
        ok: false,
        issues: [{ code: TaskErrorCode.InvalidTask, path: "", message: hasTask ? "sets both task and run; keep one" : "sets neither task nor run; name a task or give a script" }],
      };
    }
    const name = hasRun ? "run" : (spec.task as string);
    const definition = this.options.registry.get(name);
    if (!definition) {
      return {
        ok: false,
        issues: [{ code: TaskErrorCode.UnknownTask, path: "task", message: `unknown task ${JSON.stringify(name)}; known tasks are ${this.options.registry.names().filter((n) => n !== "run").join(", ")}` }],
      };
    }
    const raw: Record<string, unknown> = { ...(spec.with ?? {}) };
    let timeoutMs: number | undefined;
    const timeoutKey = Object.keys(raw).find((k) => k.toLowerCase() === "timeoutseconds");
    if (timeoutKey !== undefined) {
      const seconds = raw[timeoutKey];
      delete raw[timeoutKey];
      if (typeof seconds !== "number" || !(seconds > 0)) {
        return { ok: false, issues: [{ code: TaskErrorCode.InvalidInput, path: `with.${timeoutKey}`, message: `must be a positive number of seconds (got ${JSON.stringify(seconds)})` }] };
      }
      timeoutMs = seconds * 1000;
    }
    if (hasRun) raw.script = spec.run;
    const parsed = parseTaskInputs(definition.inputs, raw);
    if (!parsed.ok) {
      return { ok: false, issues: parsed.issues.map((i) => ({ code: TaskErrorCode.InvalidInput, path: i.path, message: i.message })) };
    }
    if (definition.runsUserCode && !this.options.allowExec) {
      return {
        ok: false,
        issues: [
          {
            code: TaskErrorCode.ExecDisabled,
            path: hasRun ? "run" : "task",
            message: `${location.task} runs processes, ${this.options.execDisabledReason ?? "which this runtime does not allow; run the action where exec is enabled"}`,
          },
        ],
      };
    }
    const problems = definition.check?.(parsed.value) ?? [];
    if (problems.length) return { ok: false, issues: problems.map((message) => ({ code: TaskErrorCode.TemplateError, path: "", message })) };
    return { ok: true, task: { definition, input: parsed.value, timeoutMs } };
  }

  /**
   * Runs `spec.strategy.actions[action]` against the experiment. A missing action succeeds with
   * no tasks. Never throws for a task's failure: it is in `error` and in the failed outcome.
   */
  run(experiment: Experiment, action: string, options: { signal?: AbortSignal } = {}): Promise<ActionResult> {
    return this.runTasks(experiment, action, experiment.spec.strategy.actions?.[action] ?? [], options);
  }

  /** Runs the given tasks as the action `action` (for callers that hold the task list already). */
  async runTasks(experiment: Experiment, action: string, tasks: readonly TaskSpec[], options: { signal?: AbortSignal } = {}): Promise<ActionResult> {
    const emit = (event: TaskEvent) => this.options.events?.(event);
    const redactor = new SecretMask();
    const state = { experiment: structuredClone(experiment), updates: [] as StatusUpdate[] };
    const outcomes: TaskOutcome[] = [];
    let scratch: { dir: string; owned: boolean } | undefined;
    const scratchDir = async () => {
      scratch ??= this.options.scratchDir ? { dir: this.options.scratchDir, owned: false } : { dir: await mkdtemp(join(tmpdir(), "iter8ts-scratch-")), owned: true };
      return scratch.dir;
    };
    emit({ type: "action-started", action, tasks: tasks.length });
    let failure: TaskError | undefined;
    try {
      for (const [index, spec] of tasks.entries()) {
        const location: TaskLocation = { action, index, task: taskLabel(spec) };
        const outcome = await this.runOne(spec, location, state, redactor, scratchDir, options.signal);
        outcomes.push(outcome);
        if (outcome.status === "failed") {
          failure = outcome.error;
          break;
        }
      }
    } finally {
      if (scratch?.owned) await rm(scratch.dir, { recursive: true, force: true });
    }
    emit({ type: "action-finished", action, ok: !failure });
    const result: ActionResult = { action, ok: !failure, outcomes, experiment: state.experiment, statusUpdates: state.updates };
    if (failure) result.error = failure;
    return result;
  }

  private async runOne(
    spec: TaskSpec,
    location: TaskLocation,
    state: { experiment: Experiment; updates: StatusUpdate[] },
    redactor: SecretMask,
    scratchDir: () => Promise<string>,
    parentSignal: AbortSignal | undefined,
  ): Promise<TaskOutcome> {
    const emit = (event: TaskEvent) => this.options.events?.(event);
    const outcome: TaskOutcome = { location, status: "failed", output: "", truncated: false, warnings: [] };
    const fail = (error: TaskError): TaskOutcome => {
      const safe = new TaskError(error.code, redactor.redact(stripLocation(error, location)), location, { cause: error.cause });
      outcome.error = safe;
      emit({ type: "task-failed", location, error: safe });
      return outcome;
    };
    if (parentSignal?.aborted) return fail(new TaskError(TaskErrorCode.Aborted, "cancelled before it started"));

    const resolved = this.resolve(spec, location);
    if (!resolved.ok) {
      const first = resolved.issues[0] as { code: TaskErrorCode; path: string; message: string };
      const message = resolved.issues.map((i) => (i.path.startsWith("with") ? `${i.path} ${i.message}` : i.message)).join("; ");
      return fail(new TaskError(first.code, message));
    }
    const { definition, input, timeoutMs } = resolved.task;

    if (spec.if !== undefined) {
      let run: boolean;
      try {
        run = await compileCondition(spec.if).evaluate(state.experiment);
      } catch (error) {
        return fail(new TaskError(TaskErrorCode.InvalidCondition, error instanceof ConditionError ? error.message : String(error), undefined, { cause: error }));
      }
      if (!run) {
        outcome.status = "skipped";
        emit({ type: "task-skipped", location, condition: spec.if });
        return outcome;
      }
    }

    emit({ type: "task-started", location });
    const controller = new AbortController();
    const limit = timeoutMs ?? this.options.taskTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => controller.abort(new TaskError(TaskErrorCode.Timeout, `did not finish within ${limit / 1000} s; raise with.timeoutSeconds if it needs longer`)), limit);
    const onParentAbort = () => controller.abort(new TaskError(TaskErrorCode.Aborted, "cancelled"));
    parentSignal?.addEventListener("abort", onParentAbort, { once: true });
    const signal = controller.signal;
    const sleep = this.options.sleep ?? defaultSleep;
    const context: TaskContext = {
      experiment: state.experiment,
      location,
      signal,
      secret: async (ref) => {
        const own = experimentNamespace(state.experiment);
        const foreign = foreignSecretProblem(ref, own);
        if (foreign) throw new TaskError(TaskErrorCode.SecretUnavailable, foreign);
        const { namespace, name } = parseMetricRef(ref, own);
        let data: SecretData | undefined;
        try {
          data = await this.options.secrets?.get(namespace, name);
        } catch (error) {
          throw new TaskError(TaskErrorCode.SecretUnavailable, `secret ${namespace}/${name} could not be read: ${(error as Error).message}`, undefined, { cause: error });
        }
        if (!data) throw new TaskError(TaskErrorCode.SecretUnavailable, `secret ${namespace}/${name} was not found; create it or correct with.secret`);
        for (const value of Object.values(data)) redactor.add(value);
        return data;
      },
      exec: async (command, args, execOptions = {}) =>
        runProcess({
          command,
          args,
          env: { ...(this.options.env ?? DEFAULT_ENV), SCRATCH_DIR: await scratchDir(), ...execOptions.env },
          cwd: await scratchDir(),
          signal,
          maxOutputBytes: this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT,
          redactor,
          onLine: (line, stream) => emit({ type: "task-output", location, stream, line }),
        }),
      fetch: this.options.fetch ?? globalThis.fetch,
      resources: this.options.resources,
      collect: this.options.collect ?? collectWithBuiltinLoadGenerator,
      log: (level, message) => {
        const text = redactor.redact(message);
        if (level === "warning") outcome.warnings.push(text);
        emit({ type: "task-log", location, level, message: text });
      },
      updateStatus: async (update) => {
        state.experiment = { ...state.experiment, status: update(structuredClone(state.experiment.status ?? {}) as ExperimentStatus) };
        state.updates.push(update);
        await this.options.writeStatus?.(update);
      },
      sleep: (ms) => sleep(ms, signal),
      now: this.options.now ?? (() => new Date()),
      bash: this.options.bash ?? "/bin/bash",
      kubectl: this.options.kubectl ?? "kubectl",
      slackApiUrl: this.options.slackApiUrl ?? "https://slack.com/api/",
    };

    try {
      const work = definition.run(input, context);
      const stopped = new Promise<never>((_, reject) => {
        const onAbort = () => {
          // Give the task a moment to stop its processes, then stop waiting for it.
          const grace = setTimeout(() => reject(signal.reason), ABORT_GRACE_MS);
          work.then(
            () => {
              clearTimeout(grace);
              reject(signal.reason);
            },
            () => {
              clearTimeout(grace);
              reject(signal.reason);
            },
          );
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      });
      const result = await Promise.race([work, stopped]);
      // A task that is no process (a webhook answering with what it was sent) masks nothing itself.
      outcome.output = redactor.redact(result?.output ?? "");
      outcome.truncated = result?.truncated ?? false;
      outcome.status = "succeeded";
      emit({ type: "task-succeeded", location });
      return outcome;
    } catch (error) {
      if (signal.aborted && signal.reason instanceof TaskError) return fail(signal.reason);
      if (error instanceof TaskError) {
        const detail = error.cause && typeof error.cause === "object" && "output" in error.cause ? (error.cause as { output: string; truncated: boolean }) : undefined;
        if (detail) {
          outcome.output = redactor.redact(detail.output);
          outcome.truncated = detail.truncated;
        }
        return fail(error);
      }
      return fail(new TaskError(TaskErrorCode.TaskFailed, error instanceof Error ? error.message : String(error), undefined, { cause: error }));
    } finally {
      clearTimeout(timer);
      parentSignal?.removeEventListener("abort", onParentAbort);
    }
  }
}

/**
 * Why a task may not read the Secret `ref` names: Secrets never cross namespaces, so a task reads
 * only those of its experiment's namespace (no grant changes that). Undefined when it may.
 */
function foreignSecretProblem(ref: string, namespace: string): string | undefined {
  const target = parseMetricRef(ref, namespace);
  if (target.namespace === namespace) return undefined;
  return `with.secret names Secret ${target.namespace}/${target.name} of another namespace; a task reads Secrets only from its experiment's namespace ${namespace}: create the Secret there and name it without a namespace`;
}

function taskLabel(spec: TaskSpec): string {
  return spec.run && !spec.task ? "run" : spec.task || "(no task)";
}

function stripLocation(error: TaskError, location: TaskLocation): string {
  const prefix = `action ${JSON.stringify(location.action)}, task ${location.index + 1} (${location.task}): `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}
