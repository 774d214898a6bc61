import { describe, expect, it } from "vitest";
import { action, experiment, latencies, makeWorld, metric } from "./world";

describe("a successful experiment", () => {
  it("walks the stages with the original status messages and events", async () => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 2 })] });
    await world.run();

    expect(world.messages()).toEqual([
      "ExperimentInitialized: Experiment status initialized",
      "TargetAcquired",
      "StageAdvanced: Advanced to Initializing",
      "StageAdvanced: Advanced to Running",
      "IterationUpdate: Completed Iteration 1",
      "IterationUpdate: Completed Loop 1",
      "ExperimentCompleted: Experiment completed successfully",
    ]);
    expect(world.events.events.map((e) => `${e.reason}: ${e.message}`)).toEqual([
      "ExperimentInitialized: Experiment status initialized",
      "TargetAcquired: ",
      "StageAdvanced: Advanced to Initializing",
      "StageAdvanced: Advanced to Running",
      "IterationUpdate: Completed Iteration 1",
      "IterationUpdate: Completed Iteration 2",
      "IterationUpdate: Completed Loop 1",
      "StageAdvanced: Advanced to Completed",
      "ExperimentCompleted: Experiment completed successfully",
    ]);
    const status = world.status();
    expect(status.stage).toBe("Completed");
    expect(status.completedIterations).toBe(2);
    expect(world.condition("Completed")).toMatchObject({ status: "True", reason: "ExperimentCompleted" });
    expect(world.condition("Failed")).toMatchObject({ status: "False" });
    expect(world.condition("TargetAcquired")).toMatchObject({ status: "True", reason: "TargetAcquired" });
    expect(status.metrics?.map((m) => m.name)).toEqual(["default/mean-latency"]);
  });

  it("runs the first iteration at once and the next ones one interval apart", async () => {
    const world = makeWorld({ experiments: [experiment({ intervalSeconds: 30, iterationsPerLoop: 4 })] });
    const start = world.clock.now().getTime();
    await world.run();
    const times = (world.status().decisions ?? []).map((d) => Date.parse(d.time) - start);
    expect(times).toHaveLength(4);
    expect(times[0]).toBeLessThan(1000);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBe(30_000);
    expect(world.status().startTime).toBe(world.status().decisions?.[0]?.time);
  });

  it("picks up an edited intervalSeconds at the next iteration", async () => {
    const world = makeWorld({ experiments: [experiment({ intervalSeconds: 10, iterationsPerLoop: 3 })] });
    let edited = false;
    await world.run(world.engine, (result) => {
      if (!edited && world.status().completedIterations === 1) {
        world.store.updateSpec(result.key, (spec) => {
          spec.duration = { ...spec.duration, intervalSeconds: 60 };
        });
        edited = true;
      }
    });
    const times = (world.status().decisions ?? []).map((d) => Date.parse(d.time));
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBe(60_000);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBe(60_000);
  });

  it("runs a finish action and completes once it succeeds", async () => {
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 1, actions: { finish: action("kubectl apply -f promote.yaml") } })],
      actions: () => ({ durationMs: 5_000 }),
    });
    await world.run();
    expect(world.messages().slice(-3)).toEqual([
      "IterationUpdate: Completed Loop 1",
      "HandlerLaunched: Finish handler 'finish' launched",
      "ExperimentCompleted: Experiment Completed",
    ]);
    expect(world.events.events.map((e) => e.message).slice(-4)).toEqual([
      "Advanced to Finishing",
      "Finish handler 'finish' launched",
      "Advanced to Completed",
      "Experiment Completed",
    ]);
    expect(world.status().stage).toBe("Completed");
    expect(world.runner.executionCounts()).toEqual({ "default-exp-finish": 1 });
    expect(world.status().actions?.map((a) => [a.action, a.handler, a.state])).toEqual([["finish", "Finish", "Succeeded"]]);
  });

  it("runs the start action before loading metrics, and the stage stays Initializing meanwhile", async () => {
    const stagesWhileStarting: string[] = [];
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 1, actions: { start: action("echo start") } })],
      actions: (_request, e) => {
        stagesWhileStarting.push(e.status?.stage ?? "");
        return { durationMs: 2_000 };
      },
    });
    await world.run();
    expect(stagesWhileStarting).toEqual(["Initializing"]);
    expect(world.messages().slice(2, 5)).toEqual([
      "StageAdvanced: Advanced to Initializing",
      "HandlerLaunched: Start handler 'start' launched",
      "StageAdvanced: Advanced to Running",
    ]);
    expect(world.condition("Completed")).toMatchObject({ status: "True", message: "Experiment completed successfully" });
  });

  it("lets a start action supply versionInfo before it is validated", async () => {
    const world = makeWorld({
      experiments: [
        experiment({ noVersionInfo: true, deployment: "FixedSplit", iterationsPerLoop: 1, actions: { start: action("add versions") } }),
      ],
      actions: (request) => {
        if (request.action === "start") {
          world.store.updateSpec(request.experiment, (spec) => {
            spec.versionInfo = { baseline: { name: "v1" }, candidates: [{ name: "v2" }] };
          });
        }
        return {};
      },
    });
    await world.run();
    expect(world.condition("Failed")).toMatchObject({ status: "False" });
    expect(world.status().completedIterations).toBe(1);
  });
});

describe("loops", () => {
  it("runs the loop action after every loop, the last one included, then the finish action", async () => {
    const world = makeWorld({
      experiments: [
        experiment({ iterationsPerLoop: 2, maxLoops: 3, actions: { loop: action("echo loop"), finish: action("echo finish") } }),
      ],
      actions: () => ({ durationMs: 1_000 }),
    });
    await world.run();
    expect(world.runner.executions.map((e) => e.request.handlerName)).toEqual([
      "default-exp-loop-1",
      "default-exp-loop-2",
      "default-exp-loop-3",
      "default-exp-finish",
    ]);
    const loopEvents = world.events.events.map((e) => e.message).filter((m) => m.includes("Loop") || m.includes("loop"));
    expect(loopEvents).toEqual([
      "Completed Loop 1",
      "Loop handler 'loop' launched",
      "Completed Loop 2",
      "Loop handler 'loop' launched",
      "Completed Loop 3",
      "Loop handler 'loop' launched",
    ]);
    expect(world.status().completedIterations).toBe(6);
    expect(world.status().decisions?.map((d) => d.loop)).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it("reads the weights again after a loop action, which may have moved traffic", async () => {
    const world = makeWorld({
      experiments: [experiment({ deployment: "FixedSplit", iterationsPerLoop: 1, maxLoops: 2, actions: { loop: action("shift") } })],
      weights: { v1: 60, v2: 40 },
      actions: () => {
        void world.weights.apply(experiment(), [{ name: "v1", value: 20 }, { name: "v2", value: 80 }]);
        return {};
      },
    });
    await world.run();
    expect(world.status().decisions?.[1]?.recommendedWeights).toBeDefined();
    expect(world.status().currentWeightDistribution).toEqual([
      { name: "v1", value: 20 },
      { name: "v2", value: 80 },
    ]);
  });
});

describe("testing and deployment patterns", () => {
  it("Canary, Progressive: moves traffic to a winning candidate by at most 10 points per iteration", async () => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 5 })] });
    await world.run();
    const applied = world.weights.applied.map((ws) => ws.map((w) => w.value));
    expect(applied).toEqual([
      [90, 10],
      [80, 20],
      [70, 30],
      [60, 40],
      [50, 50],
    ]);
    expect(world.status().currentWeightDistribution).toEqual([
      { name: "v1", value: 50 },
      { name: "v2", value: 50 },
    ]);
    expect(world.status().versionRecommendedForPromotion).toBe("v2");
    expect(world.status().analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "v2" });
  });

  it("Canary: a failing candidate is not recommended and traffic returns to the baseline", async () => {
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 3 })],
      weights: { v1: 70, v2: 30 },
      values: latencies({ v1: 50, v2: 500 }),
    });
    await world.run();
    expect(world.status().versionRecommendedForPromotion).toBe("v1");
    expect(world.weights.weightOf("v2")).toBe(5);
    expect(world.status().decisions?.[0]?.versionAssessments).toEqual({ v1: [true], v2: [false] });
  });

  it("versionRecommendedForPromotion follows the latest winner and does not stick", async () => {
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 3 })],
      values: latencies({ v1: 50, v2: (i) => (i === 3 ? 500 : 40) }),
    });
    await world.run();
    expect(world.status().decisions?.map((d) => d.versionRecommendedForPromotion)).toEqual(["v2", "v2", "v1"]);
    expect(world.status().versionRecommendedForPromotion).toBe("v1");
  });

  it("FixedSplit: assesses versions but never changes the weights", async () => {
    const world = makeWorld({ experiments: [experiment({ deployment: "FixedSplit", iterationsPerLoop: 3 })], weights: { v1: 50, v2: 50 } });
    await world.run();
    expect(world.weights.applied).toEqual([]);
    expect(world.status().versionRecommendedForPromotion).toBe("v2");
    expect(world.status().decisions?.every((d) => d.weightsApplied === false)).toBe(true);
    expect(world.status().decisions?.[0]?.reason).toContain("FixedSplit");
  });

  it("Conformance: the baseline wins when it meets the objectives, and no weights move", async () => {
    const world = makeWorld({
      experiments: [experiment({ pattern: "Conformance", weightRefs: false, iterationsPerLoop: 2 })],
      values: latencies({ v1: 50 }),
    });
    await world.run();
    expect(world.weights.applied).toEqual([]);
    expect(world.status().analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "v1" });
    expect(world.condition("Completed")).toMatchObject({ message: "Experiment completed successfully" });
  });

  it("A/B: the feasible version with the better reward wins and gets the traffic", async () => {
    const world = makeWorld({
      experiments: [
        experiment({ pattern: "A/B", rewards: [{ metric: "default/user-engagement", preferredDirection: "High" }], iterationsPerLoop: 2 }),
      ],
      metrics: [metric("mean-latency"), metric("user-engagement")],
      values: () => ({
        "default/mean-latency": { v1: { value: 50 }, v2: { value: 60 } },
        "default/user-engagement": { v1: { value: 10 }, v2: { value: 25 } },
      }),
    });
    await world.run();
    expect(world.status().versionRecommendedForPromotion).toBe("v2");
    expect(world.weights.weightOf("v2")).toBe(20);
    expect(world.status().metrics?.map((m) => m.name)).toEqual(["default/user-engagement", "default/mean-latency"]);
  });

  it("A/B/N: picks the best of several candidates, skipping one that breaks an objective", async () => {
    const world = makeWorld({
      experiments: [
        experiment({
          pattern: "A/B/N",
          candidates: ["v2", "v3"],
          rewards: [{ metric: "default/conversions", preferredDirection: "High" }],
          iterationsPerLoop: 1,
        }),
      ],
      metrics: [metric("mean-latency"), metric("conversions")],
      values: () => ({
        "default/mean-latency": { v1: { value: 50 }, v2: { value: 500 }, v3: { value: 60 } },
        "default/conversions": { v1: { value: 1 }, v2: { value: 9 }, v3: { value: 5 } },
      }),
    });
    await world.run();
    expect(world.status().versionRecommendedForPromotion).toBe("v3");
    expect(world.status().decisions?.[0]?.winner).toMatchObject({ found: true, winner: "v3" });
  });

  it("BlueGreen: objectives roll back by default, without any finish action", async () => {
    const world = makeWorld({
      experiments: [experiment({ deployment: "BlueGreen", iterationsPerLoop: 5 })],
      values: latencies({ v1: 50, v2: (i) => (i >= 2 ? 500 : 40) }),
    });
    await world.run();
    expect(world.condition("Completed")).toMatchObject({ status: "True", message: "Experiment rolled back" });
    expect(world.condition("Failed")).toMatchObject({ status: "False" });
    expect(world.status().completedIterations).toBe(1);
    const last = world.status().decisions?.at(-1);
    expect(last).toMatchObject({ iteration: 2, outcome: "RolledBack" });
    expect(last?.reason).toContain("default/mean-latency");
    expect(last?.reason).toContain("v2");
  });

  describe("statistics mode (criteria.strength)", () => {
    const errorRates = (byVersion: Record<string, { rate: number; requests: number }>) => () => ({
      "default/error-rate": Object.fromEntries(
        Object.entries(byVersion).map(([v, { rate, requests }]) => [v, { value: rate, sampleSize: requests }]),
      ),
    });
    const statisticsExperiment = () => {
      const e = experiment({ deployment: "BlueGreen", iterationsPerLoop: 3, objectives: [{ metric: "default/error-rate", upperLimit: "0.05" }] });
      e.spec.criteria = { ...e.spec.criteria, strength: { metrics: { "default/error-rate": { model: "proportion" } } } };
      return e;
    };

    it("does not roll back while an objective is still undecided", async () => {
      // 1 error in 25 requests: the rate may well be above 5%, but nothing shows it is.
      const world = makeWorld({
        experiments: [statisticsExperiment()],
        metrics: [metric("error-rate")],
        values: errorRates({ v1: { rate: 0.04, requests: 25 }, v2: { rate: 0.04, requests: 25 } }),
      });
      await world.run();
      expect(world.condition("Completed")).toMatchObject({ status: "True", message: "Experiment completed successfully" });
      expect(world.status().completedIterations).toBe(3);
      expect(world.status().analysis?.versionAssessments?.data).toMatchObject({ v2: [false] });
    });

    it("rolls back once an objective is shown to be violated", async () => {
      const world = makeWorld({
        experiments: [statisticsExperiment()],
        metrics: [metric("error-rate")],
        values: errorRates({ v1: { rate: 0.01, requests: 5_000 }, v2: { rate: 0.2, requests: 5_000 } }),
      });
      await world.run();
      expect(world.condition("Completed")).toMatchObject({ status: "True", message: "Experiment rolled back" });
      expect(world.status().decisions?.at(-1)).toMatchObject({ iteration: 1, outcome: "RolledBack" });
    });
  });

  it("rollback_on_failure runs the finish action as a Rollback handler", async () => {
    const world = makeWorld({
      experiments: [
        experiment({
          objectives: [{ metric: "default/mean-latency", upperLimit: 100, rollback_on_failure: true }],
          actions: { finish: action("restore baseline") },
        }),
      ],
      values: latencies({ v1: 50, v2: 500 }),
      actions: () => ({ durationMs: 3_000 }),
    });
    await world.run();
    expect(world.messages().slice(-3)).toEqual([
      "StageAdvanced: Advanced to Running",
      "HandlerLaunched: Rollback handler 'finish' launched",
      "ExperimentCompleted: Experiment Completed",
    ]);
    expect(world.runner.executions.map((e) => [e.request.handlerName, e.request.handler])).toEqual([["default-exp-finish", "Rollback"]]);
    expect(world.weights.applied).toEqual([]);
  });

  it("Progressive without rollback_on_failure keeps going when an objective fails", async () => {
    const world = makeWorld({ experiments: [experiment({ iterationsPerLoop: 2 })], values: latencies({ v1: 500, v2: 500 }) });
    await world.run();
    expect(world.condition("Completed")).toMatchObject({ message: "Experiment completed successfully" });
    expect(world.status().analysis?.winnerAssessment?.data.winnerFound).toBe(false);
    expect(world.status().versionRecommendedForPromotion).toBe("v1");
  });

  it("resolves unqualified metric references in the experiment's namespace", async () => {
    const world = makeWorld({
      experiments: [experiment({ namespace: "shop", objectives: [{ metric: "latency", upperLimit: 100 }], iterationsPerLoop: 1 })],
      metrics: [metric("latency", "shop")],
      values: () => ({ "shop/latency": { v1: { value: 50 }, v2: { value: 40 } } }),
    });
    await world.run();
    expect(world.status("exp", "shop").metrics?.map((m) => m.name)).toEqual(["shop/latency"]);
    expect(world.status("exp", "shop").analysis?.versionAssessments?.data).toEqual({ v1: [true], v2: [true] });
  });

  it("loads the metric named by sampleSize too", async () => {
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 1 })],
      metrics: [metric("mean-latency", "default", { sampleSize: "iter8-system/request-count" }), metric("request-count", "iter8-system")],
    });
    await world.run();
    expect(world.status().metrics?.map((m) => m.name)).toEqual(["default/mean-latency", "iter8-system/request-count"]);
  });
});

describe("status written by others", () => {
  it("keeps the builtin histograms a task wrote into status.analysis", async () => {
    const hists = { provenance: "Builtin metrics collector", timestamp: "2021-11-01T00:00:00Z", data: { v1: { RetCodes: { "200": 5 } } } };
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 2, actions: { start: action("collect") } })],
      actions: (request) => {
        world.store.patchStatus(request.experiment, (status) => {
          status.analysis = { ...status.analysis, aggregatedBuiltinHists: hists };
        });
        return {};
      },
    });
    await world.run();
    expect(world.status().analysis?.aggregatedBuiltinHists).toEqual(hists);
    expect(world.status().analysis?.winnerAssessment).toBeDefined();
  });
});

describe("every testing pattern with every deployment pattern", () => {
  const testing = ["Canary", "A/B", "A/B/N", "Conformance"] as const;
  const deployment = ["Progressive", "FixedSplit", "BlueGreen"] as const;
  const cases = testing.flatMap((t) => deployment.map((d) => [t, d] as const));

  it.each(cases)("%s with %s completes, moving traffic only when the pattern allows it", async (pattern, deploymentPattern) => {
    const conformance = pattern === "Conformance";
    const world = makeWorld({
      experiments: [
        experiment({
          pattern,
          deployment: deploymentPattern,
          candidates: conformance ? [] : pattern === "A/B/N" ? ["v2", "v3"] : ["v2"],
          weightRefs: !conformance,
          ...(pattern === "A/B" || pattern === "A/B/N" ? { rewards: [{ metric: "default/mean-latency", preferredDirection: "Low" as const }] } : {}),
          iterationsPerLoop: 2,
        }),
      ],
      values: latencies({ v1: 50, v2: 40, v3: 45 }),
    });
    await world.run();
    expect(world.condition("Completed")).toMatchObject({ status: "True", message: "Experiment completed successfully" });
    expect(world.condition("Failed")).toMatchObject({ status: "False" });
    const moves = !conformance && deploymentPattern !== "FixedSplit";
    expect(world.weights.applied.length > 0).toBe(moves);
    expect(world.status().decisions?.map((d) => d.weightsApplied)).toEqual([moves, moves]);
    expect(world.status().versionRecommendedForPromotion).toBe(conformance ? "v1" : "v2");
  });
});
