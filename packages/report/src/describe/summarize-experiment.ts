import {
  experimentNamespace,
  formatQuantity,
  isConditionTrue,
  parseQuantity,
  quantityToNumber,
  sameMetricRef,
  totalIterations,
  versionNames,
  EXPERIMENT_DEFAULTS,
  type AggregatedMetric,
  type Conclusion,
  type DeploymentPattern,
  type Experiment,
  type PreferredDirection,
  type Quantity,
  type Stage,
  type TestingPattern,
} from "@iter8ts/types";

/** A quantity from the experiment: exactly as stored, and as a number for arithmetic. */
export interface QuantityValue {
  /** The canonical quantity string (`419202728239n`, `1k`, `0`). */
  quantity: string;
  /** The same value as a JavaScript number. */
  value: number;
}

/** One reward metric and its value per version. */
export interface RewardSummary {
  metric: string;
  preferredDirection: PreferredDirection;
  /** Last known value per version name; `null` when analytics has none. */
  values: Record<string, QuantityValue | null>;
  /** Versions holding the best value (more than one on a tie; none when no values). */
  best: string[];
}

/** One objective and whether each version satisfies it. */
export interface ObjectiveSummary {
  metric: string;
  lowerLimit: QuantityValue | null;
  upperLimit: QuantityValue | null;
  rollbackOnFailure: boolean;
  /** Per version name; `null` when that version has not been assessed. */
  satisfied: Record<string, boolean | null>;
}

/** One metric and its value per version. */
export interface MetricSummary {
  name: string;
  units: string | null;
  values: Record<string, QuantityValue | null>;
}

/** What analytics concluded about a winner. */
export interface WinnerSummary {
  found: boolean;
  version: string | null;
}

/**
 * Everything `iter8ctl describe` reports, as data: the text layout is rendered from it, and
 * `describe -o json|yaml` prints it as is.
 */
export interface ExperimentSummary {
  name: string;
  namespace: string;
  target: string;
  testingPattern: TestingPattern;
  deploymentPattern: DeploymentPattern;
  stage: Stage | null;
  completedIterations: number;
  totalIterations: number;
  /** The `Completed` condition is True. */
  completed: boolean;
  /** The `Failed` condition is True. */
  failed: boolean;
  /** `status.message`: the latest event, `Reason` or `Reason: message`. */
  message: string | null;
  /** Baseline first, then candidates. */
  versions: string[];
  /** `null` until analytics has assessed a winner. */
  winner: WinnerSummary | null;
  versionRecommendedForPromotion: string | null;
  /** `status.conclusion`: how the experiment ends and why; null until its end is decided. */
  conclusion: Conclusion | null;
  /** Which analytics results the status holds so far. */
  analysis: { winnerAssessment: boolean; versionAssessments: boolean; aggregatedMetrics: boolean };
  rewards: RewardSummary[];
  objectives: ObjectiveSummary[];
  metrics: MetricSummary[];
}

function toValue(q: Quantity | null | undefined): QuantityValue | null {
  if (q === null || q === undefined) return null;
  return { quantity: formatQuantity(q), value: quantityToNumber(q) };
}

/**
 * Finds a metric's aggregated values. References are matched as written first, then as
 * `namespace/name` against the experiment's namespace, so `mean-latency` and
 * `default/mean-latency` find each other.
 */
function findAggregated(
  data: Record<string, AggregatedMetric> | undefined,
  ref: string,
  namespace: string,
): AggregatedMetric | undefined {
  if (!data) return undefined;
  if (Object.hasOwn(data, ref)) return data[ref];
  const key = Object.keys(data).find((k) => sameMetricRef(k, ref, namespace));
  return key === undefined ? undefined : data[key];
}

function valuesByVersion(
  aggregated: AggregatedMetric | undefined,
  versions: readonly string[],
): Record<string, QuantityValue | null> {
  return Object.fromEntries(
    versions.map((v) => [v, toValue(aggregated && Object.hasOwn(aggregated.data, v) ? aggregated.data[v]!.value : null)]),
  );
}

/** Versions whose value is best in the preferred direction, compared exactly. */
function bestVersions(values: Record<string, QuantityValue | null>, direction: PreferredDirection): string[] {
  let best: bigint | null = null;
  let winners: string[] = [];
  for (const [version, v] of Object.entries(values)) {
    if (!v) continue;
    const nanos = parseQuantity(v.quantity).nanos;
    const better = best === null || (direction === "High" ? nanos > best : nanos < best);
    if (better) {
      best = nanos;
      winners = [version];
    } else if (nanos === best) {
      winners.push(version);
    }
  }
  return winners;
}

/** Summarises an experiment for people and scripts; pure, never throws on a parsed experiment. */
export function summarizeExperiment(experiment: Experiment): ExperimentSummary {
  const { spec } = experiment;
  const status = experiment.status ?? {};
  const analysis = status.analysis ?? {};
  const namespace = experimentNamespace(experiment);
  const versions = versionNames(experiment);
  const aggregated = analysis.aggregatedMetrics?.data;
  const assessments = analysis.versionAssessments?.data;
  const winnerData = analysis.winnerAssessment?.data;

  const rewards = (spec.criteria?.rewards ?? []).map((reward): RewardSummary => {
    const values = valuesByVersion(findAggregated(aggregated, reward.metric, namespace), versions);
    return { metric: reward.metric, preferredDirection: reward.preferredDirection, values, best: bestVersions(values, reward.preferredDirection) };
  });

  const objectives = (spec.criteria?.objectives ?? []).map(
    (objective, i): ObjectiveSummary => ({
      metric: objective.metric,
      lowerLimit: toValue(objective.lowerLimit),
      upperLimit: toValue(objective.upperLimit),
      rollbackOnFailure: objective.rollback_on_failure ?? false,
      satisfied: Object.fromEntries(
        versions.map((v) => [v, assessments && Object.hasOwn(assessments, v) ? (assessments[v]![i] ?? null) : null]),
      ),
    }),
  );

  // Rows follow status.metrics; metrics that analytics reports but status.metrics lacks
  // (a status written by an older or a local runtime) are listed after them, not dropped.
  const metrics: MetricSummary[] = (status.metrics ?? []).map((m) => ({
    name: m.name,
    units: m.metricObj.spec.units ?? null,
    values: valuesByVersion(findAggregated(aggregated, m.name, namespace), versions),
  }));
  for (const key of Object.keys(aggregated ?? {})) {
    if (metrics.some((m) => m.name === key || sameMetricRef(m.name, key, namespace))) continue;
    metrics.push({ name: key, units: null, values: valuesByVersion(aggregated![key], versions) });
  }

  return {
    name: experiment.metadata.name ?? experiment.metadata.generateName ?? "",
    namespace,
    target: spec.target,
    testingPattern: spec.strategy.testingPattern,
    deploymentPattern: spec.strategy.deploymentPattern ?? EXPERIMENT_DEFAULTS.deploymentPattern,
    stage: status.stage ?? null,
    completedIterations: status.completedIterations ?? 0,
    totalIterations: totalIterations(experiment),
    completed: isConditionTrue(experiment.status, "Completed"),
    failed: isConditionTrue(experiment.status, "Failed"),
    message: status.message ?? null,
    versions,
    winner: winnerData ? { found: winnerData.winnerFound, version: winnerData.winner ?? null } : null,
    versionRecommendedForPromotion: status.versionRecommendedForPromotion ?? null,
    conclusion: status.conclusion ?? null,
    analysis: {
      winnerAssessment: analysis.winnerAssessment !== undefined,
      versionAssessments: analysis.versionAssessments !== undefined,
      aggregatedMetrics: analysis.aggregatedMetrics !== undefined,
    },
    rewards,
    objectives,
    metrics,
  };
}
