// The objects the reliability tests run experiments on: one Istio VirtualService per target with
// a baseline and a candidate route, mock metrics that make the candidate win, and Canary
// experiments that move traffic progressively and run start, loop and finish actions.
import type { JsonObject } from "@iter8ts/testkit";

/** A VirtualService sending all traffic to the baseline route. */
export function virtualService(namespace: string, name: string): JsonObject {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: { name, namespace },
    spec: {
      hosts: [name],
      http: [{ route: [{ destination: { host: `${name}-v1` }, weight: 100 }, { destination: { host: `${name}-v2` }, weight: 0 }] }],
    },
  };
}

/** The weight of route `index` of a VirtualService. */
export function weightRef(namespace: string, name: string, index: number): JsonObject {
  return { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace, name, fieldPath: `.spec.http[0].route[${index}].weight` };
}

/** Mock metrics (a Gauge per version) in `namespace`: `latency` and `error-rate`, the candidate better on both. */
export function mockMetrics(namespace: string): JsonObject[] {
  const gauge = (name: string, v1: string, v2: string): JsonObject => ({
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name, namespace },
    spec: { type: "Gauge", mock: [{ name: "v1", level: v1 }, { name: "v2", level: v2 }] },
  });
  return [gauge("latency", "200", "150"), gauge("error-rate", "0.01", "0.005")];
}

/** Settings of {@link canaryExperiment}. */
export interface CanaryOptions {
  namespace?: string;
  intervalSeconds?: number;
  iterationsPerLoop?: number;
  maxLoops?: number;
  /** Give the experiment start, loop and finish actions (default true). */
  actions?: boolean;
}

/**
 * A Progressive Canary on its own VirtualService (`<name>`, target `<namespace>/<name>`):
 * versions `v1` and `v2`, objectives on the mock metrics, and one task per action (unless
 * `actions: false`).
 */
export function canaryExperiment(name: string, options: CanaryOptions = {}): JsonObject {
  const namespace = options.namespace ?? "default";
  const strategy: JsonObject = { testingPattern: "Canary", deploymentPattern: "Progressive" };
  if (options.actions ?? true) strategy.actions = { start: [{ run: "echo start" }], loop: [{ run: "echo loop" }], finish: [{ run: "echo finish" }] };
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace },
    spec: {
      target: `${namespace}/${name}`,
      strategy,
      criteria: {
        objectives: [
          { metric: `${namespace}/latency`, upperLimit: 500 },
          { metric: `${namespace}/error-rate`, upperLimit: "0.05" },
        ],
      },
      duration: { intervalSeconds: options.intervalSeconds ?? 1, iterationsPerLoop: options.iterationsPerLoop ?? 2, maxLoops: options.maxLoops ?? 2 },
      versionInfo: {
        baseline: { name: "v1", weightObjRef: weightRef(namespace, name, 0) },
        candidates: [{ name: "v2", weightObjRef: weightRef(namespace, name, 1) }],
      },
    },
  };
}
