import { experimentNamespace, normalizeMetricRef, versionNames } from "@iter8ts/types";
import type { Experiment, WinnerAssessmentAnalysis, WinnerAssessmentData } from "@iter8ts/types";
import { AnalysisMessage } from "./analysis-message";
import { resolveAnalyzeOptions } from "./analyze-options";
import type { AnalyzeOptions } from "./analyze-options";
import { indexAggregatedMetrics } from "./aggregated-metrics-data";
import type { AggregatedMetricsData } from "./aggregated-metrics-data";
import { readQuantity } from "./metric-quantity";

/** Version assessments as stored in `status.analysis.versionAssessments.data`. */
export type VersionAssessmentsData = Record<string, boolean[]>;

/**
 * The versions that satisfy all objectives, in version order. With no assessments at all (no
 * objectives) every version is feasible; a version the assessments leave out is not, and is
 * reported to `onMissing`.
 */
export function feasibleVersions(
  versions: readonly string[],
  assessments: VersionAssessmentsData | null | undefined,
  onMissing: (version: string) => void = () => {},
): string[] {
  if (!assessments || Object.keys(assessments).length === 0) return [...versions];
  return versions.filter((version) => {
    const checks = assessments[version];
    if (!checks) {
      onMissing(version);
      return false;
    }
    return checks.every(Boolean);
  });
}

const noWinner = (): WinnerAssessmentData => ({ winnerFound: false, bestVersions: [] });
const winnerIs = (version: string): WinnerAssessmentData => ({ winnerFound: true, winner: version, bestVersions: [version] });

/**
 * Decides the winner by the Iter8 v2 rules of the experiment's testing pattern:
 *
 * - Conformance: the baseline wins when it satisfies all objectives.
 * - Canary: the (first) candidate wins when it satisfies all objectives; otherwise the baseline
 *   when it does; otherwise nobody.
 * - A/B and A/B/N: among the feasible versions, the one with the best value of the first reward
 *   (higher or lower, as the reward prefers). Equal best values name every tied version in
 *   `bestVersions` and declare no winner.
 *
 * `versionAssessments` and `aggregated` default to the experiment's status.
 */
export function assessWinner(
  experiment: Experiment,
  versionAssessments: VersionAssessmentsData | null | undefined = experiment.status?.analysis?.versionAssessments?.data,
  aggregated: AggregatedMetricsData | undefined = experiment.status?.analysis?.aggregatedMetrics?.data,
  options: AnalyzeOptions = {},
): WinnerAssessmentAnalysis {
  const { provenance, timestamp } = resolveAnalyzeOptions(experiment, options);
  const message = new AnalysisMessage();
  const result = (data: WinnerAssessmentData) => ({ provenance, timestamp, data, message: message.format() });
  const info = experiment.spec.versionInfo;
  if (!info) {
    message.error("spec.versionInfo is missing; add a baseline (and candidates) so a winner can be assessed");
    return result(noWinner());
  }
  const versions = versionNames(experiment);
  const feasible = new Set(
    feasibleVersions(versions, versionAssessments, (v) =>
      message.warn(`no version assessment for version ${v}; it is treated as not satisfying the objectives`),
    ),
  );
  const baseline = info.baseline.name;

  switch (experiment.spec.strategy.testingPattern) {
    case "Conformance":
      if (feasible.has(baseline)) {
        message.info("baseline satisfies all objectives");
        return result(winnerIs(baseline));
      }
      message.info("baseline does not satisfy all objectives");
      return result(noWinner());
    case "Canary": {
      const [candidate, ...others] = info.candidates ?? [];
      if (!candidate) {
        message.error("a Canary experiment needs one candidate; spec.versionInfo.candidates is empty");
        return result(noWinner());
      }
      if (others.length > 0) {
        message.warn(`a Canary experiment compares one candidate; only ${candidate.name} is considered`);
      }
      if (feasible.has(candidate.name)) {
        message.info("candidate satisfies all objectives");
        return result(winnerIs(candidate.name));
      }
      if (feasible.has(baseline)) {
        message.info("baseline satisfies all objectives; candidate does not");
        return result(winnerIs(baseline));
      }
      message.info("neither candidate nor baseline satisfies all objectives");
      return result(noWinner());
    }
    default:
      return result(rewardWinner(experiment, versions, feasible, aggregated, message));
  }
}

/** The A/B and A/B/N rule: the best value of the first reward among feasible versions. */
function rewardWinner(
  experiment: Experiment,
  versions: readonly string[],
  feasible: ReadonlySet<string>,
  aggregated: AggregatedMetricsData | undefined,
  message: AnalysisMessage,
): WinnerAssessmentData {
  const [reward, ...ignored] = experiment.spec.criteria?.rewards ?? [];
  if (!reward) {
    message.warn(
      "No reward metric in experiment. Winner assessment cannot be computed for ab or abn experiments without reward metric.",
    );
    return noWinner();
  }
  if (ignored.length > 0) {
    const names = ignored.map((r) => r.metric).join(" and ");
    message.warn(`only the first reward (${reward.metric}) decides the winner; ${names} ${ignored.length > 1 ? "are" : "is"} not used`);
  }
  const namespace = experimentNamespace(experiment);
  const metric = indexAggregatedMetrics(aggregated, namespace).get(normalizeMetricRef(reward.metric, namespace));
  if (!metric) {
    message.warn("reward metric values are not available");
    return noWinner();
  }
  const higherIsBetter = reward.preferredDirection === "High";
  let top = higherIsBetter ? -Infinity : Infinity;
  let best: string[] = [];
  for (const version of versions) {
    if (!feasible.has(version)) continue;
    const value = readQuantity(metric.data[version]?.value);
    if (value === undefined) {
      message.warn(`reward value for feasible version ${version} is not available`);
      continue;
    }
    if (value === top) best.push(version);
    else if (higherIsBetter ? value > top : value < top) {
      top = value;
      best = [version];
    }
  }
  if (feasible.size === 0) message.info("no version satisfies all objectives");
  if (best.length === 1) {
    message.info("found unique winner");
    return winnerIs(best[0]!);
  }
  if (best.length > 1) {
    message.info("no unique winner; two or more feasible versions with same reward value");
    return { winnerFound: false, bestVersions: best };
  }
  return noWinner();
}
