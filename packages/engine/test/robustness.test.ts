import { describe, expect, it } from "vitest";
import { createEngine, InvalidStoredExperimentError, type ExperimentStore } from "../src/index";
import { action, experiment, makeWorld } from "./world";

describe("writes that conflict", () => {
  it("re-reads and decides again when another writer changed the status in between, keeping both changes", async () => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 2, actions: { start: action("collect") } })] });
    const hists = { provenance: "Builtin metrics collector", timestamp: "2021-11-01T00:00:00Z", data: { v1: {} } };
    let interfered = 0;
    const store: ExperimentStore = {
      getExperiment: (k) => world.store.getExperiment(k),
      listExperiments: (f) => world.store.listExperiments(f),
      getMetric: (ns, n) => world.store.getMetric(ns, n),
      writeStatus: async (key, status, resourceVersion) => {
        // A task writes its histograms just before the engine's write of the start action's launch.
        if (interfered === 0 && status.message === "HandlerLaunched: Start handler 'start' launched") {
          interfered++;
          world.store.patchStatus(key, (s) => {
            s.analysis = { ...s.analysis, aggregatedBuiltinHists: hists };
          });
        }
        return world.store.writeStatus(key, status, resourceVersion);
      },
    };
    const engine = createEngine({ ...world.ports, store }, world.engineOptions);
    await world.run(engine);
    expect(interfered).toBe(1);
    expect(world.status().analysis?.aggregatedBuiltinHists).toEqual(hists);
    expect(world.runner.executionCounts()).toEqual({ "default-exp-start": 1 });
    expect(world.condition("Completed")).toMatchObject({ message: "Experiment completed successfully" });
  });

  it("gives up the reconcile with WriteConflict when the status never stops changing, and changes nothing", async () => {
    const world = makeWorld({ experiments: [experiment()] });
    const store: ExperimentStore = {
      getExperiment: (k) => world.store.getExperiment(k),
      listExperiments: (f) => world.store.listExperiments(f),
      getMetric: (ns, n) => world.store.getMetric(ns, n),
      writeStatus: async () => ({ kind: "conflict" }),
    };
    const result = await createEngine({ ...world.ports, store }, { conflictRetries: 2, storeRetryMs: 7_000 }).reconcile(world.key("exp"));
    expect(result).toMatchObject({ outcome: "StoreError", requeueAfterMs: 7_000, error: { code: "WriteConflict" } });
    expect(world.status()).toEqual({});
  });
});

describe("an unreachable store", () => {
  it("returns StoreError with a retry time instead of throwing, and the run recovers", async () => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 2 })] });
    world.store.faults.failNext("getExperiment", new Error("connection refused"), 2);
    const first = await world.engine.reconcile(world.key("exp"));
    expect(first).toMatchObject({ outcome: "StoreError", requeueAfterMs: 5_000, error: { code: "StoreUnavailable", retryable: true } });
    expect(first.error?.message).toBe("The store could not be reached for experiment default/exp: connection refused; it will be tried again.");
    world.store.faults.failNext("writeStatus", new Error("etcdserver: request timed out"), 1);
    world.store.faults.failNext("listExperiments", new Error("503"), 1);
    await world.run();
    expect(world.condition("Completed")).toMatchObject({ status: "True", message: "Experiment completed successfully" });
  });
});

describe("requeue delays", () => {
  it("count from when the step was decided, so a slow status write does not make the next iteration late", async () => {
    const world = makeWorld({ experiments: [experiment({ intervalSeconds: 10, iterationsPerLoop: 3 })] });
    const store: ExperimentStore = {
      getExperiment: (k) => world.store.getExperiment(k),
      listExperiments: (f) => world.store.listExperiments(f),
      getMetric: (ns, n) => world.store.getMetric(ns, n),
      writeStatus: async (key, status, resourceVersion) => {
        world.clock.advance(300);
        return world.store.writeStatus(key, status, resourceVersion);
      },
    };
    const engine = createEngine({ ...world.ports, store }, world.engineOptions);
    let result;
    do result = await engine.reconcile(world.keys[0]!);
    while (world.status().completedIterations !== 1);
    expect(result).toMatchObject({ outcome: "Progressed", requeueAfterMs: 9_700 });
    // Reconciled when told: the second iteration is due, not early.
    world.clock.advance(9_700);
    await engine.reconcile(world.keys[0]!);
    expect(world.status().completedIterations).toBe(2);
  });
});

describe("event sinks", () => {
  it("a sink that throws does not undo or repeat a decision", async () => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 1 })] });
    const engine = createEngine(
      {
        ...world.ports,
        events: {
          emit: () => {
            throw new Error("events are forbidden");
          },
        },
      },
      world.engineOptions,
    );
    await world.run(engine);
    expect(world.condition("Completed")).toMatchObject({ message: "Experiment completed successfully" });
  });
});

describe("decision records", () => {
  it("keep only the most recent iterations", async () => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 12 })], engine: { decisionHistory: 5 } });
    await world.run();
    expect(world.status().decisions?.map((d) => d.iteration)).toEqual([8, 9, 10, 11, 12]);
  });

  it("explain a rollback by naming the objective and the versions that broke it", async () => {
    const world = makeWorld({
      experiments: [
        experiment({
          deployment: "BlueGreen",
          objectives: [
            { metric: "default/mean-latency", upperLimit: 100 },
            { metric: "default/error-rate", upperLimit: "0.01" },
          ],
        }),
      ],
      metrics: [
        {
          apiVersion: "iter8.tools/v2alpha2",
          kind: "Metric",
          metadata: { name: "mean-latency", namespace: "default" },
          spec: { type: "Gauge", method: "GET", urlTemplate: "http://127.0.0.1/" },
        },
        {
          apiVersion: "iter8.tools/v2alpha2",
          kind: "Metric",
          metadata: { name: "error-rate", namespace: "default" },
          spec: { type: "Gauge", method: "GET", urlTemplate: "http://127.0.0.1/" },
        },
      ],
      values: () => ({
        "default/mean-latency": { v1: { value: 50 }, v2: { value: 60 } },
        "default/error-rate": { v1: { value: 0.02 }, v2: { value: 0.05 } },
      }),
    });
    await world.run();
    expect(world.status().decisions?.[0]?.reason).toBe(
      "Rolled back: objective 2 (default/error-rate) is not met by v1, v2; the objective is marked rollback_on_failure. " +
        "The baseline v1, which served before the experiment, is recommended for promotion.",
    );
  });
});

describe("waiting experiments", () => {
  it("start even when the wake-up from the finished holder was lost", async () => {
    const world = makeWorld({
      experiments: [experiment({ name: "a", iterationsPerLoop: 1 }), experiment({ name: "b", iterationsPerLoop: 1 })],
      engine: { waitingRecheckMs: 45_000 },
    });
    let lost = false;
    const store: ExperimentStore = {
      getExperiment: (k) => world.store.getExperiment(k),
      getMetric: (ns, n) => world.store.getMetric(ns, n),
      writeStatus: (k, s, rv) => world.store.writeStatus(k, s, rv),
      listExperiments: async (filter) => {
        const list = await world.store.listExperiments(filter);
        // Listing right after a completes (to find whom to wake) fails.
        if (list.some((e) => e.metadata.name === "a" && e.status?.stage === "Completed") && !lost) {
          lost = true;
          throw new Error("watch cache not ready");
        }
        return list;
      },
    };
    const wakes: string[] = [];
    await world.run(createEngine({ ...world.ports, store }, world.engineOptions), (r) => wakes.push(...r.wake.map((k) => k.name)));
    expect(lost).toBe(true);
    expect(wakes).toEqual([]);
    expect(world.condition("Completed", "b")).toMatchObject({ message: "Experiment completed successfully" });
    const aDone = Date.parse(world.condition("Completed", "a")?.lastTransitionTime ?? "");
    const bStart = Date.parse(world.status("b").startTime ?? "");
    expect(bStart - aDone).toBeGreaterThan(0);
    expect(bStart - aDone).toBeLessThanOrEqual(45_000);
  });
});

describe("experiments the store cannot parse", () => {
  it("end Completed with Failed=True naming the problem, instead of being read again forever", async () => {
    const world = makeWorld({ experiments: [experiment()] });
    const key = world.key("exp");
    const resourceVersion = world.store.peek(key)?.metadata.resourceVersion;
    const problem = 'Experiment default/exp does not match the iter8.tools/v2alpha2 schema (spec.criteria.objectives[0].upperLimit: "1e309" is not a finite quantity); fix it with kubectl edit';
    world.store.faults.failNext("getExperiment", new InvalidStoredExperimentError(problem, { resourceVersion }));
    const result = await world.engine.reconcile(key);
    expect(result).toMatchObject({ outcome: "Completed", stage: "Completed" });
    expect(result.requeueAfterMs).toBeUndefined();
    expect(world.condition("Failed")).toMatchObject({ status: "True", reason: "InvalidExperiment", message: problem });
    expect(world.condition("Completed")).toMatchObject({ status: "True", reason: "ExperimentCompleted", message: "Experiment failed" });
    expect(world.status().conclusion?.outcome).toBe("Failed");
    expect(world.events.events.map((e) => e.reason)).toEqual(["InvalidExperiment", "StageAdvanced", "ExperimentCompleted"]);
    // Once ended, it stays ended.
    expect(await world.engine.reconcile(key)).toMatchObject({ outcome: "Completed" });
  });

  it("keep a status written before the edit that broke them, and write nothing over a newer one", async () => {
    const world = makeWorld({ experiments: [experiment()] });
    const key = world.key("exp");
    await world.engine.reconcile(key);
    const before = world.store.peek(key)!;
    world.store.faults.failNext("getExperiment", new InvalidStoredExperimentError("spec broken", { resourceVersion: "stale", status: before.status }));
    expect(await world.engine.reconcile(key)).toMatchObject({ outcome: "StoreError" });
    world.store.faults.failNext("getExperiment", new InvalidStoredExperimentError("spec broken", { resourceVersion: before.metadata.resourceVersion, status: before.status }));
    await world.engine.reconcile(key);
    expect(world.status().initTime).toBe(before.status?.initTime);
    expect(world.condition("Failed")).toMatchObject({ status: "True", message: "spec broken" });
  });
});
