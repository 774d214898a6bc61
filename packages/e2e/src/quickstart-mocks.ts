import { experimentNamespace, normalizeMetricRef, quantityToNumber, sameMetricRef, versionNames, type Experiment, type Metric } from "@iter8ts/types";

/** How a simulated quickstart should turn out. */
export const QuickstartOutcome = {
  /** Every version meets every objective and the candidate earns by far the higher reward. */
  CandidateWins: "CandidateWins",
  /** The candidate breaks every objective (ten times the limit), so the baseline stays. */
  CandidateFails: "CandidateFails",
} as const;
export type QuickstartOutcome = (typeof QuickstartOutcome)[keyof typeof QuickstartOutcome];

// A Gauge mock draws within (0, 2 × level), so a level of a quarter of an upper limit always
// meets it and ten times the limit breaks it (but for a rare draw in the first seconds).
const SAFE_SHARE = 0.25;
const BREAKING_FACTOR = 10;
const REWARD_LEVEL = { baseline: 1, candidate: 100 };
const REQUEST_RATE = 8;
const OTHER_LEVEL = 1;

function format(level: number): string {
  return String(Number(level.toPrecision(6)));
}

/**
 * Copies of an experiment's Metrics with `mock` levels for every version, chosen so that the
 * experiment ends as `outcome` says: levels inside (or, for a failing candidate, far outside) the
 * objectives' limits, a reward that favours the candidate by a factor of 100, and a steady request
 * rate for counters. Metrics then need no backend; their queries still go through the metrics
 * package (the `mock` provider), seeded, so a run is the same every time.
 */
export function mockQuickstartMetrics(experiment: Experiment, metrics: readonly Metric[], outcome: QuickstartOutcome): Metric[] {
  const namespace = experimentNamespace(experiment);
  const versions = versionNames(experiment);
  const criteria = experiment.spec.criteria ?? {};
  const baseline = experiment.spec.versionInfo?.baseline.name;
  return metrics.map((metric) => {
    const key = normalizeMetricRef(metric.metadata?.name ?? "", metric.metadata?.namespace ?? namespace);
    let upper: number | undefined;
    let lower: number | undefined;
    for (const o of criteria.objectives ?? []) {
      if (!sameMetricRef(o.metric, key, namespace)) continue;
      if (o.upperLimit !== undefined) upper = Math.min(upper ?? Infinity, quantityToNumber(o.upperLimit));
      if (o.lowerLimit !== undefined) lower = Math.max(lower ?? -Infinity, quantityToNumber(o.lowerLimit));
    }
    const reward = (criteria.rewards ?? []).find((r) => sameMetricRef(r.metric, key, namespace));
    const level = (version: string): number => {
      const isBaseline = version === baseline;
      if (reward) {
        const [better, worse] = [REWARD_LEVEL.candidate, REWARD_LEVEL.baseline];
        const high = reward.preferredDirection === "High";
        return isBaseline ? (high ? worse : better) : high ? better : worse;
      }
      if (upper !== undefined || lower !== undefined) {
        const safe = upper !== undefined ? (lower !== undefined ? (upper + lower) / 2 : upper * SAFE_SHARE) : (lower as number) * 4;
        if (outcome === QuickstartOutcome.CandidateFails && !isBaseline) {
          return upper !== undefined ? upper * BREAKING_FACTOR : (lower as number) / BREAKING_FACTOR;
        }
        return safe;
      }
      return metric.spec.type === "Counter" ? REQUEST_RATE : OTHER_LEVEL;
    };
    const copy = structuredClone(metric);
    copy.spec.mock = versions.map((name) => ({ name, level: format(level(name)) }));
    return copy;
  });
}
