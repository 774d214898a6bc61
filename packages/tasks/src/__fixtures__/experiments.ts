// Experiments as the quickstarts write them, with the status a controller would have given them.
import type { Experiment, TaskSpec } from "@iter8ts/types";

/** The Istio quickstart A/B experiment after it completed with productpage-v2 as the winner. */
export function istioExperiment(actions: Record<string, TaskSpec[]> = {}): Experiment {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "quickstart-exp", namespace: "default" },
    spec: {
      target: "bookinfo-iter8/productpage",
      strategy: { testingPattern: "A/B", deploymentPattern: "Progressive", actions },
      criteria: {
        rewards: [{ metric: "iter8-istio/user-engagement", preferredDirection: "High" }],
        objectives: [
          { metric: "iter8-istio/mean-latency", upperLimit: 100 },
          { metric: "iter8-istio/error-rate", upperLimit: "0.01" },
        ],
      },
      duration: { intervalSeconds: 10, iterationsPerLoop: 10 },
      versionInfo: {
        baseline: {
          name: "productpage-v1",
          variables: [
            { name: "namespace", value: "bookinfo-iter8" },
            { name: "promote", value: "https://raw.githubusercontent.com/iter8-tools/iter8/master/samples/istio/quickstart/vs-for-v1.yaml" },
          ],
          weightObjRef: { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "bookinfo-iter8", name: "bookinfo", fieldPath: ".spec.http[0].route[0].weight" },
        },
        candidates: [
          {
            name: "productpage-v2",
            variables: [
              { name: "namespace", value: "bookinfo-iter8" },
              { name: "promote", value: "https://raw.githubusercontent.com/iter8-tools/iter8/master/samples/istio/quickstart/vs-for-v2.yaml" },
            ],
            weightObjRef: { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "bookinfo-iter8", name: "bookinfo", fieldPath: ".spec.http[0].route[1].weight" },
          },
        ],
      },
    },
    status: {
      stage: "Finishing",
      completedIterations: 10,
      versionRecommendedForPromotion: "productpage-v2",
      conditions: [
        { type: "Completed", status: "False", reason: "HandlerLaunched", message: "Finish handler 'finish' launched" },
        { type: "Failed", status: "False" },
      ],
      analysis: {
        winnerAssessment: { provenance: "http://iter8-analytics:8080/v2/analytics_results", timestamp: "2021-06-01T10:00:00Z", data: { winnerFound: true, winner: "productpage-v2" } },
        weights: {
          provenance: "http://iter8-analytics:8080/v2/analytics_results",
          timestamp: "2021-06-01T10:00:00Z",
          data: [
            { name: "productpage-v1", value: 5 },
            { name: "productpage-v2", value: 95 },
          ],
        },
      },
    },
  };
}

/** A Conformance experiment that completed with its only version as the winner. */
export function conformanceExperiment(): Experiment {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "conformance-exp", namespace: "default" },
    spec: {
      target: "bookinfo-iter8/productpage",
      strategy: { testingPattern: "Conformance" },
      versionInfo: { baseline: { name: "productpage-v1" } },
    },
    status: {
      stage: "Completed",
      conditions: [
        { type: "Completed", status: "True", reason: "ExperimentCompleted" },
        { type: "Failed", status: "False" },
      ],
      analysis: { winnerAssessment: { provenance: "p", timestamp: "2021-06-01T10:00:00Z", data: { winnerFound: true, winner: "productpage-v1" } } },
    },
  };
}

/** An A/B/N experiment that never started (no status at all). */
export function abnExperiment(): Experiment {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "abn-exp", namespace: "default" },
    spec: {
      target: "bookinfo-iter8/productpage",
      strategy: { testingPattern: "A/B/N" },
      versionInfo: { baseline: { name: "productpage-v1" }, candidates: [{ name: "productpage-v2" }, { name: "productpage-v3" }] },
    },
  };
}
