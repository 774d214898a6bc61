// Which version an experiment's end actions promote, on every path that ends an experiment: a
// rollback or a failure promotes the baseline whatever earlier iterations recommended; only a
// completion promotes the latest winner. Actions see the decision in the status they are given.
import type { Experiment } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import type { ActionRequest } from "../src/ports";
import { action, experiment, latencies, makeWorld, metric } from "./world";

/** What each action saw when it was started: its handler, the recommended version, the conclusion. */
function recordingActions() {
  const seen: Array<{ handler: string; action: string; loop?: number; promote?: string; outcome?: string; reason?: string }> = [];
  const behave = (request: ActionRequest, e: Experiment) => {
    const status = e.status;
    const entry: (typeof seen)[number] = { handler: request.handler, action: request.action };
    if (request.loop !== undefined) entry.loop = request.loop;
    if (status?.versionRecommendedForPromotion !== undefined) entry.promote = status.versionRecommendedForPromotion;
    if (status?.conclusion) {
      entry.outcome = status.conclusion.outcome;
      entry.reason = status.conclusion.reason;
    }
    seen.push(entry);
    return { durationMs: 2_000 };
  };
  return { seen, behave };
}

const rollbackObjective = [{ metric: "default/mean-latency", upperLimit: 50, rollback_on_failure: true }];

describe("the version an experiment's end promotes", () => {
  it("a candidate that passes two iterations and fails the third is not promoted by the rollback", async () => {
    const actions = recordingActions();
    const world = makeWorld({
      experiments: [
        experiment({ deployment: "FixedSplit", objectives: rollbackObjective, iterationsPerLoop: 5, actions: { finish: action("promote") } }),
      ],
      values: latencies({ v1: 45, v2: (i) => (i >= 3 ? 80 : 30) }),
      actions: actions.behave,
    });
    await world.run();

    const status = world.status();
    expect(world.condition("Completed")).toMatchObject({ status: "True", message: "Experiment Completed" });
    expect(status.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "v1" });
    expect(status.versionRecommendedForPromotion).toBe("v1");
    expect(status.conclusion).toEqual({
      outcome: "RolledBack",
      reason:
        "Rolled back: objective 1 (default/mean-latency) is not met by v2; the objective is marked rollback_on_failure. " +
        "The baseline v1, which served before the experiment, is recommended for promotion.",
    });
    expect(actions.seen).toEqual([{ handler: "Rollback", action: "finish", promote: "v1", outcome: "RolledBack", reason: status.conclusion?.reason }]);
    // The record shows v2 recommended while it was winning and v1 once it failed.
    expect(status.decisions?.map((d) => [d.iteration, d.outcome, d.versionRecommendedForPromotion])).toEqual([
      [1, "Continued", "v2"],
      [2, "Continued", "v2"],
      [3, "RolledBack", "v1"],
    ]);
    expect(status.decisions?.at(-1)?.reason).toBe(status.conclusion?.reason);
  });

  it("a baseline that breaks a rollback objective rolls back to the baseline, not to the candidate", async () => {
    const actions = recordingActions();
    const world = makeWorld({
      experiments: [experiment({ objectives: rollbackObjective, iterationsPerLoop: 4, actions: { finish: action("promote") } })],
      values: latencies({ v1: (i) => (i >= 2 ? 70 : 40), v2: 30 }),
      actions: actions.behave,
    });
    await world.run();
    expect(world.status().versionRecommendedForPromotion).toBe("v1");
    expect(world.status().conclusion?.outcome).toBe("RolledBack");
    expect(world.status().conclusion?.reason).toContain("is not met by v1");
    expect(actions.seen).toMatchObject([{ handler: "Rollback", promote: "v1", outcome: "RolledBack" }]);
  });

  it("A/B/N: the earlier winner failing later promotes the baseline", async () => {
    const actions = recordingActions();
    const world = makeWorld({
      experiments: [
        experiment({
          pattern: "A/B/N",
          candidates: ["v2", "v3"],
          objectives: rollbackObjective,
          rewards: [{ metric: "default/conversions", preferredDirection: "High" }],
          iterationsPerLoop: 5,
          actions: { finish: action("promote") },
        }),
      ],
      metrics: [metric("mean-latency"), metric("conversions")],
      values: ({ iteration }) => ({
        "default/mean-latency": { v1: { value: 40 }, v2: { value: iteration >= 3 ? 90 : 30 }, v3: { value: 35 } },
        "default/conversions": { v1: { value: 1 }, v2: { value: 9 }, v3: { value: 5 } },
      }),
      actions: actions.behave,
    });
    await world.run();
    const status = world.status();
    expect(status.decisions?.map((d) => d.versionRecommendedForPromotion)).toEqual(["v2", "v2", "v1"]);
    // v3 meets every objective and is the best feasible version at iteration 3, but a rollback
    // returns to the version that served before the experiment.
    expect(status.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "v3" });
    expect(status.versionRecommendedForPromotion).toBe("v1");
    expect(actions.seen).toMatchObject([{ handler: "Rollback", promote: "v1", outcome: "RolledBack" }]);
  });

  it("a rollback at the end of a loop runs no loop action; the loop action before it saw the winner of its time", async () => {
    const actions = recordingActions();
    const world = makeWorld({
      experiments: [
        experiment({
          objectives: rollbackObjective,
          iterationsPerLoop: 2,
          maxLoops: 3,
          actions: { loop: action("promote so far"), finish: action("promote") },
        }),
      ],
      values: latencies({ v1: 45, v2: (i) => (i >= 4 ? 80 : 30) }),
      actions: actions.behave,
    });
    await world.run();
    expect(actions.seen.map(({ handler, loop, promote, outcome }) => ({ handler, loop, promote, outcome }))).toEqual([
      { handler: "Loop", loop: 1, promote: "v2", outcome: undefined },
      { handler: "Rollback", loop: undefined, promote: "v1", outcome: "RolledBack" },
    ]);
    expect(world.status().versionRecommendedForPromotion).toBe("v1");
  });

  it("a rollback while a loop action runs waits for it, then promotes the baseline", async () => {
    const actions = recordingActions();
    const world = makeWorld({
      experiments: [
        experiment({
          objectives: rollbackObjective,
          iterationsPerLoop: 1,
          maxLoops: 4,
          intervalSeconds: 1,
          actions: { loop: action("promote so far"), finish: action("promote") },
        }),
      ],
      // The loop action after iteration 2 runs 2 s; iteration 3 breaks the objective.
      values: latencies({ v1: 45, v2: (i) => (i >= 3 ? 80 : 30) }),
      actions: actions.behave,
    });
    await world.run();
    expect(actions.seen.map(({ handler, loop, promote }) => [handler, loop, promote])).toEqual([
      ["Loop", 1, "v2"],
      ["Loop", 2, "v2"],
      ["Rollback", undefined, "v1"],
    ]);
    expect(world.status().conclusion?.outcome).toBe("RolledBack");
  });

  it("a completion promotes the latest winner, and says so", async () => {
    const actions = recordingActions();
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 3, actions: { finish: action("promote") } })],
      values: latencies({ v1: 45, v2: 30 }),
      actions: actions.behave,
    });
    await world.run();
    expect(world.status().conclusion).toEqual({
      outcome: "Completed",
      reason: "Completed after 3 iteration(s) with winner v2. v2 is recommended for promotion.",
    });
    expect(actions.seen).toMatchObject([{ handler: "Finish", promote: "v2", outcome: "Completed" }]);
  });

  it("a completion whose candidate stopped winning promotes the baseline", async () => {
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 3, objectives: [{ metric: "default/mean-latency", upperLimit: 50 }] })],
      values: latencies({ v1: 45, v2: (i) => (i >= 3 ? 80 : 30) }),
    });
    await world.run();
    expect(world.status().decisions?.map((d) => d.versionRecommendedForPromotion)).toEqual(["v2", "v2", "v1"]);
    expect(world.status().versionRecommendedForPromotion).toBe("v1");
    expect(world.status().conclusion?.reason).toBe("Completed after 3 iteration(s) with winner v1. The baseline v1 is recommended for promotion.");
  });

  it("a failure after the candidate had been winning promotes the baseline to the failure action", async () => {
    const actions = recordingActions();
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 5, actions: { failure: action("clean up") } })],
      values: latencies({ v1: 45, v2: 30 }),
      actions: actions.behave,
      engine: { retry: { maxAttempts: 2, initialDelayMs: 1_000 } },
    });
    // Two iterations go through; from then on the metrics backend is gone.
    const run = world.run(undefined, () => {
      if (world.status().completedIterations === 2 && world.metrics.calls === 2) world.metrics.faults.failNext("query", new Error("connection refused"), 10);
    });
    await run;
    const status = world.status();
    expect(world.condition("Failed")).toMatchObject({ status: "True", reason: "AnalyticsServiceError" });
    expect(status.versionRecommendedForPromotion).toBe("v1");
    expect(status.conclusion).toEqual({
      outcome: "Failed",
      reason:
        "Failed: Call to analytics engine failed (AnalyticsServiceError). The baseline v1, which served before the experiment, is recommended for promotion.",
    });
    expect(actions.seen).toMatchObject([{ handler: "Failure", promote: "v1", outcome: "Failed" }]);
    expect(status.decisions?.at(-1)).toMatchObject({ outcome: "Failed", versionRecommendedForPromotion: "v1" });
  });

  it("losing the routing object fails the experiment and promotes the baseline", async () => {
    const actions = recordingActions();
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 5, actions: { failure: action("clean up") } })],
      values: latencies({ v1: 45, v2: 30 }),
      actions: actions.behave,
      engine: { retry: { maxAttempts: 2, initialDelayMs: 1_000 } },
    });
    await world.run(undefined, () => {
      if (world.status().completedIterations === 2) world.weights.faults.failNext("observe", new Error("virtualservices \"routing\" not found"), 10);
    });
    expect(world.condition("Failed")).toMatchObject({ status: "True", reason: "InvalidExperiment" });
    expect(world.status().versionRecommendedForPromotion).toBe("v1");
    expect(actions.seen).toMatchObject([{ handler: "Failure", promote: "v1", outcome: "Failed" }]);
  });

  it("a winner deleted from the spec before the end is never promoted", async () => {
    const actions = recordingActions();
    const world = makeWorld({
      experiments: [
        experiment({
          pattern: "A/B/N",
          candidates: ["v2", "v3"],
          rewards: [{ metric: "default/conversions", preferredDirection: "High" }],
          iterationsPerLoop: 2,
          actions: { finish: action("promote") },
        }),
      ],
      metrics: [metric("mean-latency"), metric("conversions")],
      values: () => ({
        "default/mean-latency": { v1: { value: 40 }, v2: { value: 30 }, v3: { value: 35 } },
        "default/conversions": { v1: { value: 1 }, v2: { value: 5 }, v3: { value: 9 } },
      }),
      actions: actions.behave,
    });
    let edited = false;
    await world.run(undefined, () => {
      // After the last iteration, before the finish action starts, v3 leaves the spec.
      if (!edited && world.status().completedIterations === 2) {
        edited = true;
        world.store.updateSpec(world.key("exp"), (spec) => {
          if (spec.versionInfo) spec.versionInfo.candidates = spec.versionInfo.candidates?.filter((c) => c.name !== "v3");
        });
      }
    });
    expect(world.status().analysis?.winnerAssessment?.data.winner).toBe("v3");
    expect(world.status().versionRecommendedForPromotion).toBe("v1");
    expect(actions.seen).toMatchObject([{ handler: "Finish", promote: "v1", outcome: "Completed" }]);
  });
});
