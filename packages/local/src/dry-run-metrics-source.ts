import { mockMetricValue, mockSeed, type MetricValues, type MockMetricSpec } from "@iter8ts/analytics";
import type { MetricsSource } from "@iter8ts/engine";
import { metricKey } from "@iter8ts/metrics";
import { experimentNamespace, quantityToNumber, sameMetricRef, versionNames, type Experiment, type MetricSpec } from "@iter8ts/types";

/** The level used for a metric that no objective bounds: a request rate for counters, a value for gauges. */
const UNBOUNDED_LEVEL = 10;
/** How much better each candidate's reward is than the previous version's, so that a dry run shows traffic moving. */
const REWARD_STEP = 0.5;

function round(value: number): number {
  return Number(value.toPrecision(6));
}

/**
 * The mock a dry run uses for one metric. A Metric's own `mock` levels are kept when they cover
 * every version. Otherwise levels are derived from the experiment, so that the dry run walks
 * through a plausible success:
 * - a metric bounded by objectives sits inside its limits: half the upper limit (a draw can
 *   reach at most twice the level, so the limit holds), twice a lower limit, or the middle of
 *   both; it is mocked as a Gauge, because a Counter would grow past any upper limit;
 * - a reward improves by half its base level with each candidate, in its preferred direction
 *   (clamped to the objectives' limits), so the last candidate wins despite the mock's spread;
 * - anything else gets a level of 10.
 */
export function dryRunMock(experiment: Experiment, key: string, spec: MetricSpec): MockMetricSpec {
  const versions = versionNames(experiment);
  const given = spec.mock ?? [];
  if (versions.every((v) => given.some((m) => m.name === v))) return { mock: given, type: spec.type };

  const namespace = experimentNamespace(experiment);
  const criteria = experiment.spec.criteria;
  let lower: number | undefined;
  let upper: number | undefined;
  for (const objective of criteria?.objectives ?? []) {
    if (!sameMetricRef(objective.metric, key, namespace)) continue;
    if (objective.lowerLimit !== undefined) lower = Math.max(lower ?? -Infinity, quantityToNumber(objective.lowerLimit));
    if (objective.upperLimit !== undefined) upper = Math.min(upper ?? Infinity, quantityToNumber(objective.upperLimit));
  }
  const bounded = lower !== undefined || upper !== undefined;
  let base: number;
  if (lower !== undefined && upper !== undefined) base = (lower + upper) / 2;
  else if (upper !== undefined) base = upper > 0 ? upper / 2 : upper - 1;
  else if (lower !== undefined) base = lower > 0 ? lower * 2 : lower + 1;
  else base = UNBOUNDED_LEVEL;

  const reward = (criteria?.rewards ?? []).find((r) => sameMetricRef(r.metric, key, namespace));
  const levels = versions.map((version, i) => {
    const own = given.find((m) => m.name === version);
    if (own) return own;
    let level = base;
    if (reward) level = reward.preferredDirection === "High" ? base * (1 + REWARD_STEP * i) : base / (1 + REWARD_STEP * i);
    if (lower !== undefined) level = Math.max(level, lower);
    if (upper !== undefined) level = Math.min(level, upper);
    return { name: version, level: String(round(level)) };
  });
  return { mock: levels, type: bounded ? "Gauge" : spec.type };
}

/**
 * The metrics source of `--dry-run`: no backend is queried; every metric of `status.metrics`
 * (builtin ones included) is answered by the analytics mock generator with the levels of
 * {@link dryRunMock}, at the experiment's (simulated) elapsed time.
 */
export class DryRunMetricsSource implements MetricsSource {
  async query(experiment: Experiment, context: { now: Date }): Promise<MetricValues> {
    const namespace = experimentNamespace(experiment);
    const start = experiment.status?.startTime ? Date.parse(experiment.status.startTime) : Number.NaN;
    const elapsed = Number.isFinite(start) ? Math.max(1, Math.floor((context.now.getTime() - start) / 1000)) : 1;
    const values: MetricValues = {};
    for (const info of experiment.status?.metrics ?? []) {
      const key = metricKey(info, namespace);
      if (values[key]) continue;
      const mock = dryRunMock(experiment, key, info.metricObj.spec);
      const seed = mockSeed(experiment, key);
      values[key] = Object.fromEntries(versionNames(experiment).map((v) => [v, mockMetricValue(mock, v, elapsed, seed)]));
    }
    return values;
  }
}
