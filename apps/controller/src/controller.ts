/**
 * The controller's runtime core: informers feed a work queue keyed by experiment, workers run
 * the engine's reconcile on each key and requeue as it says, and only the leader works. Kept
 * apart from the process edge (flags, signals, endpoints) so tests drive it in process.
 */
import { EngineError, ReconcileOutcome, type Engine, type ExperimentKey, type ReconcileResult } from "@iter8ts/engine";
import type { InformerEvent, ResourceInformer } from "@iter8ts/kube";
import type { KubeObject } from "@iter8ts/resources";
import type { Logger } from "pino";
import type { ControllerMetrics } from "./controller-metrics";
import type { ProbeResult } from "./http-endpoints";
import { WorkQueue, type WorkQueueOptions } from "./work-queue";
import { startWorkers, type WorkerPool } from "./worker-pool";

/** What the controller uses of an informer (a `ResourceInformer` of @iter8ts/kube fits). */
export type Informer = Pick<ResourceInformer, "start" | "stop" | "synced" | "waitForSync" | "list" | "onChange">;

/** Leadership callbacks. */
export interface LeadershipCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/**
 * Leader election as the controller needs it: campaign until stopped, say when leadership is
 * won and lost, and give the Lease up on stop so a standby takes over at once.
 */
export interface LeaderElection {
  start(callbacks: LeadershipCallbacks): void;
  /** Stops campaigning; releases the Lease if it is held. */
  stop(): Promise<void>;
}

/**
 * Experiments split into shards across replicas (see `ShardCoordinator` of @iter8ts/kube): this
 * replica reconciles an experiment only while it owns the experiment's shard.
 */
export interface Sharding {
  shardOf(key: ExperimentKey): number;
  /** True while this replica may work on (and write for) the shard. */
  owns(shard: number): boolean;
  /**
   * Starts taking part: `onAcquired` when a shard becomes this replica's; `onReleasing` before
   * one is given to another replica, settling once the shard's running reconciles are done.
   */
  start(callbacks: { onAcquired(shard: number): void; onReleasing(shard: number): Promise<void> }): void;
  /** Releases every shard (after the workers drained) so the other replicas take over at once. */
  stop(): Promise<void>;
}

/** What the controller is doing, for probes and logs. */
export const ControllerPhase = {
  Starting: "Starting",
  Standby: "Standby",
  Leading: "Leading",
  Stopping: "Stopping",
  Stopped: "Stopped",
} as const;
export type ControllerPhase = (typeof ControllerPhase)[keyof typeof ControllerPhase];

/** What the controller is built from. */
export interface ControllerParts {
  engine: Engine;
  /** The Experiment informer: its events fill the queue; its cache answers metrics and probes. */
  experiments: Informer;
  /** Informers that must sync before the controller is ready (Metrics, ...), started and stopped with it. */
  informers?: Informer[];
  /**
   * Informers whose changes concern an experiment (e.g. action Jobs): a change enqueues the
   * experiment `keyOf` names, so a finished action is seen at once instead of at the next poll.
   * Started, stopped and waited for like `informers`.
   */
  triggers?: Array<{ informer: Informer; keyOf(object: KubeObject): ExperimentKey | undefined }>;
  /** Cleans up after an experiment that was deleted (e.g. its action Jobs in another namespace). */
  onDeleted?: (key: ExperimentKey) => Promise<void>;
  /** Absent: this replica always leads (`--leader-elect=false`). */
  election?: LeaderElection;
  /** Present: every replica works, each on the experiments of the shards it owns (instead of `election`). */
  sharding?: Sharding;
  metrics: ControllerMetrics;
  logger: Logger;
  workers: number;
  /** Counts iterations per reconcile (see `countIterations`); absent: no iteration duration. */
  iterations?: { takeIteration(key: ExperimentKey): boolean };
  /**
   * The versions this controller's own status writes produced (see `trackOwnWrites`): their
   * informer events queue nothing, since the reconcile that wrote already scheduled the next.
   */
  ownWrites?: { isOwnWrite(key: ExperimentKey, resourceVersion: string | undefined): boolean; forget(key: ExperimentKey): void };
  queue?: Omit<WorkQueueOptions, "timers">;
  /** How long `stop` waits for running reconciles (default 30 s). */
  shutdownTimeoutMs?: number;
  /**
   * The deadline of one reconcile (default 30 s): its signal is aborted then, cancelling metric
   * queries and weight writes; a reconcile that still has not returned shortly after is left
   * behind, so its worker takes the next experiment. Either way the experiment is tried again
   * with backoff, and nothing it was doing is recorded.
   */
  reconcileTimeoutMs?: number;
}

/** How long a reconcile may take to return after its signal was aborted before its worker moves on. */
const ABANDON_GRACE_MS = 2_000;

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** `namespace/name` ↔ key. */
export function formatKey(key: ExperimentKey): string {
  return `${key.namespace}/${key.name}`;
}

function parseKey(id: string): ExperimentKey {
  const slash = id.indexOf("/");
  return { namespace: id.slice(0, slash), name: id.slice(slash + 1) };
}

/** The running controller. */
export class Controller {
  readonly #parts: ControllerParts;
  readonly #log: Logger;
  #phase: ControllerPhase = ControllerPhase.Starting;
  #queue: WorkQueue | undefined;
  #pool: WorkerPool | undefined;
  readonly #unsubscribe: Array<() => void> = [];
  /** Resolves when the current leadership term's workers have drained. */
  #draining: Promise<void> = Promise.resolve();
  /** Reconciles running per shard, and who waits for a shard to have none. */
  readonly #running = new Map<number, number>();
  readonly #idleWaiters = new Map<number, Array<() => void>>();

  constructor(parts: ControllerParts) {
    this.#parts = parts;
    this.#log = parts.logger;
  }

  get phase(): ControllerPhase {
    return this.#phase;
  }

  get leading(): boolean {
    return this.#phase === ControllerPhase.Leading;
  }

  /** Keys waiting in the queue now (0 when not leading). */
  get queueDepth(): number {
    return this.#queue?.length ?? 0;
  }

  /** Experiments in the informer cache, by stage (`Waiting` before the first status write). */
  experimentsByStage(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const object of this.#parts.experiments.list()) {
      const stage = ((object as { status?: { stage?: string } }).status?.stage ?? "Waiting") || "Waiting";
      counts[stage] = (counts[stage] ?? 0) + 1;
    }
    return counts;
  }

  /** Starts the informers and the election (or leads at once); does not wait for the informers to sync. */
  start(): void {
    const { experiments } = this.#parts;
    this.#unsubscribe.push(experiments.onChange((event) => this.#onExperiment(event)));
    for (const trigger of this.#parts.triggers ?? []) {
      this.#unsubscribe.push(
        trigger.informer.onChange((event) => {
          const key = trigger.keyOf(event.object);
          if (key) this.#queue?.add(formatKey(key));
        }),
      );
    }
    for (const informer of this.#informers()) informer.start();
    this.#phase = ControllerPhase.Standby;
    const { sharding } = this.#parts;
    if (sharding) {
      this.#startLeading();
      this.#log.info("sharding: waiting for shard Leases");
      sharding.start({
        onAcquired: (shard) => this.#enqueueShard(shard),
        onReleasing: (shard) => this.#whenShardIdle(shard),
      });
    } else if (this.#parts.election) {
      this.#log.info("waiting for the leader Lease");
      this.#parts.election.start({ onStartedLeading: () => this.#startLeading(), onStoppedLeading: () => this.#stopLeading("lost the leader Lease") });
    } else {
      this.#startLeading();
    }
  }

  /** Resolves when every informer has its first full list. */
  async waitForSync(options: { timeoutMs?: number } = {}): Promise<void> {
    await Promise.all(this.#informers().map((i) => i.waitForSync(options)));
  }

  /** Liveness: fails only after a stop, when the process should be gone anyway. */
  health(): ProbeResult {
    if (this.#phase === ControllerPhase.Stopped) return { ok: false, detail: "stopped" };
    return { ok: true, detail: this.#phase.toLowerCase() };
  }

  /** Readiness: informers synced, and leading or standing by for the Lease. */
  ready(): ProbeResult {
    const informers = this.#informers();
    if (this.#phase === ControllerPhase.Stopping || this.#phase === ControllerPhase.Stopped) return { ok: false, detail: "shutting down" };
    const unsynced = informers.filter((i) => !i.synced).length;
    if (unsynced > 0) return { ok: false, detail: `${unsynced} of ${informers.length} informers have not synced yet` };
    if (this.#phase === ControllerPhase.Leading) return { ok: true, detail: "informers synced; leading" };
    if (this.#phase === ControllerPhase.Standby) return { ok: true, detail: "informers synced; standing by for the leader Lease" };
    return { ok: false, detail: "starting" };
  }

  /**
   * Graceful shutdown: stop taking work and let running reconciles finish (up to the shutdown
   * timeout), stop the informers, then give up the Lease so a standby replica takes over at once.
   */
  async stop(): Promise<void> {
    if (this.#phase === ControllerPhase.Stopping || this.#phase === ControllerPhase.Stopped) return;
    this.#phase = ControllerPhase.Stopping;
    this.#log.info("shutting down: draining workers");
    const drained = this.#drain();
    const timeoutMs = this.#parts.shutdownTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      drained.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) this.#log.warn({ timeoutMs }, "reconciles still running after the shutdown timeout; stopping anyway (their status writes are guarded, so the next leader redoes them safely)");
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await Promise.all(this.#informers().map((i) => i.stop()));
    if (this.#parts.election) await this.#parts.election.stop();
    if (this.#parts.sharding) await this.#parts.sharding.stop();
    this.#phase = ControllerPhase.Stopped;
    this.#log.info("stopped");
  }

  #informers(): Informer[] {
    return [this.#parts.experiments, ...(this.#parts.informers ?? []), ...(this.#parts.triggers ?? []).map((t) => t.informer)];
  }

  #onExperiment(event: InformerEvent): void {
    if (!this.#queue) return;
    const { namespace, name, resourceVersion } = event.object.metadata;
    const key = { namespace: namespace ?? "default", name };
    const { ownWrites } = this.#parts;
    if (event.type === "modified" && ownWrites?.isOwnWrite(key, resourceVersion)) return;
    if (event.type === "deleted") ownWrites?.forget(key);
    const { sharding } = this.#parts;
    if (sharding && !sharding.owns(sharding.shardOf(key))) return;
    // A deletion is reconciled too: the engine then wakes the next experiment of its target.
    this.#queue.add(formatKey(key));
    if (event.type === "deleted" && this.#parts.onDeleted) {
      this.#parts.onDeleted(key).catch((error: unknown) => {
        this.#log.warn({ experiment: key.name, namespace: key.namespace, err: error }, "cleaning up after a deleted experiment failed");
      });
    }
  }

  #startLeading(): void {
    if (this.#phase !== ControllerPhase.Standby) return;
    this.#phase = ControllerPhase.Leading;
    // One namespace may hold all workers but one, so its slow reconciles never stall the others.
    const queue = new WorkQueue({ maxProcessingPerGroup: Math.max(1, this.#parts.workers - 1), ...this.#parts.queue });
    this.#queue = queue;
    this.#pool = startWorkers(
      queue,
      this.#parts.workers,
      (id) => this.#reconcile(queue, id),
      (id, error) => {
        // The engine never throws; reaching here is a bug in a port, so back off and try again.
        const key = parseKey(id);
        this.#parts.metrics.reconcileErrors.inc({ reason: "Exception" });
        this.#log.error({ experiment: key.name, namespace: key.namespace, err: error }, "reconcile threw; retrying with backoff");
        queue.addRateLimited(id);
      },
    );
    this.#log.info({ workers: this.#parts.workers }, "leading: reconciling experiments");
    // Everything in the cache is due a look: a previous leader may have stopped mid-way.
    void this.#parts.experiments.waitForSync().then(
      () => {
        for (const object of this.#parts.experiments.list()) queue.add(formatKey({ namespace: object.metadata.namespace ?? "default", name: object.metadata.name }));
      },
      () => {},
    );
  }

  #stopLeading(reason: string): void {
    if (this.#phase !== ControllerPhase.Leading) return;
    this.#phase = ControllerPhase.Standby;
    this.#log.warn({ reason }, "stopped leading: no more reconciles until the Lease is won again");
    void this.#drain();
  }

  #drain(): Promise<void> {
    const queue = this.#queue;
    const pool = this.#pool;
    this.#queue = undefined;
    this.#pool = undefined;
    if (queue && pool) this.#draining = Promise.all([this.#draining, queue.shutDown(), pool.finished]).then(() => undefined);
    return this.#draining;
  }

  /**
   * Runs the engine's reconcile under the deadline. The result is the engine's, or an `Aborted`
   * one when the reconcile did not return within the grace after its signal was aborted (a port
   * that ignores signals); that reconcile may still finish later, and its status write is guarded
   * by the resourceVersion it read, like any concurrent writer's.
   */
  async #reconcileWithDeadline(key: ExperimentKey): Promise<ReconcileResult> {
    const timeoutMs = this.#parts.reconcileTimeoutMs ?? 30_000;
    const deadline = new AbortController();
    // One timer per reconcile, and the error (whose stack costs more than the rest) made only when
    // it fires: almost every reconcile ends long before. The grace period starts from the abort.
    let abandon: NodeJS.Timeout | undefined;
    let leftBehind: (result: ReconcileResult) => void = () => {};
    const abandoned = new Promise<ReconcileResult>((resolve) => (leftBehind = resolve));
    const timer = setTimeout(() => {
      const reason = new Error(`it took longer than the controller's --reconcile-timeout of ${formatDuration(timeoutMs)}`);
      deadline.abort(reason);
      abandon = setTimeout(
        () =>
          leftBehind({
            key,
            outcome: ReconcileOutcome.Aborted,
            wake: [],
            error: new EngineError("ReconcileAborted", `The reconcile of experiment ${formatKey(key)} was left behind: ${reason.message}, and it did not stop when told to; it will be tried again.`),
          }),
        ABANDON_GRACE_MS,
      );
    }, timeoutMs);
    try {
      return await Promise.race([this.#parts.engine.reconcile(key, { signal: deadline.signal }), abandoned]);
    } finally {
      clearTimeout(timer);
      clearTimeout(abandon);
    }
  }

  /** Queues every cached experiment of a shard this replica just acquired. */
  #enqueueShard(shard: number): void {
    const { sharding } = this.#parts;
    const queue = this.#queue;
    if (!sharding || !queue) return;
    let count = 0;
    for (const object of this.#parts.experiments.list()) {
      const key = { namespace: object.metadata.namespace ?? "default", name: object.metadata.name };
      if (sharding.shardOf(key) !== shard) continue;
      queue.add(formatKey(key));
      count++;
    }
    this.#log.info({ shard, experiments: count }, "acquired a shard");
  }

  /** Resolves when no reconcile of the shard is running (new ones are not started: the shard is no longer owned). */
  #whenShardIdle(shard: number): Promise<void> {
    if ((this.#running.get(shard) ?? 0) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#idleWaiters.get(shard) ?? [];
      waiters.push(resolve);
      this.#idleWaiters.set(shard, waiters);
    });
  }

  async #reconcile(queue: WorkQueue, id: string): Promise<void> {
    const key = parseKey(id);
    const { sharding } = this.#parts;
    if (!sharding) return this.#reconcileOwned(queue, id, key);
    const shard = sharding.shardOf(key);
    // Another replica's now (or not yet this one's): it reconciles the experiment.
    if (!sharding.owns(shard)) {
      queue.forget(id);
      return;
    }
    this.#running.set(shard, (this.#running.get(shard) ?? 0) + 1);
    try {
      await this.#reconcileOwned(queue, id, key);
    } finally {
      const left = (this.#running.get(shard) ?? 1) - 1;
      if (left > 0) this.#running.set(shard, left);
      else {
        this.#running.delete(shard);
        for (const resolve of this.#idleWaiters.get(shard) ?? []) resolve();
        this.#idleWaiters.delete(shard);
      }
    }
  }

  async #reconcileOwned(queue: WorkQueue, id: string, key: ExperimentKey): Promise<void> {
    const { metrics } = this.#parts;
    const started = process.hrtime.bigint();
    const result: ReconcileResult = await this.#reconcileWithDeadline(key);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.reconciles.inc({ outcome: result.outcome });
    metrics.reconcileDuration.observe(seconds);
    if (this.#parts.iterations?.takeIteration(key)) metrics.iterationDuration.observe(seconds);

    const fields = { experiment: key.name, namespace: key.namespace, stage: result.stage, outcome: result.outcome, requeueAfterMs: result.requeueAfterMs };
    if (result.outcome === ReconcileOutcome.StoreError || result.outcome === ReconcileOutcome.Aborted) {
      metrics.reconcileErrors.inc({ reason: result.error?.code ?? result.outcome });
      const delay = queue.addRateLimited(id);
      this.#log.warn({ ...fields, retryInMs: delay, err: result.error }, result.error?.message ?? "reconcile failed");
      return;
    }
    queue.forget(id);
    this.#log.debug(fields, "reconciled");
    if (result.requeueAfterMs !== undefined) queue.addAfter(id, result.requeueAfterMs);
    for (const woken of result.wake) {
      this.#log.info({ experiment: woken.name, namespace: woken.namespace, wokenBy: id }, "target released; waking the next experiment in line");
      queue.add(formatKey(woken));
    }
  }
}
