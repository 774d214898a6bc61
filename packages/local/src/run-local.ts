import { join } from "node:path";
import { stringify } from "yaml";
import {
  createEngine,
  ReconcileOutcome,
  runToCompletion,
  SimulatedClock,
  type ActionRunner,
  type Clock,
  type EngineEvent,
  type EngineOptions,
  type ExperimentKey,
  type MetricsSource,
} from "@iter8ts/engine";
import { secretsFromKubernetes, type MetricProviderRegistry, type SecretStore } from "@iter8ts/metrics";
import { createTaskRunner, logPrecedence, taskEventMessage, type Iter8Log, type TaskEvent, type TaskRunner } from "@iter8ts/tasks";
import { API_VERSION, experimentNamespace, isConditionTrue, type Experiment } from "@iter8ts/types";
import { ResourceWeightWriter } from "@iter8ts/weights";
import { diskDocumentFiles, MemoryDocumentFiles, type DocumentFiles } from "./document-files";
import { DryRunActionRunner } from "./dry-run-action-runner";
import { DryRunMetricsSource } from "./dry-run-metrics-source";
import { LocalActionRunner } from "./local-action-runner";
import { LocalDocuments } from "./local-documents";
import { LocalExperimentStore } from "./local-experiment-store";
import { LocalMetricsSource } from "./local-metrics-source";
import { LocalResourceClient } from "./local-resource-client";
import { LocalRunError, LocalRunErrorCode } from "./local-run-error";
import { resolveRunPaths } from "./resolve-run-paths";
import { acquireRunLock } from "./run-lock";
import { WakeableClock } from "./wakeable-clock";
import { weightStandIns } from "./weight-stand-ins";
import { ACTION_LOG_FILE, ActionLogWriter } from "./action-log";
import { listExecCommands, type ExecCommand } from "./exec-commands";

/** The folder, next to the documents, where a local run keeps its lock and the state of its actions. */
export const STATE_FOLDER = ".iter8ctl";
/** The name a dry run gives to the routing objects it makes up. */
export const STAND_INS_FILE = "(dry-run stand-ins)";

/** How a local run ended. */
export const LocalRunOutcome = {
  /** Every experiment completed, none failed. */
  Completed: "completed",
  /** At least one experiment failed (its Failed condition is True) or disappeared. */
  Failed: "failed",
  /** Stopped by the signal; everything is saved and the same command resumes. */
  Interrupted: "interrupted",
} as const;
export type LocalRunOutcome = (typeof LocalRunOutcome)[keyof typeof LocalRunOutcome];

/**
 * Where a local run reports what it does. The CLI's terminal view implements it; a library user
 * may pass a few lines of their own (or nothing, and read the result).
 */
export interface LocalRunProgress {
  /** A line of text: a note, a task's output, a dry run's description of an action. */
  log(line: string): void;
  /** A condition of an experiment changed. */
  event(event: EngineEvent): void;
  /** The experiments as they are after a step. */
  update(experiments: readonly Experiment[]): void;
  /** The run has stopped; nothing more is reported. */
  finish(): void;
}

const silentProgress: LocalRunProgress = { log: () => undefined, event: () => undefined, update: () => undefined, finish: () => undefined };

/** Options of {@link runLocal}. */
export interface LocalRunOptions {
  /** Folders and files holding Experiments, Metrics, Secrets and routing objects. */
  paths: readonly string[];
  /** Mock metrics, simulated time, actions only described, and no file changed. */
  dryRun?: boolean;
  /** Forget the experiments' status and their actions' state first, and start over. */
  restart?: boolean;
  /**
   * Where progress goes; default nowhere. A function is given the run's clock (simulated in a
   * dry run), so that the times it prints are the run's.
   */
  progress?: LocalRunProgress | ((clock: { now(): Date }) => LocalRunProgress);
  /** Stops the run between steps (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * The environment of processes that tasks start. Nothing of this process's environment is
   * passed otherwise (the task runner's default is a standard `PATH`).
   */
  taskEnv?: Readonly<Record<string, string>>;
  /**
   * Asked once, after the documents are read and before anything runs, when the experiments'
   * actions hold tasks that start processes (see {@link listExecCommands}); true lets them run.
   * Without it, or when it answers false, such a run is refused with `exec_not_allowed` (a dry
   * run, which runs nothing, goes on either way).
   */
  confirmExec?: (commands: readonly ExecCommand[]) => boolean | Promise<boolean>;
  /** Where the lock and the action state live; default `<folder of the first path>/.iter8ctl`. */
  stateDir?: string;
  /** Engine settings (tests shorten retries). */
  engine?: EngineOptions;
  /** The files; default the disk. */
  files?: DocumentFiles;
  /** Where a dry run's simulated clock starts; default now. */
  dryRunStart?: Date;
  /** The metric providers (default: the builtin ones); `iter8ctl run --provider` adds loaded ones. */
  registry?: MetricProviderRegistry;
}

/** What a local run did. */
export interface LocalRunResult {
  outcome: LocalRunOutcome;
  /** The experiments as they ended (or stood when interrupted), in document order. */
  experiments: Experiment[];
  /** The files the run worked on. */
  files: string[];
  /** The state folder (not for dry runs). */
  stateDir?: string;
  /** The file where the actions' Iter8Log lines were appended (not for dry runs). */
  actionLog?: string;
}

function keyOf(experiment: Experiment): ExperimentKey {
  return { namespace: experimentNamespace(experiment), name: experiment.metadata.name ?? "" };
}

function label(key: ExperimentKey): string {
  return `${key.namespace}/${key.name}`;
}

function taskEventLine(key: ExperimentKey, event: TaskEvent): string | undefined {
  const where = (l: { action: string; index: number; task: string }) => `${label(key)} ${l.action}: task ${l.index + 1} (${l.task})`;
  switch (event.type) {
    case "task-started":
      return `${where(event.location)} started`;
    case "task-output":
      return `${where(event.location)}${event.stream === "stderr" ? " stderr" : ""}: ${event.line}`;
    case "task-log":
      return `${where(event.location)}${event.level === "warning" ? " warning" : ""}: ${event.message}`;
    case "task-skipped":
      return `${where(event.location)} skipped: ${event.condition} is false`;
    case "task-succeeded":
      return `${where(event.location)} succeeded`;
    case "task-failed":
      return `${where(event.location)} failed: ${event.error.message}`;
    default:
      return undefined;
  }
}

/** Every task of every action is checked before anything runs, so a typo does not wait for the finish action. */
function checkTasks(experiments: readonly Experiment[], runner: TaskRunner): string[] {
  const problems: string[] = [];
  for (const experiment of experiments) {
    for (const issue of runner.validateExperiment(experiment)) problems.push(`Experiment ${label(keyOf(experiment))}: ${issue.path}: ${issue.message}`);
  }
  return problems;
}

/**
 * Runs the experiments found in `paths` on this machine, with the same engine as the controller:
 * resources and status in the files (written back atomically), weights patched into the routing
 * documents, metrics queried from their backends, actions run in this process, and progress on
 * `output`. Every step is saved before the next, so an interrupted run (the signal, a crash)
 * resumes where it stopped when started again with the same paths.
 *
 * With `dryRun`, nothing outside the process changes: the files are copied into memory, metrics
 * come from the analytics mock generator, time is simulated (no waiting), actions are described
 * instead of run, and routing objects the documents lack are made up (see `weightStandIns`).
 *
 * @throws LocalRunError when the documents cannot be read, do not validate, hold no experiment,
 *   have invalid tasks, lack an object a weightObjRef names (except in a dry run), or another
 *   run holds the lock.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const dryRun = options.dryRun === true;
  const { files: paths, home } = await resolveRunPaths(options.paths);
  const disk = options.files ?? diskDocumentFiles;
  // A dry run works on a copy in memory, where it may also add the stand-ins it makes up.
  const memory = dryRun ? await MemoryDocumentFiles.copyOf(disk, paths) : undefined;
  const files: DocumentFiles = memory ?? disk;
  let documents = await LocalDocuments.open(files, paths);
  let store = new LocalExperimentStore(documents);
  const experiments = await store.listExperiments();
  if (experiments.length === 0) {
    throw new LocalRunError(LocalRunErrorCode.NoExperiment, `no Experiment (${API_VERSION}) found in ${paths.join(", ")}; pass the files or folder that hold one`);
  }
  const keys = experiments.map(keyOf);

  const secretDocuments = (await documents.objects()).filter((o) => o.kind === "Secret" && o.apiVersion === "v1").map((o) => o.value);
  const secrets: SecretStore = secretsFromKubernetes(secretDocuments).store;
  const taskProblems = checkTasks(experiments, createTaskRunner({ allowExec: true }));
  if (taskProblems.length > 0) {
    throw new LocalRunError(LocalRunErrorCode.InvalidTasks, `the actions of the experiments have ${taskProblems.length} problem(s); correct them and run again`, taskProblems);
  }
  // A folder from elsewhere must not run commands on this machine just because it was run.
  const execCommands = listExecCommands(experiments);
  let allowExec = false;
  if (execCommands.length > 0) {
    allowExec = (await options.confirmExec?.(execCommands)) === true;
    if (!allowExec && !dryRun) {
      throw new LocalRunError(
        LocalRunErrorCode.ExecNotAllowed,
        `the actions of the experiments run ${execCommands.length} command(s) on this machine, and running them was not allowed; nothing was run. Read them, then pass --allow-exec to run them (or answer y when iter8ctl run asks on a terminal)`,
        execCommands.map((c) => `${c.experiment} ${c.path} (${c.task}): ${c.command}`),
      );
    }
  }

  const simulated = dryRun ? new SimulatedClock(options.dryRunStart ?? new Date()) : undefined;
  const progress =
    typeof options.progress === "function" ? options.progress({ now: () => (simulated ? simulated.now() : new Date()) }) : (options.progress ?? silentProgress);

  for (const note of documents.notes) progress.log(`note: ${note}`);
  const missing = weightStandIns(
    experiments.filter((e) => options.restart || !isConditionTrue(e.status, "Completed")),
    await documents.objects(),
  );
  if (!dryRun && missing.length > 0) {
    const problems = missing.map((m) => `${m.label}, where ${m.experiments.join(", ")} keeps its version weights, is not among the documents`);
    throw new LocalRunError(
      LocalRunErrorCode.MissingObject,
      `${problems.join("; ")}; add the file that defines it (the routing document) to the paths, or try the experiment with --dry-run`,
      problems,
    );
  }
  if (memory && missing.length > 0) {
    memory.write(STAND_INS_FILE, missing.map((s) => stringify(s.object)).join("---\n"));
    for (const s of missing) {
      progress.log(`dry run: ${s.label} (weights of ${s.experiments.join(", ")}) is not among the documents; using a stand-in with all traffic on the baseline`);
    }
    documents = await LocalDocuments.open(files, [...paths, STAND_INS_FILE]);
    store = new LocalExperimentStore(documents);
  }

  const stateDir = options.stateDir ?? join(home, STATE_FOLDER);
  const lock = dryRun ? undefined : await acquireRunLock(stateDir);
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  // A real run's clock wakes early when an action finishes, so the next step need not wait.
  let clock: Clock;
  let wakeable: WakeableClock | undefined;
  if (simulated) clock = simulated;
  else clock = wakeable = new WakeableClock(controller.signal);

  let actions: (ActionRunner & { stopAll?: () => Promise<void> }) | undefined;
  let logWriter: ActionLogWriter | undefined;
  try {
    const client = new LocalResourceClient(documents, dryRun ? "a dry run makes up only the objects named by weightObjRefs" : undefined);
    if (options.restart) {
      for (const key of keys) {
        await documents.update({ apiVersion: API_VERSION, kind: "Experiment", namespace: key.namespace, name: key.name }, ({ status: _status, ...rest }) => rest);
      }
    }
    if (dryRun) {
      actions = new DryRunActionRunner((line) => progress.log(line));
    } else {
      const statePath = join(stateDir, "actions.json");
      const actionLog = new ActionLogWriter(join(stateDir, ACTION_LOG_FILE), (error) => progress.log(`warning: the action log ${join(stateDir, ACTION_LOG_FILE)} cannot be written: ${error.message}`));
      logWriter = actionLog;
      // The run each experiment's action events belong to (an experiment runs one action at a time).
      const running = new Map<string, { action: string; runId: string; precedence: number }>();
      const logEvent = (key: ExperimentKey, event: TaskEvent) => {
        const entry = taskEventMessage(event);
        const run = running.get(label(key));
        if (!entry || !run) return;
        const log: Iter8Log = {
          isIter8Log: true,
          experimentName: key.name,
          experimentNamespace: key.namespace,
          source: "task-runner",
          priority: entry.priority,
          message: entry.message,
          precedence: run.precedence,
          action: run.action,
          runId: run.runId,
        };
        actionLog.append(log);
      };
      const writeStatus = async (key: ExperimentKey, update: (status: NonNullable<Experiment["status"]>) => NonNullable<Experiment["status"]>) => {
        for (let attempt = 0; attempt < 5; attempt++) {
          const experiment = await store.getExperiment(key);
          if (!experiment) throw new Error(`experiment ${label(key)} is no longer in the files`);
          const written = await store.writeStatus(key, update(structuredClone(experiment.status ?? {})), experiment.metadata.resourceVersion);
          if (written.kind === "written") return;
          if (written.kind === "notFound") throw new Error(`experiment ${label(key)} is no longer in the files`);
        }
        throw new Error(`the status of experiment ${label(key)} kept changing; the task's status update was not saved`);
      };
      const runner = await LocalActionRunner.open({
        files,
        statePath,
        taskRunner: (key) =>
          createTaskRunner({
            allowExec,
            resources: client,
            secrets,
            ...(options.taskEnv ? { env: options.taskEnv } : {}),
            events: (event) => {
              logEvent(key, event);
              const line = taskEventLine(key, event);
              if (line) progress.log(line);
            },
            writeStatus: (update) => writeStatus(key, update),
          }),
        onStarting: (request, experiment) =>
          running.set(label(request.experiment), { action: request.action, runId: request.runId, precedence: logPrecedence(request.action, experiment) }),
        onFinished: () => wakeable?.wake(),
      });
      if (options.restart) {
        await runner.forget(keys.map(label));
        await actionLog.forget(keys.map(label)).catch((error: Error) => progress.log(`warning: the action log ${actionLog.path} cannot be rewritten: ${error.message}`));
      }
      actions = runner;
    }

    const metrics: MetricsSource = dryRun
      ? new DryRunMetricsSource()
      : new LocalMetricsSource(secrets, {
          onWarning: (w) => progress.log(`metric ${w.metric}: warning: ${w.message}`),
          ...(options.registry ? { query: { registry: options.registry } } : {}),
        });
    const engine = createEngine(
      {
        store,
        metrics,
        weights: new ResourceWeightWriter(client),
        actions,
        clock,
        events: { emit: (event) => progress.event(event) },
      },
      { maxActionRestarts: 2, ...options.engine },
    );

    const current = async () => (await store.listExperiments()).filter((e) => keys.some((k) => label(k) === label(keyOf(e))));
    const before = await current();
    for (const experiment of before) {
      const status = experiment.status;
      if (!status?.initTime) continue;
      const done = isConditionTrue(status, "Completed");
      progress.log(
        done
          ? `${label(keyOf(experiment))} has already completed; showing its result (run with --restart to run it again)`
          : `${label(keyOf(experiment))} resumes at stage ${status.stage ?? "Waiting"}, after ${status.completedIterations ?? 0} completed iteration(s)`,
      );
    }
    progress.update(before);

    let lastError: string | undefined;
    const observed = {
      reconcile: async (key: ExperimentKey) => {
        const result = await engine.reconcile(key);
        if (result.outcome === ReconcileOutcome.StoreError && result.error && result.error.message !== lastError) {
          lastError = result.error.message;
          progress.log(`${label(key)}: ${result.error.message}${result.error.cause instanceof Error ? ` (${result.error.cause.message})` : ""}`);
        } else if (result.outcome !== ReconcileOutcome.StoreError) {
          lastError = undefined;
        }
        progress.update(await current().catch(() => before));
        return result;
      },
    };

    let interrupted = false;
    try {
      await runToCompletion(observed, keys, { clock, signal: controller.signal });
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      interrupted = true;
    }
    progress.finish();
    const final = await current();
    const failed = final.length < keys.length || final.some((e) => isConditionTrue(e.status, "Failed"));
    const result: LocalRunResult = {
      outcome: interrupted ? LocalRunOutcome.Interrupted : failed ? LocalRunOutcome.Failed : LocalRunOutcome.Completed,
      experiments: final,
      files: paths,
    };
    if (!dryRun) result.stateDir = stateDir;
    if (logWriter) result.actionLog = logWriter.path;
    return result;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await actions?.stopAll?.();
    await logWriter?.flush();
    await lock?.release();
  }
}
