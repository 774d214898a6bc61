import type { KubeObject, ObjectKey } from "@iter8ts/weights";
import type { QuickstartStack } from "./load-sample";

/** Reads stored objects; an `InMemoryResourceClient` fits. */
export interface ObjectReader {
  peek(key: ObjectKey): KubeObject | undefined;
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

/** An Istio route destination host `name.namespace.svc…` → its namespace. */
function hostNamespace(route: Entry | undefined): string | undefined {
  const host = at(route, "destination", "host");
  return typeof host === "string" ? host.split(".")[1] : undefined;
}

/**
 * For models split by the `routing-rule` VirtualService in `default`: the model run by the object
 * `kind`/`name` in the namespace of the one route that carries all traffic.
 */
function modelBehindRoute(objects: ObjectReader, kind: string, name: string, modelPath: (string | number)[], models: Record<string, string>): string | undefined {
  const vs = objects.peek({ kind: "VirtualService", namespace: "default", name: "routing-rule" });
  const ns = hostNamespace(soleRoute(list(at(vs, "spec", "http", 0, "route")), "weight"));
  if (!ns) return undefined;
  return byModel(at(objects.peek({ kind, namespace: ns, name }), ...modelPath), models);
}

const READERS: Record<QuickstartStack, (objects: ObjectReader) => string | undefined> = {
  istio(objects) {
    const vs = objects.peek({ kind: "VirtualService", namespace: "bookinfo-iter8", name: "bookinfo" });
    const subset = at(soleRoute(list(at(vs, "spec", "http", 0, "route")), "weight"), "destination", "subset");
    return typeof subset === "string" ? subset : undefined;
  },
  kfserving: (objects) => modelBehindRoute(objects, "InferenceService", "flowers", ["spec", "predictor", "tensorflow", "storageUri"], FLOWERS),
  knative(objects) {
    const ksvc = objects.peek({ kind: "Service", apiVersion: "serving.knative.dev/v1", namespace: "default", name: "sample-app" });
    const route = soleRoute(list(at(ksvc, "spec", "traffic")), "percent");
    if (!route) return undefined;
    const revision = route.latestRevision === true ? at(ksvc, "spec", "template", "metadata", "name") : route.revisionName;
    return typeof revision === "string" ? revision : undefined;
  },
  seldon: (objects) => modelBehindRoute(objects, "SeldonDeployment", "iris", ["spec", "predictors", 0, "graph", "modelUri"], IRIS),
  "seldon-single"(objects) {
    const sd = objects.peek({ kind: "SeldonDeployment", namespace: "ns-production", name: "iris" });
    return byModel(at(soleRoute(list(at(sd, "spec", "predictors")), "traffic"), "graph", "modelUri"), IRIS);
  },
};

/**
 * The version of a quickstart that serves all traffic, read from the routing and model objects
 * as a user would check it after promotion (which subset, revision, namespace or predictor gets
 * 100 %, and which model it runs); undefined while traffic is still split.
 */
export function servedVersion(stack: QuickstartStack, objects: ObjectReader): string | undefined {
  return READERS[stack](objects);
}
