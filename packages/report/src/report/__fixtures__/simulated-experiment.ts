// Experiments whose status was written by the real engine: the in-memory ports of
// @iter8ts/engine/testing and its simulated clock run every iteration in milliseconds, so the
// decisions, analysis and conditions are what a user would get, not hand-written guesses.
import type { MetricValues } from "@iter8ts/analytics";
import { createEngine, runToCompletion, SimulatedClock } from "@iter8ts/engine";
import { MemoryActionRunner, MemoryEventSink, MemoryExperimentStore, MemoryWeightWriter, ScriptedMetricsSource } from "@iter8ts/engine/testing";
import type { Experiment, ExperimentInput, Metric } from "@iter8ts/types";

function metric(name: string, units: string, type: "Counter" | "Gauge" = "Gauge"): Metric {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name, namespace: "shop" },
    spec: {
      type,
      method: "GET",
      units,
      provider: "prometheus",
      urlTemplate: "http://127.0.0.1:9090/api/v1/query",
      jqExpression: ".data.result[0].value[1] | tonumber",
    },
  };
}

function weightRef(route: number) {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    namespace: "shop",
    name: "checkout",
    fieldPath: `.spec.http[0].route[${route}].weight`,
  };
}

function world() {
  const clock = new SimulatedClock("2024-05-06T09:00:00Z");
  return { clock, store: new MemoryExperimentStore({ clock }) };
}

/** Runs `input` to completion with scripted metric values and returns it with its final status. */
async function runSimulated(
  store: MemoryExperimentStore,
  clock: SimulatedClock,
  input: ExperimentInput,
  values: (context: { iteration: number }) => MetricValues,
  weights: Record<string, number>,
): Promise<Experiment> {
  const key = { namespace: input.metadata.namespace ?? "default", name: input.metadata.name ?? "" };
  store.putExperiment(input as Experiment);
  let tokens = 0;
  const engine = createEngine(
    {
      store,
      metrics: new ScriptedMetricsSource(values),
      weights: new MemoryWeightWriter(weights),
      actions: new MemoryActionRunner(clock),
      clock,
      events: new MemoryEventSink(),
    },
    { newRunToken: () => `run${++tokens}` },
  );
  await runToCompletion(engine, [key], { clock, maxSteps: 10_000 });
  const done = store.peek(key);
  if (!done) throw new Error("the simulated experiment vanished from the memory store");
  return structuredClone(done);
}

/** A deterministic wobble in [-1, 1] per iteration and version, so lines are not flat. */
function wobble(iteration: number, seed: number): number {
  return Math.sin(iteration * 1.7 + seed * 2.3);
}

/** What {@link simulatedAbnExperiment} can vary. */
export interface SimulatedExperimentOptions {
  /** Iterations per loop (two loops run). Default 6. */
  iterationsPerLoop?: number;
  /** `spec.target`; user input that ends up in the page. */
  target?: string;
  /** Default Progressive; FixedSplit leaves the weights alone. */
  deploymentPattern?: "Progressive" | "FixedSplit";
}

/** The versions of {@link simulatedAbnExperiment}, baseline first. */
export const SIMULATED_VERSIONS = ["checkout-v1", "checkout-v2", "checkout-v3"] as const;

/**
 * An A/B/N Progressive experiment of three checkout versions, run to completion by the engine:
 * two loops, objectives on mean latency (≤ 250 ms) and error rate (≤ 0.02), reward conversion
 * rate (higher is better). checkout-v3 meets both objectives and overtakes the baseline's
 * conversion from iteration 2, so the winner changes from checkout-v1 to checkout-v3 and v3 gains
 * traffic from then on; checkout-v2 breaks the latency objective throughout.
 */
export async function simulatedAbnExperiment(options: SimulatedExperimentOptions = {}): Promise<Experiment> {
  const iterationsPerLoop = options.iterationsPerLoop ?? 6;
  const { clock, store } = world();
  store.putMetric(metric("mean-latency", "ms"));
  store.putMetric(metric("error-rate", "ratio"));
  store.putMetric(metric("conversion-rate", "ratio"));
  store.putMetric(metric("request-count", "requests", "Counter"));
  const input: ExperimentInput = {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "checkout-abn", namespace: "shop" },
    spec: {
      target: options.target ?? "shop/checkout",
      strategy: { testingPattern: "A/B/N", deploymentPattern: options.deploymentPattern ?? "Progressive", weights: { maxCandidateWeight: 80, maxCandidateWeightIncrement: 10 } },
      criteria: {
        requestCount: "shop/request-count",
        rewards: [{ metric: "shop/conversion-rate", preferredDirection: "High" }],
        objectives: [
          { metric: "shop/mean-latency", upperLimit: 250 },
          { metric: "shop/error-rate", upperLimit: "0.02" },
        ],
      },
      duration: { intervalSeconds: 30, iterationsPerLoop, maxLoops: 2 },
      versionInfo: {
        baseline: { name: "checkout-v1", weightObjRef: weightRef(0) },
        candidates: [
          { name: "checkout-v2", weightObjRef: weightRef(1) },
          { name: "checkout-v3", weightObjRef: weightRef(2) },
        ],
      },
    },
  };

  const latency = { "checkout-v1": 180, "checkout-v2": 290, "checkout-v3": 150 } as const;
  const errors = { "checkout-v1": 0.008, "checkout-v2": 0.011, "checkout-v3": 0.006 } as const;
  // checkout-v3 starts behind the baseline and overtakes it in iteration 2 (users warm to it).
  const conversion = (v: (typeof SIMULATED_VERSIONS)[number], iteration: number) =>
    v === "checkout-v3" ? Math.min(0.047, 0.025 + 0.004 * iteration) : v === "checkout-v1" ? 0.031 : 0.029;
  const values = ({ iteration }: { iteration: number }): MetricValues => {
    const out: MetricValues = { "shop/mean-latency": {}, "shop/error-rate": {}, "shop/conversion-rate": {}, "shop/request-count": {} };
    SIMULATED_VERSIONS.forEach((v, i) => {
      out["shop/mean-latency"]![v] = { value: Math.round((latency[v] + 12 * wobble(iteration, i)) * 10) / 10 };
      out["shop/error-rate"]![v] = { value: Number((errors[v] * (1 + 0.2 * wobble(iteration, i + 3))).toFixed(5)) };
      out["shop/conversion-rate"]![v] = { value: Number((conversion(v, iteration) * (1 + 0.03 * wobble(iteration, i + 7))).toFixed(5)) };
      out["shop/request-count"]![v] = { value: iteration * (400 + 50 * i) };
    });
    return out;
  };

  return runSimulated(store, clock, input, values, { "checkout-v1": 100, "checkout-v2": 0, "checkout-v3": 0 });
}

/**
 * A Canary of checkout-v2 against checkout-v1 with one objective, mean latency ≤ 200 ms, marked
 * `rollback_on_failure`: the candidate is fine until `breakAt`, then slows to 240 ms and the
 * experiment rolls back in that iteration. Without `breakAt` it completes and v2 wins.
 */
export async function simulatedCanaryExperiment(options: { breakAt?: number } = {}): Promise<Experiment> {
  const { clock, store } = world();
  store.putMetric(metric("mean-latency", "ms"));
  const input: ExperimentInput = {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "checkout-canary", namespace: "shop" },
    spec: {
      target: "shop/checkout",
      strategy: { testingPattern: "Canary", deploymentPattern: "Progressive" },
      criteria: { objectives: [{ metric: "shop/mean-latency", upperLimit: 200, rollback_on_failure: true }] },
      duration: { intervalSeconds: 20, iterationsPerLoop: 8, maxLoops: 1 },
      versionInfo: { baseline: { name: "checkout-v1", weightObjRef: weightRef(0) }, candidates: [{ name: "checkout-v2", weightObjRef: weightRef(1) }] },
    },
  };
  const values = ({ iteration }: { iteration: number }): MetricValues => ({
    "shop/mean-latency": {
      "checkout-v1": { value: 170 + 5 * wobble(iteration, 0) },
      "checkout-v2": { value: options.breakAt !== undefined && iteration >= options.breakAt ? 240 : 150 + 5 * wobble(iteration, 1) },
    },
  });
  return runSimulated(store, clock, input, values, { "checkout-v1": 100, "checkout-v2": 0 });
}
