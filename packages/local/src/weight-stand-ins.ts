import type { Experiment } from "@iter8ts/types";
import { describeObject, type KubeObject, type PathSegment } from "@iter8ts/resources";
import { groupWeightTargets, versionWeightRefs } from "@iter8ts/weights";
import type { LocalObject } from "./local-documents";

/** An object made up for a dry run because the documents lack it. */
export interface WeightStandIn {
  object: KubeObject;
  /** `Kind namespace/name`, for the note printed to the user. */
  label: string;
  /** The experiments whose versions keep weights in it. */
  experiments: string[];
}

function setPath(root: Record<string, unknown>, segments: readonly PathSegment[], value: unknown): void {
  let node: unknown = root;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const next = segments[i + 1];
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[segment] = value;
      return;
    }
    if (Array.isArray(node) && typeof segment === "number") {
      // Elements before the one addressed become empty objects, as routes or predictors would be.
      while (node.length < segment) node.push({});
    }
    const existing = container[segment];
    if (typeof existing !== "object" || existing === null) container[segment] = typeof next === "number" ? [] : {};
    node = container[segment];
  });
}

/**
 * The objects that the experiments' `weightObjRef`s name but the documents do not hold, made up
 * so that a dry run can go on (a cluster quickstart names a VirtualService or a Knative Service
 * that only exists in the cluster). Each stand-in has just the weight fields: the baseline's at
 * 100 and every candidate's at 0, as traffic stands before an experiment. References that cannot
 * be resolved (no fieldPath, a malformed one) are left alone: the run reports them.
 */
export function weightStandIns(experiments: readonly Experiment[], objects: readonly LocalObject[]): WeightStandIn[] {
  const made = new Map<string, WeightStandIn>();
  for (const experiment of experiments) {
    let refs;
    try {
      refs = versionWeightRefs(experiment);
    } catch {
      continue;
    }
    const baseline = experiment.spec.versionInfo?.baseline.name;
    for (const target of groupWeightTargets(refs)) {
      const { key } = target;
      const namespace = key.namespace ?? "default";
      const present = objects.some(
        (o) => o.kind === key.kind && o.name === key.name && o.namespace === namespace && (key.apiVersion === undefined || o.apiVersion === key.apiVersion),
      );
      if (present) continue;
      const label = describeObject({ ...key, namespace });
      const id = JSON.stringify([key.apiVersion ?? "", key.kind, namespace, key.name]);
      let standIn = made.get(id);
      if (!standIn) {
        standIn = {
          object: { apiVersion: key.apiVersion ?? "v1", kind: key.kind, metadata: { name: key.name, namespace } },
          label,
          experiments: [],
        };
        made.set(id, standIn);
      }
      const experimentId = `${experiment.metadata.namespace ?? "default"}/${experiment.metadata.name ?? ""}`;
      if (!standIn.experiments.includes(experimentId)) standIn.experiments.push(experimentId);
      for (const { version, fieldPath } of target.versions) setPath(standIn.object, fieldPath.segments, version === baseline ? 100 : 0);
    }
  }
  return [...made.values()];
}
