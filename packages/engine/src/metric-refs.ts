import { experimentNamespace, normalizeMetricRef, type Experiment } from "@iter8ts/types";

/**
 * The metrics the criteria reference, as `namespace/name`, in the order they are loaded:
 * request count, rewards, indicators, objectives; each once. Unqualified references resolve in
 * the experiment's namespace, so that analytics can match them to the loaded metrics.
 */
export function criteriaMetricRefs(experiment: Pick<Experiment, "spec" | "metadata">): string[] {
  const criteria = experiment.spec.criteria;
  if (!criteria) return [];
  const namespace = experimentNamespace(experiment);
  const refs = [
    ...(criteria.requestCount ? [criteria.requestCount] : []),
    ...(criteria.rewards ?? []).map((r) => r.metric),
    ...(criteria.indicators ?? []),
    ...(criteria.objectives ?? []).map((o) => o.metric),
  ];
  return [...new Set(refs.filter((r) => r.trim() !== "").map((r) => normalizeMetricRef(r, namespace)))];
}
