import { criteriaMetricRefs, experimentNamespace, normalizeMetricRef, type Experiment } from "@iter8ts/types";

/**
 * The metrics the criteria reference, as `namespace/name`, in the order they are loaded:
 * request count, rewards, indicators, objectives; each once. Unqualified references resolve in
 * the experiment's namespace, so that analytics can match them to the loaded metrics.
 */
export function criteriaMetricKeys(experiment: Pick<Experiment, "spec" | "metadata">): string[] {
  const namespace = experimentNamespace(experiment);
  const refs = criteriaMetricRefs(experiment.spec.criteria).map((r) => r.metric);
  return [...new Set(refs.filter((r) => r.trim() !== "").map((r) => normalizeMetricRef(r, namespace)))];
}
