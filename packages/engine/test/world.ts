/**
 * A whole simulated world for engine tests: an in-memory store with experiments and metrics,
 * scripted metric values, weights held in memory, actions run in simulated time, and a clock
 * that jumps ahead instead of waiting.
 */
import type { MetricValues } from "@iter8ts/analytics";
import { conditionOf, type Experiment, type Metric, type TaskSpec, type VersionDetail } from "@iter8ts/types";
import { createEngine, runToCompletion, SimulatedClock, type Engine, type EngineOptions, type ExperimentKey, type EnginePorts } from "../src/index";
import {
  MemoryActionRunner,
  MemoryEventSink,
  MemoryExperimentStore,
  MemoryWeightWriter,
  ScriptedMetricsSource,
  type MetricsQueryContext,
  type SimulatedAction,
} from "../src/testing";
import type { ActionRequest } from "../src/ports";
import type { EngineStatus } from "../src/engine-status";

/** What an experiment in a test looks like, in a few words. */
export interface ExperimentShape {
  name?: string;
  namespace?: string;
  target?: string;
  pattern?: "Canary" | "A/B" | "A/B/N" | "Conformance";
  deployment?: "FixedSplit" | "Progressive" | "BlueGreen";
  /** Candidate names (default one, `v2`; none for Conformance). */
  candidates?: string[];
  /** Give each version a weightObjRef (default true). */
  weightRefs?: boolean;
  objectives?: Array<{ metric: string; upperLimit?: number | string; lowerLimit?: number | string; rollback_on_failure?: boolean }>;
  rewards?: Array<{ metric: string; preferredDirection: "High" | "Low" }>;
  actions?: Record<string, TaskSpec[]>;
  intervalSeconds?: number;
  iterationsPerLoop?: number;
  maxLoops?: number;
  uid?: string;
  noVersionInfo?: boolean;
}

const run = (script: string): TaskSpec[] => [{ run: script }];
/** A one-task action. */
export const action = run;

function version(name: string, weightRefs: boolean): VersionDetail {
  if (!weightRefs) return { name };
  return {
    name,
    weightObjRef: {
      apiVersion: "networking.istio.io/v1beta1",
      kind: "VirtualService",
      namespace: "default",
      name: "routing",
      fieldPath: `.spec.http[0].route[${name === "v1" ? 0 : 1}].weight`,
    },
  };
}

/** Builds an Experiment from a shape. */
export function experiment(shape: ExperimentShape = {}): Experiment {
  const pattern = shape.pattern ?? "Canary";
  const candidates = shape.candidates ?? (pattern === "Conformance" ? [] : ["v2"]);
  const weightRefs = shape.weightRefs ?? true;
  const e: Experiment = {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: shape.name ?? "exp", namespace: shape.namespace ?? "default" },
    spec: {
      target: shape.target ?? "default/app",
      strategy: { testingPattern: pattern },
      criteria: {
        objectives: shape.objectives ?? [{ metric: "default/mean-latency", upperLimit: 100 }],
      },
      duration: {
        intervalSeconds: shape.intervalSeconds ?? 10,
        iterationsPerLoop: shape.iterationsPerLoop ?? 3,
        maxLoops: shape.maxLoops ?? 1,
      },
    },
  };
  if (shape.uid) e.metadata.uid = shape.uid;
  if (shape.deployment) e.spec.strategy.deploymentPattern = shape.deployment;
  if (shape.actions) e.spec.strategy.actions = shape.actions;
  if (shape.rewards) e.spec.criteria = { ...e.spec.criteria, rewards: shape.rewards };
  if (!shape.noVersionInfo) {
    e.spec.versionInfo = { baseline: version("v1", weightRefs) };
    if (candidates.length > 0) e.spec.versionInfo.candidates = candidates.map((c) => version(c, weightRefs));
  }
  return e;
}

/** A Metric resource queried from a backend. */
export function metric(name: string, namespace = "default", extra: Partial<Metric["spec"]> = {}): Metric {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name, namespace },
    spec: { type: "Gauge", method: "GET", provider: "prometheus", urlTemplate: "http://127.0.0.1:9090/api/v1/query", jqExpression: ".data.result[0].value[1] | tonumber", ...extra },
  };
}

/** Latency values per version for every iteration (`mean-latency`, default namespace). */
export function latencies(byVersion: Record<string, number | ((iteration: number) => number)>) {
  return ({ iteration }: MetricsQueryContext): MetricValues => ({
    "default/mean-latency": Object.fromEntries(
      Object.entries(byVersion).map(([v, value]) => [v, { value: typeof value === "number" ? value : value(iteration) }]),
    ),
  });
}

/** Options of a world. */
export interface WorldOptions {
  experiments?: Experiment[];
  metrics?: Metric[];
  weights?: Record<string, number>;
  values?: (context: MetricsQueryContext) => MetricValues;
  actions?: (request: ActionRequest, experiment: Experiment) => SimulatedAction;
  engine?: EngineOptions;
}

/** Counts up, so that run tokens are the same in every run of a test. */
function tokens(): () => string {
  let n = 0;
  return () => `run${++n}`;
}

/** A world with ports, an engine and helpers to read what happened. */
export function makeWorld(options: WorldOptions = {}) {
  const clock = new SimulatedClock();
  const store = new MemoryExperimentStore({ clock });
  for (const m of options.metrics ?? [metric("mean-latency")]) store.putMetric(m);
  const metricsSource = new ScriptedMetricsSource(options.values ?? latencies({ v1: 50, v2: 40 }));
  const weights = new MemoryWeightWriter(options.weights ?? { v1: 100, v2: 0, v3: 0, v4: 0 });
  const runner = new MemoryActionRunner(clock, options.actions);
  const events = new MemoryEventSink();
  const ports: EnginePorts = { store, metrics: metricsSource, weights, actions: runner, clock, events };
  const engineOptions: EngineOptions = { newRunToken: tokens(), ...options.engine };
  const engine = createEngine(ports, engineOptions);
  const keys: ExperimentKey[] = [];
  for (const e of options.experiments ?? []) {
    const stored = store.putExperiment(e);
    keys.push({ namespace: stored.metadata.namespace ?? "default", name: stored.metadata.name ?? "" });
    clock.advance(1);
  }
  const keyOf = (name: string, namespace = "default"): ExperimentKey => ({ namespace, name });
  return {
    clock,
    store,
    metrics: metricsSource,
    weights,
    runner,
    events,
    ports,
    engine,
    engineOptions,
    keys,
    key: keyOf,
    /** Runs every experiment of the world to completion. */
    run: (engineToUse: Pick<Engine, "reconcile"> = engine, onReconcile?: Parameters<typeof runToCompletion>[2]["onReconcile"]) =>
      runToCompletion(engineToUse, keys, { clock, maxSteps: 10_000, ...(onReconcile ? { onReconcile } : {}) }),
    status: (name = "exp", namespace = "default"): EngineStatus => (store.peek(keyOf(name, namespace))?.status ?? {}),
    /** `status.message` after each write, without repeats. */
    messages: (name = "exp", namespace = "default"): string[] => {
      const out: string[] = [];
      for (const s of store.statusHistory.get(`${namespace}/${name}`) ?? []) {
        if (s.message !== undefined && s.message !== out[out.length - 1]) out.push(s.message);
      }
      return out;
    },
    condition: (type: "Completed" | "Failed" | "TargetAcquired", name = "exp", namespace = "default") =>
      conditionOf(store.peek(keyOf(name, namespace))?.status, type),
  };
}
