// Experiments for the describe and assert tests: a Canary rollout of a checkout service
// part-way and at the end, and an A/B test of two recommendation models with a reward.
import { ExperimentSchema, type Experiment, type ExperimentInput } from "@iter8ts/types";

const meta = { provenance: "http://analytics.test/v2/analytics_results", timestamp: "2024-03-01T10:00:00Z" };

function metricObj(name: string, namespace: string, units?: string) {
  return {
    apiVersion: "iter8.tools/v2alpha2" as const,
    kind: "Metric" as const,
    metadata: { name, namespace },
    spec: { provider: "prometheus", urlTemplate: "http://prometheus.test/api/v1/query", jqExpression: ".data.result[0].value[1] | tonumber", ...(units ? { units } : {}) },
  };
}

/** A Canary experiment after 4 of 10 iterations: both versions meet their objectives. */
export function canaryInput(): ExperimentInput {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "checkout-rollout", namespace: "shop" },
    spec: {
      target: "shop/checkout",
      strategy: { testingPattern: "Canary", deploymentPattern: "Progressive" },
      criteria: {
        requestCount: "iter8-system/request-count",
        objectives: [
          { metric: "iter8-system/mean-latency", upperLimit: 250 },
          { metric: "iter8-system/error-rate", upperLimit: "10m" },
        ],
      },
      duration: { intervalSeconds: 10, iterationsPerLoop: 10 },
      versionInfo: { baseline: { name: "checkout-v1" }, candidates: [{ name: "checkout-v2" }] },
    },
    status: {
      stage: "Running",
      completedIterations: 4,
      message: "IterationUpdate: Completed Iteration 4",
      conditions: [
        { type: "Completed", status: "False", reason: "IterationUpdate", message: "Completed Iteration 4" },
        { type: "Failed", status: "False" },
        { type: "TargetAcquired", status: "True", reason: "TargetAcquired" },
      ],
      versionRecommendedForPromotion: "checkout-v2",
      metrics: [
        { name: "iter8-system/request-count", metricObj: metricObj("request-count", "iter8-system") },
        { name: "iter8-system/mean-latency", metricObj: metricObj("mean-latency", "iter8-system", "milliseconds") },
        { name: "iter8-system/error-rate", metricObj: metricObj("error-rate", "iter8-system") },
      ],
      analysis: {
        aggregatedMetrics: {
          ...meta,
          data: {
            "iter8-system/request-count": { data: { "checkout-v1": { value: "1204" }, "checkout-v2": { value: "133500m" } } },
            "iter8-system/mean-latency": { data: { "checkout-v1": { value: "212345678901n" }, "checkout-v2": { value: "198.1" } } },
            "iter8-system/error-rate": { data: { "checkout-v1": { value: "0" }, "checkout-v2": { value: "0.0004" } } },
          },
        },
        versionAssessments: { ...meta, data: { "checkout-v1": [true, true], "checkout-v2": [true, true] } },
        winnerAssessment: { ...meta, message: "Info: candidate satisfies all objectives", data: { winnerFound: true, winner: "checkout-v2" } },
      },
    },
  };
}

/** An A/B experiment, completed: model-b earns more revenue, and lower latency wins for model-a. */
export function abInput(): ExperimentInput {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "recommender-ab", namespace: "ml" },
    spec: {
      target: "ml/recommender",
      strategy: { testingPattern: "A/B" },
      criteria: {
        rewards: [
          { metric: "ml/revenue", preferredDirection: "High" },
          { metric: "ml/latency-p95", preferredDirection: "Low" },
        ],
        objectives: [{ metric: "ml/error-rate", lowerLimit: 0, upperLimit: "0.05" }],
      },
      versionInfo: { baseline: { name: "model-a" }, candidates: [{ name: "model-b" }] },
    },
    status: {
      stage: "Completed",
      completedIterations: 15,
      conditions: [
        { type: "Completed", status: "True", reason: "ExperimentCompleted", message: "Experiment completed successfully" },
        { type: "Failed", status: "False" },
      ],
      versionRecommendedForPromotion: "model-b",
      metrics: [
        { name: "ml/revenue", metricObj: metricObj("revenue", "ml", "dollars") },
        { name: "ml/latency-p95", metricObj: metricObj("latency-p95", "ml", "milliseconds") },
        { name: "ml/error-rate", metricObj: metricObj("error-rate", "ml") },
      ],
      analysis: {
        aggregatedMetrics: {
          ...meta,
          data: {
            "ml/revenue": { data: { "model-a": { value: "31.5" }, "model-b": { value: "44.25" } } },
            "ml/latency-p95": { data: { "model-a": { value: "120" }, "model-b": { value: "180" } } },
            "ml/error-rate": { data: { "model-a": { value: "0.01" }, "model-b": { value: "0.02" } } },
          },
        },
        versionAssessments: { ...meta, data: { "model-a": [true], "model-b": [true] } },
        winnerAssessment: { ...meta, data: { winnerFound: true, winner: "model-b" } },
      },
    },
  };
}

/** Parses a fixture, failing loudly if it no longer matches the API. */
export function experiment(input: ExperimentInput): Experiment {
  return ExperimentSchema.parse(input);
}
