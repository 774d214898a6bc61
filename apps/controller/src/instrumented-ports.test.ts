import type { EngineEvent } from "@iter8ts/engine";
import { MemoryExperimentStore } from "@iter8ts/engine/testing";
import { ExperimentSchema } from "@iter8ts/types";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createControllerMetrics } from "./controller-metrics";
import { countIterations, logEvents, timeMetricQueries } from "./instrumented-ports";

const key = { namespace: "team-a", name: "exp" };
const experiment = ExperimentSchema.parse({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "exp", namespace: "team-a" },
  spec: { target: "team-a/app", strategy: { testingPattern: "Conformance" }, versionInfo: { baseline: { name: "v1" } } },
  status: { completedIterations: 2 },
});

function metrics() {
  return createControllerMetrics({ experimentsByStage: () => ({}), queueDepth: () => 0, isLeader: () => true }, { processMetrics: false });
}

describe("countIterations", () => {
  it("counts a status write that raises completedIterations, once per reconcile", async () => {
    const m = metrics();
    const memory = new MemoryExperimentStore();
    memory.putExperiment(experiment);
    const store = countIterations(memory, m);

    const read = await store.getExperiment(key);
    await store.writeStatus(key, { ...read!.status, completedIterations: 3 }, read!.metadata.resourceVersion);
    expect(store.takeIteration(key)).toBe(true);
    expect(store.takeIteration(key)).toBe(false);

    // A write that changes something else is no iteration.
    const again = await store.getExperiment(key);
    await store.writeStatus(key, { ...again!.status, message: "StageAdvanced: Advanced to Running" }, again!.metadata.resourceVersion);
    expect(store.takeIteration(key)).toBe(false);

    // A write that lost to a conflict counts nothing.
    const stale = again!.metadata.resourceVersion;
    const result = await store.writeStatus(key, { ...again!.status, completedIterations: 4 }, stale);
    expect(result.kind).toBe("conflict");
    expect(store.takeIteration(key)).toBe(false);
    expect(await m.registry.getSingleMetricAsString("iter8_iterations_total")).toContain("iter8_iterations_total 1");
  });
});

describe("timeMetricQueries", () => {
  it("times each round and counts errors per metric", async () => {
    const m = metrics();
    const source = timeMetricQueries(
      {
        query: async () => ({
          "ns/latency": { v1: { value: 12 }, v2: { error: "backend answered 503" } },
          "ns/errors": { v1: { error: "timeout" }, v2: { error: "timeout" } },
          "ns/count": { v1: { value: 1 }, v2: { value: 2 } },
        }),
      },
      m,
    );
    await source.query(experiment, { now: new Date() });
    const failing = timeMetricQueries({ query: async () => Promise.reject(new Error("secret unreadable")) }, m);
    await expect(failing.query(experiment, { now: new Date() })).rejects.toThrow("secret unreadable");
    const text = await m.registry.metrics();
    expect(text).toContain('iter8_metric_query_errors_total{metric="ns/latency"} 1');
    expect(text).toContain('iter8_metric_query_errors_total{metric="ns/errors"} 2');
    expect(text).toContain('iter8_metric_query_errors_total{metric="*"} 1');
    expect(text).not.toContain('metric="ns/count"');
    expect(text).toContain("iter8_metric_query_duration_seconds_count 2");
  });
});

describe("logEvents", () => {
  it("logs each event as JSON with experiment, namespace, stage, outcome and reason, and passes it on", () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const passed: EngineEvent[] = [];
    const sink = logEvents({ emit: (e) => void passed.push(e) }, logger);
    const event: EngineEvent = { experiment: key, type: "Warning", reason: "MetricUnavailable", message: "Unable to find metric team-a/latency", time: "2024-01-01T00:00:00Z", stage: "Running", outcome: "Progressed" };
    sink.emit(event);
    expect(passed).toEqual([event]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, experiment: "exp", namespace: "team-a", stage: "Running", outcome: "Progressed", reason: "MetricUnavailable", msg: "Unable to find metric team-a/latency" });
  });
});
