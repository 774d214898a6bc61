// Documents the tests start from: each is valid, and a test changes one thing at a time with
// `withField`.

/** A document as parsed from YAML. */
export type Document = Record<string, unknown>;

/**
 * A deep copy of `document` with the field at `path` (dotted, with `[i]` for list items) set to
 * `value`, or removed when `value` is undefined. Missing parents are created.
 */
export function withField(document: Document, path: string, value: unknown): Document {
  const copy = structuredClone(document);
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "");
  let cur: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    cur[key] ??= {};
    cur = cur[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}

/** A valid Canary experiment with one objective, a weight fieldPath on each version and a finish task. */
export function canaryExperiment(): Document {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "canary-exp", namespace: "default" },
    spec: {
      target: "default/sample-app",
      strategy: {
        testingPattern: "Canary",
        deploymentPattern: "Progressive",
        actions: { finish: [{ task: "common/exec", with: { cmd: "kubectl", args: ["apply", "-f", "promote.yaml"] } }] },
      },
      criteria: {
        requestCount: "iter8-system/request-count",
        objectives: [{ metric: "iter8-system/mean-latency", upperLimit: 100 }],
      },
      duration: { intervalSeconds: 5, iterationsPerLoop: 4 },
      versionInfo: {
        baseline: {
          name: "v1",
          weightObjRef: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "sample-app", fieldPath: ".spec.traffic[0].percent" },
        },
        candidates: [
          {
            name: "v2",
            weightObjRef: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "sample-app", fieldPath: ".spec.traffic[1].percent" },
          },
        ],
      },
    },
  };
}

/** A valid A/B experiment: one candidate, one reward. */
export function abExperiment(): Document {
  let experiment = withField(canaryExperiment(), "metadata.name", "ab-exp");
  experiment = withField(experiment, "spec.strategy.testingPattern", "A/B");
  return withField(experiment, "spec.criteria.rewards", [{ metric: "default/user-engagement", preferredDirection: "High" }]);
}

/** A valid Prometheus metric. */
export function prometheusMetric(): Document {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name: "mean-latency", namespace: "iter8-system" },
    spec: {
      description: "Mean latency",
      units: "milliseconds",
      params: [{ name: "query", value: "sum(increase(latency_sum{version='$name'}[${elapsedTime}s]))" }],
      provider: "prometheus",
      jqExpression: ".data.result[0].value[1] | tonumber",
      urlTemplate: "http://prometheus.example:9090/api/v1/query",
      sampleSize: "request-count",
    },
  };
}
