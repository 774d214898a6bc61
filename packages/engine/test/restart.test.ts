/**
 * Restart safety: all progress lives in status, so an engine rebuilt before every reconcile, or
 * a process that dies at any port call, ends every experiment exactly as an uninterrupted run
 * does, and never runs an action twice.
 */
import { describe, expect, it } from "vitest";
import { createEngine, runToCompletion, type EnginePorts } from "../src/index";
import type { EngineStatus } from "../src/engine-status";
import { action, experiment, latencies, makeWorld, type WorldOptions } from "./world";

/** Scenarios covering every stage and action kind. */
const scenarios: Record<string, () => WorldOptions> = {
  "canary with start, loop and finish actions over two loops": () => ({
    experiments: [
      experiment({
        iterationsPerLoop: 2,
        maxLoops: 2,
        actions: { start: action("s"), loop: action("l"), finish: action("f") },
      }),
    ],
    actions: () => ({ durationMs: 4_000 }),
  }),
  "rollback through the finish action": () => ({
    experiments: [experiment({ deployment: "BlueGreen", iterationsPerLoop: 4, actions: { finish: action("restore") } })],
    values: latencies({ v1: 50, v2: (i) => (i >= 3 ? 500 : 40) }),
    actions: () => ({ durationMs: 2_000 }),
  }),
  "a failure with a failure action": () => ({
    experiments: [experiment({ actions: { start: action("s"), failure: action("cleanup") } })],
    actions: (r) => (r.action === "start" ? { outcome: "Failed", durationMs: 1_000 } : { durationMs: 1_000 }),
  }),
  "two experiments queued on one target": () => ({
    experiments: [
      experiment({ name: "a", iterationsPerLoop: 2, actions: { finish: action("f") } }),
      experiment({ name: "b", pattern: "Conformance", weightRefs: false, iterationsPerLoop: 2 }),
    ],
    values: latencies({ v1: 50, v2: 40 }),
    actions: () => ({ durationMs: 1_500 }),
  }),
};

/** What must not depend on restarts (times may shift when a crash delays a step). */
function essentials(status: EngineStatus) {
  return {
    stage: status.stage,
    message: status.message,
    completedIterations: status.completedIterations,
    conditions: status.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
    currentWeightDistribution: status.currentWeightDistribution,
    versionRecommendedForPromotion: status.versionRecommendedForPromotion,
    winner: status.analysis?.winnerAssessment?.data,
    actions: status.actions?.map((a) => [a.action, a.handler, a.loop, a.state]),
    decisions: status.decisions?.map((d) => [d.iteration, d.outcome, d.recommendedWeights, d.weightsApplied]),
    retry: status.retry,
  };
}

/** Kills the simulated process: from one chosen port call until the end of the reconcile, every call throws. */
class CrashSwitch {
  calls = 0;
  crashed = false;
  constructor(
    readonly at: number,
    readonly when: "before" | "after",
  ) {}
  wrap<T extends object>(port: T): T {
    return new Proxy(port, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          this.calls++;
          if (this.crashed) throw new Error("process is gone");
          if (this.when === "before" && this.calls === this.at) {
            this.crashed = true;
            throw new Error("process died before this call");
          }
          const result: unknown = await (value as (...a: unknown[]) => unknown).apply(target, args);
          if (this.when === "after" && this.calls === this.at) {
            this.crashed = true;
            throw new Error("process died before the answer arrived");
          }
          return result;
        };
      },
    });
  }
}

async function reference(make: () => WorldOptions) {
  const world = makeWorld(make());
  let portCalls = 0;
  const counter = new CrashSwitch(-1, "before");
  const ports: EnginePorts = {
    ...world.ports,
    store: counter.wrap(world.ports.store),
    metrics: counter.wrap(world.ports.metrics),
    weights: counter.wrap(world.ports.weights),
    actions: counter.wrap(world.ports.actions),
  };
  await runToCompletion(createEngine(ports, world.engineOptions), world.keys, { clock: world.clock });
  portCalls = counter.calls;
  return { world, portCalls };
}

describe("restart safety", () => {
  for (const [title, make] of Object.entries(scenarios)) {
    it(`${title}: an engine rebuilt before every reconcile gives the identical status`, async () => {
      const { world: once } = await reference(make);
      const rebuilt = makeWorld(make());
      let engines = 0;
      await runToCompletion(
        {
          reconcile: (key) => {
            engines++;
            return createEngine(rebuilt.ports, rebuilt.engineOptions).reconcile(key);
          },
        },
        rebuilt.keys,
        { clock: rebuilt.clock },
      );
      expect(engines).toBeGreaterThan(5);
      for (const key of once.keys) {
        expect(rebuilt.store.peek(key)?.status).toEqual(once.store.peek(key)?.status);
      }
      expect(rebuilt.runner.executionCounts()).toEqual(once.runner.executionCounts());
    });

    it(`${title}: dying at any port call, before or after it, changes nothing and runs no action twice`, async () => {
      const { world: once, portCalls } = await reference(make);
      const expected = once.keys.map((k) => essentials(once.store.peek(k)?.status as EngineStatus));
      const expectedRuns = once.runner.executionCounts();
      expect(Object.values(expectedRuns).every((n) => n === 1)).toBe(true);
      expect(portCalls).toBeGreaterThan(10);

      for (const when of ["before", "after"] as const) {
        for (let at = 1; at <= portCalls; at++) {
          const world = makeWorld(make());
          const crash = new CrashSwitch(at, when);
          const ports: EnginePorts = {
            ...world.ports,
            store: crash.wrap(world.ports.store),
            metrics: crash.wrap(world.ports.metrics),
            weights: crash.wrap(world.ports.weights),
            actions: crash.wrap(world.ports.actions),
          };
          await runToCompletion(
            {
              reconcile: async (key) => {
                // A new process: a fresh engine that knows only what the store holds.
                const result = await createEngine(ports, world.engineOptions).reconcile(key);
                crash.crashed = false;
                return result;
              },
            },
            world.keys,
            { clock: world.clock, maxSteps: 5_000 },
          );
          const got = world.keys.map((k) => essentials(world.store.peek(k)?.status as EngineStatus));
          expect({ at, when, got }).toEqual({ at, when, got: expected });
          expect({ at, when, runs: world.runner.executionCounts() }).toEqual({ at, when, runs: expectedRuns });
        }
      }
    });
  }
});
