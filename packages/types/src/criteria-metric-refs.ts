import type { Criteria } from "./experiment";
import { formatPath } from "./validation-issue";

/** One metric reference written in `spec.criteria`. */
export interface CriteriaMetricRef {
  /** The reference as written (`name` or `namespace/name`). */
  metric: string;
  /** Where it is written, as segments: `["spec", "criteria", "objectives", 1, "metric"]`. */
  path: Array<string | number>;
  /** The same as text: `spec.criteria.objectives[1].metric`. */
  field: string;
}

/**
 * Every metric reference of `spec.criteria`, in the order metrics are loaded: the request count,
 * rewards, indicators, objectives. Repeats and blank indicators are kept (each is a field a
 * message may name); callers that want metrics normalise and deduplicate.
 */
export function criteriaMetricRefs(criteria: Criteria | undefined): CriteriaMetricRef[] {
  if (!criteria) return [];
  const at = (metric: string, ...path: Array<string | number>): CriteriaMetricRef => {
    const full = ["spec", "criteria", ...path];
    return { metric, path: full, field: formatPath(full) };
  };
  return [
    // An empty requestCount means none (the builtin request count is used).
    ...(criteria.requestCount ? [at(criteria.requestCount, "requestCount")] : []),
    ...(criteria.rewards ?? []).map((r, i) => at(r.metric, "rewards", i, "metric")),
    ...(criteria.indicators ?? []).map((m, i) => at(m, "indicators", i)),
    ...(criteria.objectives ?? []).map((o, i) => at(o.metric, "objectives", i, "metric")),
  ];
}
