import { describe, expect, it } from "vitest";
import { withDefaults, type Experiment } from "@iter8ts/types";
import type { EngineStatus } from "./engine-status";
import { nextStep } from "./next-step";

const base: Experiment = withDefaults({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "e", namespace: "default" },
  spec: {
    target: "app",
    strategy: { testingPattern: "Canary", actions: { start: [{ run: "echo" }] } },
    versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] },
    criteria: { objectives: [{ metric: "mean-latency", upperLimit: 100 }] },
    duration: { intervalSeconds: 20, iterationsPerLoop: 2, maxLoops: 2 },
  },
});

const NOW = new Date("2021-11-01T10:00:00Z");
const conditions = (held: boolean, completed = false): EngineStatus["conditions"] => [
  { type: "Completed", status: completed ? "True" : "False" },
  { type: "Failed", status: "False" },
  { type: "TargetAcquired", status: held ? "True" : "False" },
];
const running = (extra: Partial<EngineStatus> = {}): EngineStatus => ({
  initTime: "2021-11-01T09:00:00Z",
  stage: "Running",
  conditions: conditions(true),
  completedIterations: 1,
  lastUpdateTime: "2021-11-01T09:59:50Z",
  ...extra,
});

describe("nextStep", () => {
  it("follows the stages in order", () => {
    expect(nextStep(base, {}, NOW).kind).toBe("Initialize");
    expect(nextStep(base, { initTime: "x", stage: "Waiting", conditions: conditions(false) }, NOW).kind).toBe("AcquireTarget");
    expect(nextStep(base, { initTime: "x", stage: "Waiting", conditions: conditions(true) }, NOW).kind).toBe("AdvanceToInitializing");
    expect(nextStep(base, { initTime: "x", stage: "Initializing", conditions: conditions(true) }, NOW).kind).toBe("LaunchStart");
    const started: EngineStatus = {
      initTime: "x",
      stage: "Initializing",
      conditions: conditions(true),
      actions: [{ action: "start", handler: "Start", runId: "r-start", state: "Succeeded", attempts: 1 }],
    };
    expect(nextStep(base, started, NOW)).toEqual({ kind: "LoadMetrics", refs: ["default/mean-latency"] });
    expect(nextStep(base, { ...started, metrics: [{ name: "default/mean-latency", metricObj: { spec: { type: "Gauge", method: "GET" } } }] }, NOW).kind).toBe(
      "AdvanceToRunning",
    );
    expect(nextStep(base, { initTime: "x", conditions: conditions(true, true), stage: "Completed" }, NOW).kind).toBe("Done");
  });

  it("runs the first iteration at once, later ones an interval after the last, with 100 ms of tolerance", () => {
    expect(nextStep(base, running({ completedIterations: 0, lastUpdateTime: NOW.toISOString() }), NOW)).toEqual({ kind: "Iterate", iteration: 1 });
    expect(nextStep(base, running(), NOW)).toEqual({ kind: "WaitForIteration", afterMs: 10_000 });
    expect(nextStep(base, running({ lastUpdateTime: "2021-11-01T09:59:40.050Z" }), NOW)).toEqual({ kind: "Iterate", iteration: 2 });
    expect(nextStep(base, running({ lastUpdateTime: "2021-11-01T09:59:40.200Z" }), NOW).kind).toBe("WaitForIteration");
  });

  it("finishes when the iteration budget (iterationsPerLoop × maxLoops) is spent", () => {
    expect(nextStep(base, running({ completedIterations: 4 }), NOW).kind).toBe("Finish");
  });

  it("waits for a pending retry, then repeats the failed iteration at once", () => {
    const retry = { step: "Iteration" as const, attempts: 1, lastError: "timeout", nextAttemptTime: "2021-11-01T10:00:04Z" };
    expect(nextStep(base, running({ retry }), NOW)).toEqual({ kind: "WaitForRetry", afterMs: 4_000 });
    expect(nextStep(base, running({ retry }), new Date("2021-11-01T10:00:04Z"))).toEqual({ kind: "Iterate", iteration: 2 });
  });

  it("polls a running action before anything else, even a completed iteration budget", () => {
    const r = { action: "loop" as const, handler: "Loop" as const, loop: 2, runId: "r-loop-2", state: "Running" as const, attempts: 1 };
    expect(nextStep(base, running({ completedIterations: 4, actions: [r] }), NOW)).toEqual({ kind: "PollAction", record: r });
  });

  it("fails on versionInfo edited into something invalid while running", () => {
    const broken = structuredClone(base);
    broken.spec.versionInfo = { baseline: { name: "v1" } };
    expect(nextStep(broken, running(), NOW)).toEqual({
      kind: "FailInvalidVersionInfo",
      problem: { reason: "InvalidExperiment", message: "Invalid number of candidates for Canary experiment" },
    });
  });
});
