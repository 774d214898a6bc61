/**
 * The ports the engine needs from the world. The engine declares them and never implements
 * them: the Kubernetes adapter, local mode and the in-memory fakes each provide their own.
 * Every port method may throw; the engine turns a throw into a bounded retry or a recorded
 * failure, never into a crash. An error object with `retryable: false` is treated as final.
 */
import type { MetricValues } from "@iter8ts/analytics";
import type { Experiment, ExperimentStatus, Metric, Stage, TaskSpec, VersionWeight } from "@iter8ts/types";
import type { ActionName, HandlerType } from "./reasons";
import type { ReconcileOutcome } from "./reconcile-outcome";

/** Identifies one experiment: its namespace and name. */
export interface ExperimentKey {
  namespace: string;
  name: string;
}

/** The answer to a status write that was guarded by the resourceVersion the engine read. */
export type StatusWriteResult =
  | { kind: "written"; resourceVersion?: string }
  | { kind: "conflict" }
  | { kind: "notFound" };

/** Where experiments and metrics live (the API server, files, memory). */
export interface ExperimentStore {
  /** The experiment, or `undefined` when it does not exist. */
  getExperiment(key: ExperimentKey): Promise<Experiment | undefined>;
  /**
   * Experiments in every namespace. `filter.target` is a hint: a store may return more, the
   * engine filters again.
   */
  listExperiments(filter?: { target?: string }): Promise<Experiment[]>;
  /**
   * Replaces the status, but only if the stored object still has `resourceVersion` (when one is
   * given); otherwise answers `conflict` and changes nothing.
   */
  writeStatus(
    key: ExperimentKey,
    status: ExperimentStatus,
    resourceVersion: string | undefined,
    /**
     * The status as read at `resourceVersion`, when the caller has it: a store may then send
     * only what changed (the unchanged decision history is neither serialised nor sent again).
     */
    previous?: ExperimentStatus,
  ): Promise<StatusWriteResult>;
  /** The Metric `namespace/name`, or `undefined` when it does not exist; throws when unreadable. */
  getMetric(namespace: string, name: string): Promise<Metric | undefined>;
}

/** Queries the values of every metric in `status.metrics` for every version. */
export interface MetricsSource {
  /**
   * Values keyed by metric `namespace/name`, then version. A metric or version the backend could
   * not answer carries an `error`; a throw means the whole query could not run.
   */
  query(experiment: Experiment, context: { now: Date; /** Cancels the queries still running (the reconcile's deadline). */ signal?: AbortSignal }): Promise<MetricValues>;
}

/** Reads and changes the traffic weights of the versions. */
export interface WeightWriter {
  /**
   * The weights observed on the objects named by each version's `weightObjRef`
   * (`status.currentWeightDistribution`). Throws when a reference cannot be read or a field does
   * not hold an integer; the message is shown to the user after
   * "Specification of version weightObjectRef invalid: ".
   */
  observe(experiment: Experiment): Promise<VersionWeight[]>;
  /**
   * Applies recommended weights to the objects of the versions that have a `weightObjRef` with a
   * `fieldPath`. Versions whose weight already matches `status.currentWeightDistribution` may be
   * skipped. Throws when a patch is rejected.
   *
   * May resolve to a reader of the observed weights that stands in for `observe` (a writer whose
   * patches answer with the objects needs no second read); it throws like `observe`.
   */
  apply(
    experiment: Experiment,
    weights: VersionWeight[],
    options?: { /** Cancels patches not yet sent (the reconcile's deadline). */ signal?: AbortSignal },
  ): Promise<void | (() => Promise<VersionWeight[]>)>;
}

/** What the engine asks an action runner to run. */
export interface ActionRequest {
  /**
   * Unique per experiment incarnation and action (and loop): starting the same `runId` twice
   * must not run the action twice, and a re-created experiment never gets an old `runId`.
   */
  runId: string;
  /** The readable handler name of the original controller: `<namespace>-<name>-<action>[-<loop>]`. */
  handlerName: string;
  experiment: ExperimentKey;
  /** The key in `spec.strategy.actions`. */
  action: ActionName;
  /** Why the action runs: Start, Loop, Finish, Rollback or Failure. */
  handler: HandlerType;
  /** The loop number, for loop actions. */
  loop?: number;
  /** The tasks of the action, in order. */
  tasks: TaskSpec[];
}

/** The state of a started action, as the runner knows it. */
export type ActionRunState =
  | { state: "Running" }
  | { state: "Succeeded" }
  | { state: "Failed"; message?: string }
  /** The runner has no record of this `runId` (never started, or lost with a restarted process). */
  | { state: "Unknown" };

/** Runs actions: in process (local mode) or as Kubernetes Jobs (controller). */
export interface ActionRunner {
  /** Starts the action; a second call with the same `runId` must be a no-op. */
  start(request: ActionRequest, experiment: Experiment): Promise<void>;
  /** Reports the state of the action started with `request.runId`. */
  state(request: ActionRequest): Promise<ActionRunState>;
}

/** Time, injected so that tests run hours of experiment in milliseconds. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** An event worth telling the user about: a condition changed. */
export interface EngineEvent {
  experiment: ExperimentKey;
  /** `Warning` for failures, `Normal` otherwise. */
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  /** RFC 3339 time of the decision. */
  time: string;
  /** The experiment's stage after the reconcile that recorded the change (for logs). */
  stage?: Stage;
  /** That reconcile's outcome (for logs). */
  outcome?: ReconcileOutcome;
}

/** Receives events (Kubernetes Events, a terminal, a log). Must not throw. */
export interface EventSink {
  emit(event: EngineEvent): void;
}

/** An object an experiment (or a Metric it uses) refers to in another namespace. */
export interface CrossNamespaceRef {
  /** Where the reference is written: `spec.versionInfo.candidates[0].weightObjRef`. */
  field: string;
  /** API group (`""` for the core group); undefined when the reference gives no apiVersion. */
  group?: string | undefined;
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Whether a namespace consents to be referred to from another (in a cluster, a ReferenceGrant in
 * the referred namespace). Asked for every reference that leaves the experiment's namespace, before
 * it is read and again each iteration, so a withdrawn consent stops the experiment. Runtimes with
 * no namespaces to protect (local mode) leave this port out and every reference is allowed.
 */
export interface ReferencePolicy {
  /**
   * True when objects of namespace `from` may refer to `ref`. Throws when the consents cannot be
   * read; the engine tries again later.
   */
  allows(from: string, ref: CrossNamespaceRef): boolean | Promise<boolean>;
}

/** Everything the engine talks to. */
export interface EnginePorts {
  store: ExperimentStore;
  metrics: MetricsSource;
  weights: WeightWriter;
  actions: ActionRunner;
  clock: Clock;
  events?: EventSink;
  /** Consent to references across namespaces; without it, every reference is allowed. */
  references?: ReferencePolicy;
}
