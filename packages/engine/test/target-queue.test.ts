import { describe, expect, it } from "vitest";
import { conditionOf, isConditionTrue, type Experiment } from "@iter8ts/types";
import { createEngine, runToCompletion, type ReconcileResult } from "../src/index";
import { experiment, makeWorld } from "./world";

type World = ReturnType<typeof makeWorld>;

/** Names of experiments that hold the target past Waiting (actually working on it). */
function activeHolders(world: World, names: string[]): string[] {
  return names.filter((n) => {
    const s = world.status(n);
    const held = isConditionTrue(s, "TargetAcquired");
    const done = isConditionTrue(s, "Completed");
    return held && !done && s.stage !== "Waiting";
  });
}

function completionTime(world: World, name: string): number {
  return Date.parse(world.condition("Completed", name)?.lastTransitionTime ?? "");
}

describe("target queueing", () => {
  it("runs experiments on one target one at a time, first come first served", async () => {
    const names = ["first", "second", "third"];
    const world = makeWorld({ experiments: names.map((name) => experiment({ name, iterationsPerLoop: 2 })) });
    let maxActive = 0;
    await world.run(world.engine, () => {
      maxActive = Math.max(maxActive, activeHolders(world, names).length);
    });
    expect(maxActive).toBe(1);
    for (const n of names) expect(world.condition("Completed", n)).toMatchObject({ status: "True", message: "Experiment completed successfully" });
    const starts = names.map((n) => Date.parse(world.status(n).startTime ?? ""));
    expect(starts[0]).toBeLessThan(starts[1] ?? 0);
    expect(starts[1]).toBeLessThan(starts[2] ?? 0);
    expect(starts[1]).toBeGreaterThanOrEqual(completionTime(world, "first"));
    expect(starts[2]).toBeGreaterThanOrEqual(completionTime(world, "second"));
  });

  it("keeps a waiting experiment in Waiting with its initial message", async () => {
    const world = makeWorld({ experiments: [experiment({ name: "a", iterationsPerLoop: 3 }), experiment({ name: "b" })] });
    let seenWaiting = false;
    await world.run(world.engine, (result) => {
      if (result.key.name === "b" && result.outcome === "Waiting") {
        seenWaiting = true;
        expect(world.status("b").stage).toBe("Waiting");
        expect(world.status("b").message).toBe("ExperimentInitialized: Experiment status initialized");
      }
    });
    expect(seenWaiting).toBe(true);
  });

  it("wakes the next experiment as soon as the holder completes", async () => {
    const world = makeWorld({ experiments: [experiment({ name: "a", iterationsPerLoop: 1 }), experiment({ name: "b", iterationsPerLoop: 1 })] });
    const wakes: string[] = [];
    await world.run(world.engine, (r: ReconcileResult) => wakes.push(...r.wake.map((k) => `${r.key.name}->${k.name}`)));
    expect(wakes).toEqual(["a->b"]);
    // Woken, not found by the 30 s recheck: b starts right when a completes.
    expect(Date.parse(world.status("b").startTime ?? "")).toBe(completionTime(world, "a"));
  });

  it("lets experiments on different targets run side by side", async () => {
    const world = makeWorld({
      experiments: [experiment({ name: "a", target: "default/app-a" }), experiment({ name: "b", target: "default/app-b" })],
    });
    await world.run();
    const a = Date.parse(world.status("a").startTime ?? "");
    const b = Date.parse(world.status("b").startTime ?? "");
    expect(Math.abs(a - b)).toBeLessThan(1000);
  });

  it("breaks a tie in init time by creation time, then by namespace/name, the same way for everyone", async () => {
    const world = makeWorld();
    const same = "2021-11-01T00:00:00.000Z";
    const put = (name: string, namespace: string, created: string) => {
      const e: Experiment = experiment({ name, namespace, iterationsPerLoop: 1 });
      e.metadata.creationTimestamp = created;
      world.store.putExperiment(e);
      return { namespace, name };
    };
    const keys = [put("zeta", "default", same), put("alpha", "prod", same), put("alpha", "dev", same), put("early", "zz", "2021-10-31T00:00:00.000Z")];
    // Initialise all four at the same instant.
    for (const k of keys) await world.engine.reconcile(k);
    expect(new Set(keys.map((k) => world.store.peek(k)?.status?.initTime)).size).toBe(1);
    const order: string[] = [];
    await runToCompletion(world.engine, keys, {
      clock: world.clock,
      onReconcile: (r) => {
        const s = world.store.peek(r.key)?.status;
        if (s?.stage === "Initializing" && !order.includes(`${r.key.namespace}/${r.key.name}`)) order.push(`${r.key.namespace}/${r.key.name}`);
      },
    });
    expect(order).toEqual(["zz/early", "default/zeta", "dev/alpha", "prod/alpha"]);
  });

  it("when a stale read let two experiments take the target, the later one steps back", async () => {
    const world = makeWorld({ experiments: [experiment({ name: "a", iterationsPerLoop: 1 }), experiment({ name: "b", iterationsPerLoop: 1 })] });
    const [a, b] = world.keys;
    if (!a || !b) throw new Error("two experiments expected");
    await world.engine.reconcile(a);
    await world.engine.reconcile(b);
    await world.engine.reconcile(a);
    expect(world.condition("TargetAcquired", "a")).toMatchObject({ status: "True" });
    // b wrongly believes it holds the target too (as after reading a stale cache).
    world.store.patchStatus(b, (s) => {
      const c = conditionOf(s, "TargetAcquired");
      if (c) c.status = "True";
    });
    const r = await world.engine.reconcile(b);
    expect(r.outcome).toBe("Waiting");
    expect(world.condition("TargetAcquired", "b")).toMatchObject({
      status: "False",
      reason: "TargetReleased",
      message: "Target default/app is also held by default/a, which came first; waiting for it to finish",
    });
    expect(world.status("b").stage).toBe("Waiting");
    await world.run();
    expect(world.condition("Completed", "b")).toMatchObject({ status: "True", message: "Experiment completed successfully" });
    expect(Date.parse(world.status("b").startTime ?? "")).toBeGreaterThanOrEqual(completionTime(world, "a"));
  });

  it("a deleted holder frees the target for the next experiment", async () => {
    const world = makeWorld({ experiments: [experiment({ name: "a", iterationsPerLoop: 50 }), experiment({ name: "b", iterationsPerLoop: 1 })] });
    let deleted = false;
    const summary = await runToCompletion(world.engine, world.keys, {
      clock: world.clock,
      onReconcile: () => {
        if (!deleted && (world.status("a").completedIterations ?? 0) >= 2) {
          world.store.deleteExperiment(world.key("a"));
          deleted = true;
        }
      },
    });
    expect(summary.results.map((r) => [r.key.name, r.outcome])).toEqual([
      ["a", "NotFound"],
      ["b", "Completed"],
    ]);
    expect(world.condition("Completed", "b")).toMatchObject({ message: "Experiment completed successfully" });
  });

  it("an engine that reconciles a deleted experiment names the next in line", async () => {
    const world = makeWorld({ experiments: [experiment({ name: "a" }), experiment({ name: "b" })] });
    const [a, b] = world.keys;
    if (!a || !b) throw new Error("two experiments expected");
    for (const k of [a, b, a]) await world.engine.reconcile(k);
    world.store.deleteExperiment(a);
    const engine = createEngine(world.ports, world.engineOptions);
    const r = await engine.reconcile(a);
    expect(r).toMatchObject({ outcome: "NotFound", wake: [b] });
  });
});
