/**
 * The five cluster quickstarts of samples/ as the tests set them up: what the stack itself
 * installs (CRDs, a controller's status), the `kubectl apply` and `kubectl wait` steps of
 * samples/README.md in order, and the metric levels the loopback backends report. What each run
 * should end with (the winner, its promotion manifest, the version served) is the table every
 * quickstart suite shares: QUICKSTART_EXPECTATIONS of @iter8ts/e2e.
 */
import type { QuickstartStack } from "@iter8ts/e2e";
import type { TestCluster } from "../cluster/test-cluster";
import type { MetricLevel } from "./expected-queries";

/** What a stack's own controllers and the checks of a quickstart need of the cluster. */
export type StackCluster = Pick<TestCluster, "get" | "replaceStatus">;

/** How one quickstart is set up. */
export interface QuickstartSpec {
  stack: QuickstartStack;
  /** The install overlay of apps/controller/deploy/overlays/ for the stack. */
  overlay: "istio" | "kfserving" | "knative" | "seldon";
  /** Kinds the stack adds that neither server serves by itself (both have the routing kinds). */
  customResources: Array<{ group: string; version: string; kind: string; plural: string }>;
  /** `kubectl apply -f` invocations of samples/README.md, in order (files of samples/<stack>). */
  setup: string[][];
  /**
   * samples/README.md's `kubectl wait` after a setup step (an index into `setup`), and what the
   * stack's own controller does meanwhile to make the condition true.
   */
  waitAfterStep?: { step: number; kubectlArgs: string[]; becomeReady: (cluster: StackCluster) => Promise<void> };
}

function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/**
 * Levels every quickstart's metrics report: both versions meet every objective of every sample
 * (the tightest limits are knative's 50 ms mean and 100 ms tail latency, and 1 % errors), and
 * the candidate earns twice the baseline's reward.
 */
export const METRIC_LEVELS: Readonly<Record<string, MetricLevel>> = {
  "request-count": { baseline: 10, candidate: 10, perSecond: true },
  "error-count": { baseline: 0, candidate: 0, perSecond: true },
  "error-rate": { baseline: 0.002, candidate: 0.001 },
  "mean-latency": { baseline: 30, candidate: 20 },
  "95th-percentile-tail-latency": { baseline: 60, candidate: 45 },
  "le500ms-latency-percentile": { baseline: 0.97, candidate: 0.99 },
  "user-engagement": { baseline: 10, candidate: 20 },
};

/** The quickstarts, as samples/README.md sets them up. */
export const QUICKSTARTS: readonly QuickstartSpec[] = [
  {
    stack: "istio",
    overlay: "istio",
    customResources: [
      { group: "networking.istio.io", version: "v1beta1", kind: "Gateway", plural: "gateways" },
      { group: "networking.istio.io", version: "v1beta1", kind: "DestinationRule", plural: "destinationrules" },
    ],
    setup: [["bookinfo-app.yaml", "productpage-v2.yaml", "bookinfo-routing.yaml"]],
  },
  {
    stack: "kfserving",
    overlay: "kfserving",
    customResources: [],
    setup: [["baseline.yaml", "candidate.yaml", "routing-rule.yaml"]],
  },
  {
    stack: "knative",
    overlay: "knative",
    customResources: [],
    // The baseline revision must be Ready before the candidate revision is added.
    setup: [["baseline.yaml"], ["experimentalservice.yaml"]],
    waitAfterStep: {
      step: 0,
      kubectlArgs: ["wait", "--for=condition=Ready", "ksvc/sample-app"],
      async becomeReady(cluster) {
        // What Knative Serving reports once revision sample-app-v1 serves.
        const ksvc = await cluster.get("serving.knative.dev/v1", "Service", "sample-app", "default");
        if (!ksvc) throw new Error("the Knative Service default/sample-app was not created");
        await cluster.replaceStatus({
          ...ksvc,
          status: {
            observedGeneration: at(ksvc, "metadata", "generation") as number,
            conditions: [{ type: "Ready", status: "True" }],
            latestCreatedRevisionName: "sample-app-v1",
            latestReadyRevisionName: "sample-app-v1",
          },
        });
      },
    },
  },
  {
    stack: "seldon",
    overlay: "seldon",
    customResources: [],
    setup: [["baseline.yaml", "candidate.yaml", "routing-rule.yaml"]],
  },
  {
    stack: "seldon-single",
    overlay: "seldon",
    customResources: [],
    setup: [["abtest.yaml"]],
  },
];
