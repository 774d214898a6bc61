// Traffic-splitting objects and experiments as the Istio, Knative, KFServing and Seldon
// quickstarts create them, trimmed to the fields weights touch.
import type { Experiment } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";

export const istioVirtualService: KubeObject = {
  apiVersion: "networking.istio.io/v1beta1",
  kind: "VirtualService",
  metadata: { name: "bookinfo", namespace: "bookinfo-iter8" },
  spec: {
    gateways: ["mesh", "bookinfo-gateway"],
    hosts: ["productpage", "bookinfo.example.com"],
    http: [
      {
        match: [{ uri: { exact: "/productpage" } }],
        route: [
          { destination: { host: "productpage", port: { number: 9080 }, subset: "productpage-v1" }, weight: 100 },
          { destination: { host: "productpage", port: { number: 9080 }, subset: "productpage-v2" }, weight: 0 },
        ],
      },
    ],
  },
};

export const knativeService: KubeObject = {
  apiVersion: "serving.knative.dev/v1",
  kind: "Service",
  metadata: { name: "sample-app", namespace: "default" },
  spec: {
    template: { metadata: { name: "sample-app-v2" }, spec: { containers: [{ image: "gcr.io/knative-samples/knative-route-demo:green" }] } },
    traffic: [
      { tag: "current", revisionName: "sample-app-v1", percent: 100 },
      { tag: "candidate", latestRevision: true, percent: 0 },
    ],
  },
};

export const kfservingRoutingRule: KubeObject = {
  apiVersion: "networking.istio.io/v1alpha3",
  kind: "VirtualService",
  metadata: { name: "routing-rule", namespace: "default" },
  spec: {
    gateways: ["knative-serving/knative-ingress-gateway"],
    hosts: ["example.com"],
    http: [
      {
        route: [
          { destination: { host: "flowers-predictor-default.ns-baseline.svc.cluster.local" }, headers: { response: { set: { version: "flowers-v1" } } }, weight: 100 },
          { destination: { host: "flowers-predictor-default.ns-candidate.svc.cluster.local" }, headers: { response: { set: { version: "flowers-v2" } } }, weight: 0 },
        ],
      },
    ],
  },
};

export const kfservingInferenceService: KubeObject = {
  apiVersion: "serving.kubeflow.org/v1alpha2",
  kind: "InferenceService",
  metadata: { name: "sklearn-iris", namespace: "default" },
  spec: {
    default: { predictor: { sklearn: { storageUri: "gs://kfserving-samples/models/sklearn/iris" } } },
    canary: { predictor: { sklearn: { storageUri: "gs://kfserving-samples/models/sklearn/iris-v2" } } },
    canaryTrafficPercent: 0,
  },
};

export const seldonDeployment: KubeObject = {
  apiVersion: "machinelearning.seldon.io/v1",
  kind: "SeldonDeployment",
  metadata: { name: "iris", namespace: "ns-production" },
  spec: {
    predictors: [
      { name: "baseline", replicas: 1, traffic: 100, graph: { name: "classifier", implementation: "SKLEARN_SERVER", modelUri: "gs://seldon-models/sklearn/iris" } },
      { name: "candidate", replicas: 1, traffic: 0, graph: { name: "classifier", implementation: "XGBOOST_SERVER", modelUri: "gs://seldon-models/xgboost/iris" } },
    ],
  },
};

function experiment(name: string, namespace: string, versionInfo: NonNullable<Experiment["spec"]["versionInfo"]>): Experiment {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace },
    spec: { target: name, strategy: { testingPattern: "A/B", deploymentPattern: "Progressive" }, versionInfo },
  };
}

export const istioExperiment = experiment("quickstart-exp", "default", {
  baseline: {
    name: "productpage-v1",
    weightObjRef: { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "bookinfo-iter8", name: "bookinfo", fieldPath: ".spec.http[0].route[0].weight" },
  },
  candidates: [
    {
      name: "productpage-v2",
      weightObjRef: { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "bookinfo-iter8", name: "bookinfo", fieldPath: ".spec.http[0].route[1].weight" },
    },
  ],
});

export const knativeExperiment = experiment("quickstart-exp", "default", {
  baseline: {
    name: "sample-app-v1",
    weightObjRef: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "sample-app", namespace: "default", fieldPath: ".spec.traffic[0].percent" },
  },
  candidates: [
    {
      name: "sample-app-v2",
      weightObjRef: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "sample-app", namespace: "default", fieldPath: ".spec.traffic[1].percent" },
    },
  ],
});

export const kfservingExperiment = experiment("quickstart-exp", "default", {
  baseline: {
    name: "flowers-v1",
    weightObjRef: { apiVersion: "networking.istio.io/v1alpha3", kind: "VirtualService", name: "routing-rule", namespace: "default", fieldPath: ".spec.http[0].route[0].weight" },
  },
  candidates: [
    {
      name: "flowers-v2",
      weightObjRef: { apiVersion: "networking.istio.io/v1alpha3", kind: "VirtualService", name: "routing-rule", namespace: "default", fieldPath: ".spec.http[0].route[1].weight" },
    },
  ],
});

// The older KFServing samples kept only the canary's share, in the InferenceService itself.
export const inferenceServiceExperiment = experiment("sklearn-iris-experiment-1", "default", {
  baseline: { name: "default" },
  candidates: [
    {
      name: "canary",
      weightObjRef: { apiVersion: "serving.kubeflow.org/v1alpha2", kind: "InferenceService", name: "sklearn-iris", namespace: "default", fieldPath: ".spec.canaryTrafficPercent" },
    },
  ],
});

export const seldonExperiment = experiment("quickstart-exp", "default", {
  baseline: {
    name: "iris-v1",
    weightObjRef: { apiVersion: "machinelearning.seldon.io/v1", kind: "SeldonDeployment", name: "iris", namespace: "ns-production", fieldPath: ".spec.predictors[0].traffic" },
  },
  candidates: [
    {
      name: "iris-v2",
      weightObjRef: { apiVersion: "machinelearning.seldon.io/v1", kind: "SeldonDeployment", name: "iris", namespace: "ns-production", fieldPath: ".spec.predictors[1].traffic" },
    },
  ],
});
