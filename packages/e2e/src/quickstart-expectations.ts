/**
 * What every suite that runs the cluster quickstarts of samples/ expects of them: each stack's
 * versions and promotion manifests, the status messages of a run that promotes at its finish, and
 * how a user tells which version serves all traffic once a version is promoted. The in-memory
 * quickstarts of this package and the controller's quickstarts on a cluster both assert with it.
 */
import type { KubeObject, ObjectKey } from "@iter8ts/resources";
import type { QuickstartStack } from "./load-sample";

/**
 * Reads one stored object (undefined when absent): `(key) => client.peek(key)` over an
 * `InMemoryResourceClient`, or a GET against a cluster. Keys always carry an `apiVersion`.
 */
export type ObjectReader = (key: ObjectKey & { apiVersion: string; namespace: string }) => KubeObject | undefined | Promise<KubeObject | undefined>;

/** One quickstart's versions, and the manifests of samples/<stack>/promote/ that promote each. */
export interface QuickstartExpectation {
  baseline: string;
  /** The one candidate; it wins when its metrics are the better ones. */
  candidate: string;
  baselineManifest: string;
  candidateManifest: string;
}

/** The cluster quickstarts, by stack (e2e's quickstarts test checks the table against the samples' files). */
export const QUICKSTART_EXPECTATIONS: Readonly<Record<QuickstartStack, QuickstartExpectation>> = {
  istio: { baseline: "productpage-v1", candidate: "productpage-v2", baselineManifest: "vs-for-v1.yaml", candidateManifest: "vs-for-v2.yaml" },
  kfserving: { baseline: "flowers-v1", candidate: "flowers-v2", baselineManifest: "promote-v1.yaml", candidateManifest: "promote-v2.yaml" },
  knative: { baseline: "sample-app-v1", candidate: "sample-app-v2", baselineManifest: "baseline.yaml", candidateManifest: "candidate.yaml" },
  seldon: { baseline: "iris-v1", candidate: "iris-v2", baselineManifest: "promote-v1.yaml", candidateManifest: "promote-v2.yaml" },
  "seldon-single": { baseline: "iris-v1", candidate: "iris-v2", baselineManifest: "promote-v1.yaml", candidateManifest: "promote-v2.yaml" },
};

/** The status messages Iter8 goes through, each once, for a run of `iterations` that promotes at its finish. */
export function quickstartMessages(iterations: number): string[] {
  return [
    "ExperimentInitialized: Experiment status initialized",
    "TargetAcquired",
    "StageAdvanced: Advanced to Initializing",
    "StageAdvanced: Advanced to Running",
    ...Array.from({ length: iterations - 1 }, (_, i) => `IterationUpdate: Completed Iteration ${i + 1}`),
    "IterationUpdate: Completed Loop 1",
    "HandlerLaunched: Finish handler 'finish' launched",
    "ExperimentCompleted: Experiment Completed",
  ];
}

type Entry = Record<string, unknown>;

function list(value: unknown): Entry[] {
  return Array.isArray(value) ? (value.filter((v) => v !== null && typeof v === "object") as Entry[]) : [];
}

function at(object: unknown, ...path: (string | number)[]): unknown {
  let current = object;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** The one entry that receives all traffic: the only one with weight, holding 100 (or no weight at all when alone). */
function soleRoute(entries: Entry[], weightKey: string): Entry | undefined {
  if (entries.length === 1 && entries[0]?.[weightKey] === undefined) return entries[0];
  const carrying = entries.filter((e) => typeof e[weightKey] === "number" && (e[weightKey] as number) > 0);
  return carrying.length === 1 && carrying[0]?.[weightKey] === 100 ? carrying[0] : undefined;
}

function byModel(uri: unknown, models: Record<string, string>): string | undefined {
  if (typeof uri !== "string") return undefined;
  return Object.entries(models).find(([fragment]) => uri.includes(fragment))?.[1];
}

const FLOWERS = { "tensorflow/flowers-2": "flowers-v2", "tensorflow/flowers": "flowers-v1" };
const IRIS = { "sklearn/iris": "iris-v1", "xgboost/iris": "iris-v2" };
const ROUTING_RULE = { apiVersion: "networking.istio.io/v1alpha3", kind: "VirtualService", namespace: "default", name: "routing-rule" };

/** An Istio route destination host `name.namespace.svc…` → its namespace. */
function hostNamespace(route: Entry | undefined): string | undefined {
  const host = at(route, "destination", "host");
  return typeof host === "string" ? host.split(".")[1] : undefined;
}

/**
 * For models split by the `routing-rule` VirtualService in `default`: the model run by the object
 * `kind`/`name` in the namespace of the one route that carries all traffic.
 */
async function modelBehindRoute(
  read: ObjectReader,
  model: { apiVersion: string; kind: string; name: string },
  modelPath: (string | number)[],
  models: Record<string, string>,
): Promise<string | undefined> {
  const vs = await read(ROUTING_RULE);
  const namespace = hostNamespace(soleRoute(list(at(vs, "spec", "http", 0, "route")), "weight"));
  if (!namespace) return undefined;
  return byModel(at(await read({ ...model, namespace }), ...modelPath), models);
}

const READERS: Record<QuickstartStack, (read: ObjectReader) => Promise<string | undefined>> = {
  async istio(read) {
    const vs = await read({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "bookinfo-iter8", name: "bookinfo" });
    const subset = at(soleRoute(list(at(vs, "spec", "http", 0, "route")), "weight"), "destination", "subset");
    return typeof subset === "string" ? subset : undefined;
  },
  kfserving: (read) =>
    modelBehindRoute(read, { apiVersion: "serving.kubeflow.org/v1beta1", kind: "InferenceService", name: "flowers" }, ["spec", "predictor", "tensorflow", "storageUri"], FLOWERS),
  async knative(read) {
    const ksvc = await read({ apiVersion: "serving.knative.dev/v1", kind: "Service", namespace: "default", name: "sample-app" });
    const route = soleRoute(list(at(ksvc, "spec", "traffic")), "percent");
    if (!route) return undefined;
    const revision = route.latestRevision === true ? at(ksvc, "spec", "template", "metadata", "name") : route.revisionName;
    return typeof revision === "string" ? revision : undefined;
  },
  seldon: (read) =>
    modelBehindRoute(read, { apiVersion: "machinelearning.seldon.io/v1", kind: "SeldonDeployment", name: "iris" }, ["spec", "predictors", 0, "graph", "modelUri"], IRIS),
  async "seldon-single"(read) {
    const sd = await read({ apiVersion: "machinelearning.seldon.io/v1", kind: "SeldonDeployment", namespace: "ns-production", name: "iris" });
    return byModel(at(soleRoute(list(at(sd, "spec", "predictors")), "traffic"), "graph", "modelUri"), IRIS);
  },
};

/**
 * The version of a quickstart that serves all traffic, read from the routing and model objects
 * as a user would check it after promotion (which subset, revision, namespace or predictor gets
 * 100 %, and which model it runs); undefined while traffic is still split.
 */
export function servedVersion(stack: QuickstartStack, read: ObjectReader): Promise<string | undefined> {
  return READERS[stack](read);
}
