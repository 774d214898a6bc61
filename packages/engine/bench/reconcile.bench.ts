/**
 * How fast the engine decides, with in-memory ports and a simulated clock (no I/O): whole
 * experiments driven by `runToCompletion`, reported as experiment-iterations per second, plus
 * the pure `nextStep` decision alone. Run with `pnpm -F @iter8ts/engine bench`.
 */
import { afterAll, bench, describe } from "vitest";
import { withDefaults, type Experiment } from "@iter8ts/types";
import { createEngine, nextStep, runToCompletion, SimulatedClock, type EngineStatus } from "../src/index";
import { MemoryActionRunner, MemoryExperimentStore, MemoryWeightWriter, ScriptedMetricsSource } from "../src/testing";

const ITERATIONS = 100;

function canary(name: string, iterationsPerLoop: number): Experiment {
  const ref = (i: number) => ({ kind: "VirtualService", name: "routing", fieldPath: `.spec.http[0].route[${i}].weight` });
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    spec: {
      target: `default/${name}`,
      strategy: { testingPattern: "Canary", actions: { loop: [{ run: "echo loop" }], finish: [{ run: "echo done" }] } },
      versionInfo: { baseline: { name: "v1", weightObjRef: ref(0) }, candidates: [{ name: "v2", weightObjRef: ref(1) }] },
      criteria: { objectives: [{ metric: "default/mean-latency", upperLimit: 100 }, { metric: "default/error-rate", upperLimit: "0.01" }] },
      duration: { intervalSeconds: 10, iterationsPerLoop, maxLoops: ITERATIONS / iterationsPerLoop },
    },
  };
}

let iterations = 0;
let reconciles = 0;
let elapsedMs = 0;

async function runExperiments(count: number) {
  const clock = new SimulatedClock();
  const store = new MemoryExperimentStore({ clock, keepHistory: false });
  for (const name of ["mean-latency", "error-rate"]) {
    store.putMetric({ metadata: { name, namespace: "default" }, spec: { type: "Gauge", method: "GET", urlTemplate: "http://127.0.0.1/" } });
  }
  const keys = Array.from({ length: count }, (_, i) => {
    store.putExperiment(canary(`exp-${i}`, 10));
    return { namespace: "default", name: `exp-${i}` };
  });
  const metrics = new ScriptedMetricsSource(({ iteration }) => ({
    "default/mean-latency": { v1: { value: 50 + (iteration % 7) }, v2: { value: 45 + (iteration % 5) } },
    "default/error-rate": { v1: { value: 0.001 }, v2: { value: 0.002 } },
  }));
  const engine = createEngine(
    { store, metrics, weights: new MemoryWeightWriter({ v1: 100, v2: 0 }), actions: new MemoryActionRunner(clock), clock },
    { newRunToken: () => "bench" },
  );
  const started = performance.now();
  const summary = await runToCompletion(engine, keys, { clock });
  elapsedMs += performance.now() - started;
  reconciles += summary.steps;
  for (const key of keys) iterations += store.peek(key)?.status?.completedIterations ?? 0;
}

const decided = withDefaults(canary("pure", 10));
const status: EngineStatus = {
  initTime: "2021-11-01T00:00:00Z",
  stage: "Running",
  completedIterations: 5,
  lastUpdateTime: "2021-11-01T00:00:50Z",
  conditions: [
    { type: "Completed", status: "False" },
    { type: "Failed", status: "False" },
    { type: "TargetAcquired", status: "True" },
  ],
};
const now = new Date("2021-11-01T00:01:00Z");

describe("engine", () => {
  bench(`10 experiments × ${ITERATIONS} iterations, loop and finish actions, end to end`, async () => {
    await runExperiments(10);
  });

  bench("nextStep (the pure decision alone)", () => {
    nextStep(decided, status, now);
  });
});

afterAll(() => {
  if (elapsedMs === 0) return;
  const perSecond = (n: number) => Math.round((n / elapsedMs) * 1000).toLocaleString("en-US");
  console.log(
    `engine: ${perSecond(iterations)} experiment-iterations/s, ${perSecond(reconciles)} reconciles/s ` +
      `(${iterations.toLocaleString("en-US")} iterations in ${Math.round(elapsedMs)} ms, in-memory ports)`,
  );
});
