import { ReconcileOutcome, EngineError, type Engine, type ExperimentKey, type ReconcileResult } from "@iter8ts/engine";
import type { InformerEvent } from "@iter8ts/kube";
import type { KubeObject } from "@iter8ts/resources";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { Controller, ControllerPhase, type ControllerParts, type Informer, type LeaderElection, type LeadershipCallbacks } from "./controller";
import { createControllerMetrics } from "./controller-metrics";

/** Resolves once `check` holds, polling; fails with `what` after 5 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

function experiment(name: string, stage?: string, resourceVersion?: string): KubeObject {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace: "team-a", ...(resourceVersion ? { resourceVersion } : {}) },
    ...(stage ? { status: { stage } } : {}),
  };
}

class FakeInformer implements Informer {
  synced = false;
  stopped = false;
  readonly objects: KubeObject[] = [];
  readonly #listeners = new Set<(event: InformerEvent) => void>();
  readonly #syncWaiters: Array<() => void> = [];
  constructor(private readonly order: string[] = []) {}
  start(): void {
    this.order.push("informer.start");
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.order.push("informer.stop");
  }
  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.#syncWaiters.push(resolve));
  }
  list(): KubeObject[] {
    return [...this.objects];
  }
  onChange(listener: (event: InformerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  sync(): void {
    this.synced = true;
    for (const resolve of this.#syncWaiters.splice(0)) resolve();
  }
  change(object: KubeObject, type: InformerEvent["type"] = "modified"): void {
    for (const listener of this.#listeners) listener({ type, object });
  }
}

class FakeElection implements LeaderElection {
  callbacks: LeadershipCallbacks | undefined;
  stopped = false;
  constructor(private readonly order: string[] = []) {}
  start(callbacks: LeadershipCallbacks): void {
    this.callbacks = callbacks;
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.order.push("election.stop");
  }
}

/** An engine that records calls and answers from a script (default: done, no requeue). */
class FakeEngine implements Engine {
  readonly calls: string[] = [];
  running = 0;
  maxRunning = 0;
  gate: Promise<void> | undefined;
  answer: (key: ExperimentKey, call: number) => Partial<ReconcileResult> = () => ({ outcome: ReconcileOutcome.Completed });
  async reconcile(key: ExperimentKey): Promise<ReconcileResult> {
    const id = `${key.namespace}/${key.name}`;
    this.calls.push(id);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.gate) await this.gate;
      const count = this.calls.filter((c) => c === id).length;
      return { key, wake: [], outcome: ReconcileOutcome.Progressed, ...this.answer(key, count) };
    } finally {
      this.running -= 1;
    }
  }
  count(id: string): number {
    return this.calls.filter((c) => c === id).length;
  }
}

function setup(options: { election?: boolean; ownWrites?: ControllerParts["ownWrites"] } = {}) {
  const order: string[] = [];
  const informer = new FakeInformer(order);
  const election = options.election ? new FakeElection(order) : undefined;
  const engine = new FakeEngine();
  // The probes read the controller, which needs the metrics first.
  const ref: { controller?: Controller } = {};
  const metrics = createControllerMetrics(
    { experimentsByStage: () => ref.controller!.experimentsByStage(), queueDepth: () => ref.controller!.queueDepth, isLeader: () => ref.controller!.leading },
    { processMetrics: false },
  );
  let iterated = false;
  const controller = new Controller({
    engine,
    experiments: informer,
    ...(election ? { election } : {}),
    ...(options.ownWrites ? { ownWrites: options.ownWrites } : {}),
    metrics,
    logger: pino({ level: "silent" }),
    workers: 3,
    iterations: { takeIteration: () => ((iterated = !iterated), !iterated) },
    queue: { baseRetryDelayMs: 5, maxRetryDelayMs: 20 },
    shutdownTimeoutMs: 5_000,
  });
  ref.controller = controller;
  return { order, informer, election, engine, controller, metrics };
}

describe("Controller", () => {
  it("without leader election leads at once and reconciles every experiment in the cache, then those that change", async () => {
    const { informer, engine, controller } = setup();
    informer.objects.push(experiment("a"), experiment("b"));
    controller.start();
    expect(controller.phase).toBe(ControllerPhase.Leading);
    informer.sync();
    await until(() => engine.count("team-a/a") === 1 && engine.count("team-a/b") === 1, "both experiments were reconciled");
    informer.change(experiment("c"));
    await until(() => engine.count("team-a/c") === 1, "the changed experiment was reconciled");
    await controller.stop();
  });

  it("does not reconcile the echo of its own status write, but any other change, and forgets deleted experiments", async () => {
    const own = new Set(["team-a/a@7"]);
    const forgotten: string[] = [];
    const { informer, engine, controller } = setup({
      ownWrites: {
        isOwnWrite: (key, rv) => own.has(`${key.namespace}/${key.name}@${rv}`),
        forget: (key) => forgotten.push(key.name),
      },
    });
    controller.start();
    informer.sync();
    informer.change(experiment("a", "Running", "7"));
    informer.change(experiment("b", "Running", "8"));
    await until(() => engine.count("team-a/b") === 1, "the other experiment was reconciled");
    expect(engine.count("team-a/a")).toBe(0);
    // Someone else's change to the same experiment has another resourceVersion.
    informer.change(experiment("a", "Running", "9"));
    await until(() => engine.count("team-a/a") === 1, "the foreign change was reconciled");
    // A relisted object is looked at even when it is what this controller wrote.
    informer.change(experiment("a", "Running", "7"), "added");
    await until(() => engine.count("team-a/a") === 2, "the relisted experiment was reconciled");
    informer.change(experiment("a", "Running", "7"), "deleted");
    await until(() => engine.count("team-a/a") === 3, "the deleted experiment was reconciled");
    expect(forgotten).toEqual(["a"]);
    await controller.stop();
  });

  it("requeues after requeueAfterMs, wakes the next experiment in line, and retries store errors with backoff", async () => {
    const { informer, engine, controller, metrics } = setup();
    engine.answer = (key, call) => {
      if (key.name === "due" && call < 3) return { outcome: ReconcileOutcome.NotDue, requeueAfterMs: 5 };
      if (key.name === "holder") return { outcome: ReconcileOutcome.Completed, wake: [{ namespace: "team-a", name: "waiter" }] };
      if (key.name === "flaky" && call < 3) return { outcome: ReconcileOutcome.StoreError, error: new EngineError("StoreUnavailable", "the API server is down") };
      return { outcome: ReconcileOutcome.Completed };
    };
    informer.objects.push(experiment("due"), experiment("holder"), experiment("flaky"));
    controller.start();
    informer.sync();
    await until(() => engine.count("team-a/due") === 3, "the requeued experiment came back twice");
    await until(() => engine.count("team-a/waiter") === 1, "the woken experiment was reconciled");
    await until(() => engine.count("team-a/flaky") === 3, "the failing experiment was retried");
    const text = await metrics.registry.metrics();
    expect(text).toContain('iter8_reconcile_errors_total{reason="StoreUnavailable"} 2');
    expect(text).toMatch(/iter8_reconciles_total\{outcome="NotDue"\} 2/);
    await controller.stop();
  });

  it("never reconciles one experiment in two workers at once, however often it changes", async () => {
    const { informer, engine, controller } = setup();
    let open!: () => void;
    engine.gate = new Promise<void>((resolve) => (open = resolve));
    controller.start();
    informer.sync();
    informer.change(experiment("hot"));
    await until(() => engine.running === 1, "the first reconcile started");
    for (let i = 0; i < 10; i++) informer.change(experiment("hot"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.maxRunning).toBe(1);
    open();
    engine.gate = undefined;
    // The ten changes while it ran coalesce into one more reconcile.
    await until(() => engine.count("team-a/hot") === 2, "the coalesced change was reconciled");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.count("team-a/hot")).toBe(2);
    await controller.stop();
  });

  it("with leader election works only while leading", async () => {
    const { informer, election, engine, controller } = setup({ election: true });
    informer.objects.push(experiment("a"));
    controller.start();
    informer.sync();
    informer.change(experiment("a"));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(controller.phase).toBe(ControllerPhase.Standby);
    expect(engine.calls).toEqual([]);

    election!.callbacks!.onStartedLeading();
    expect(controller.leading).toBe(true);
    await until(() => engine.count("team-a/a") === 1, "the leader reconciled the cached experiment");

    election!.callbacks!.onStoppedLeading();
    expect(controller.phase).toBe(ControllerPhase.Standby);
    informer.change(experiment("b"));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(engine.count("team-a/b")).toBe(0);

    election!.callbacks!.onStartedLeading();
    await until(() => engine.count("team-a/a") === 2, "a new term looks at every experiment again");
    await controller.stop();
  });

  it("is ready once informers synced, whether leading or standing by, and not while shutting down", async () => {
    const { informer, election, controller } = setup({ election: true });
    controller.start();
    expect(controller.ready()).toEqual({ ok: false, detail: "1 of 1 informers have not synced yet" });
    informer.sync();
    expect(controller.ready()).toEqual({ ok: true, detail: "informers synced; standing by for the leader Lease" });
    election!.callbacks!.onStartedLeading();
    expect(controller.ready()).toEqual({ ok: true, detail: "informers synced; leading" });
    expect(controller.health().ok).toBe(true);
    await controller.stop();
    expect(controller.ready().ok).toBe(false);
    expect(controller.health().ok).toBe(false);
  });

  it("shuts down gracefully: lets the running reconcile finish, then stops informers, then releases the Lease", async () => {
    const { order, informer, election, engine, controller } = setup({ election: true });
    let open!: () => void;
    engine.gate = new Promise<void>((resolve) => (open = resolve));
    controller.start();
    informer.sync();
    election!.callbacks!.onStartedLeading();
    informer.change(experiment("busy"));
    await until(() => engine.running === 1, "a reconcile is running");

    let stopped = false;
    const stopping = controller.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    expect(informer.stopped).toBe(false);
    expect(election!.stopped).toBe(false);
    expect(controller.ready().ok).toBe(false);
    // Changes during shutdown start nothing new.
    informer.change(experiment("late"));

    open();
    await stopping;
    expect(engine.running).toBe(0);
    expect(engine.count("team-a/late")).toBe(0);
    expect(order).toEqual(["informer.start", "informer.stop", "election.stop"]);
    expect(controller.phase).toBe(ControllerPhase.Stopped);
  });

  it("counts experiments by stage and observes the duration of reconciles that completed an iteration", async () => {
    const { informer, controller, metrics } = setup();
    informer.objects.push(experiment("a", "Running"), experiment("b", "Running"), experiment("c"), experiment("d", "Completed"));
    controller.start();
    informer.sync();
    await until(() => controller.queueDepth === 0, "the queue emptied");
    await new Promise((resolve) => setTimeout(resolve, 30));
    const text = await metrics.registry.metrics();
    expect(text).toContain('iter8_experiments{stage="Running"} 2');
    expect(text).toContain('iter8_experiments{stage="Waiting"} 1');
    expect(text).toContain('iter8_experiments{stage="Completed"} 1');
    expect(text).toContain("iter8_leader 1");
    // The fake counter marks every other reconcile as one that completed an iteration.
    expect(text).toContain("iter8_iteration_duration_seconds_count 2");
    await controller.stop();
  });

  it("reconciles the experiment a changed action Job belongs to, and cleans up after a deleted experiment", async () => {
    const informer = new FakeInformer();
    const jobs = new FakeInformer();
    const engine = new FakeEngine();
    const deleted: string[] = [];
    const metrics = createControllerMetrics({ experimentsByStage: () => ({}), queueDepth: () => 0, isLeader: () => true }, { processMetrics: false });
    const controller = new Controller({
      engine,
      experiments: informer,
      triggers: [{ informer: jobs, keyOf: (job) => (job.metadata.annotations?.experiment ? { namespace: "team-a", name: job.metadata.annotations.experiment } : undefined) }],
      onDeleted: async (key) => void deleted.push(`${key.namespace}/${key.name}`),
      metrics,
      logger: pino({ level: "silent" }),
      workers: 2,
    });
    controller.start();
    expect(controller.ready().ok).toBe(false);
    informer.sync();
    expect(controller.ready()).toEqual({ ok: false, detail: "1 of 2 informers have not synced yet" });
    jobs.sync();
    jobs.change({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "exp-abc-start", namespace: "iter8-system", annotations: { experiment: "exp" } } });
    jobs.change({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "unrelated", namespace: "iter8-system" } });
    await until(() => engine.count("team-a/exp") === 1, "the Job's experiment was reconciled");

    informer.change(experiment("gone"), "deleted");
    await until(() => engine.count("team-a/gone") === 1 && deleted.length === 1, "the deleted experiment was reconciled and cleaned up");
    expect(deleted).toEqual(["team-a/gone"]);
    expect(jobs.stopped).toBe(false);
    await controller.stop();
    expect(jobs.stopped).toBe(true);
  });

  it("gives every reconcile a deadline: hung reconciles are aborted and retried later, and other experiments keep their workers", async () => {
    const informer = new FakeInformer();
    const signals: AbortSignal[] = [];
    const calls: string[] = [];
    // team-a's two experiments hang: one until its signal aborts, the other for good (a port that ignores signals).
    const engine: Engine = {
      reconcile: (key, options) => {
        const id = `${key.namespace}/${key.name}`;
        calls.push(id);
        if (key.namespace === "team-b") return Promise.resolve({ key, wake: [], outcome: ReconcileOutcome.Progressed, requeueAfterMs: 20 });
        signals.push(options!.signal!);
        if (key.name === "deaf") return new Promise<ReconcileResult>(() => {});
        return new Promise<ReconcileResult>((resolve) =>
          options!.signal!.addEventListener("abort", () => resolve({ key, wake: [], outcome: ReconcileOutcome.Aborted, error: new EngineError("ReconcileAborted", "stopped") })),
        );
      },
    };
    const metrics = createControllerMetrics({ experimentsByStage: () => ({}), queueDepth: () => 0, isLeader: () => true }, { processMetrics: false });
    const controller = new Controller({
      engine,
      experiments: informer,
      metrics,
      logger: pino({ level: "silent" }),
      workers: 2,
      queue: { baseRetryDelayMs: 5, maxRetryDelayMs: 20 },
      reconcileTimeoutMs: 50,
      shutdownTimeoutMs: 100,
    });
    informer.objects.push(
      { ...experiment("hung"), metadata: { name: "hung", namespace: "team-a" } },
      { ...experiment("deaf"), metadata: { name: "deaf", namespace: "team-a" } },
      { ...experiment("steady"), metadata: { name: "steady", namespace: "team-b" } },
    );
    controller.start();
    informer.sync();
    // Both workers start on team-a's hung experiments; team-b is reconciled again and again anyway.
    await until(() => calls.filter((c) => c === "team-b/steady").length >= 5, "team-b's experiment kept being reconciled");
    await until(() => calls.filter((c) => c === "team-a/hung").length >= 2 && calls.filter((c) => c === "team-a/deaf").length >= 2, "the hung experiments were tried again");
    expect(signals.length).toBeGreaterThanOrEqual(4);
    expect(signals.slice(0, 2).every((s) => s.aborted && (s.reason as Error).message === "it took longer than the controller's --reconcile-timeout of 50 ms")).toBe(true);
    expect((await metrics.registry.getSingleMetricAsString("iter8_reconcile_errors_total").catch(() => ""))).toContain("ReconcileAborted");
    await controller.stop();
  });
});
