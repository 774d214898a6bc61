import { experimentNamespace, normalizeMetricRef, versionNames } from "@iter8ts/types";
import type { Experiment, Objective, VersionAssessmentsAnalysis } from "@iter8ts/types";
import { indexAggregatedMetrics } from "./aggregated-metrics-data";
import type { AggregatedMetricsData } from "./aggregated-metrics-data";
import { AnalysisMessage } from "./analysis-message";
import { resolveAnalyzeOptions } from "./analyze-options";
import type { AnalyzeOptions } from "./analyze-options";
import { readQuantity } from "./metric-quantity";

/** True when `value` lies within the objective's limits; both limits are inclusive. */
export function satisfiesObjective(objective: Pick<Objective, "upperLimit" | "lowerLimit">, value: number): boolean {
  const upper = readQuantity(objective.upperLimit);
  const lower = readQuantity(objective.lowerLimit);
  return (upper === undefined || value <= upper) && (lower === undefined || value >= lower);
}

/**
 * Checks every version against every objective: `data[version][i]` is true when the version's
 * value of objective i's metric is known and within its limits. A missing metric, version or
 * value leaves the entry false and is named in the message. Without objectives `data` is empty
 * (every version is then feasible). `aggregated` defaults to the experiment's
 * `status.analysis.aggregatedMetrics.data`.
 */
export function assessVersions(
  experiment: Experiment,
  aggregated: AggregatedMetricsData | undefined = experiment.status?.analysis?.aggregatedMetrics?.data,
  options: AnalyzeOptions = {},
): VersionAssessmentsAnalysis {
  const { provenance, timestamp } = resolveAnalyzeOptions(experiment, options);
  const message = new AnalysisMessage();
  const data: Record<string, boolean[]> = {};
  const result = () => ({ provenance, timestamp, data, message: message.format() });
  const versions = versionNames(experiment);
  if (versions.length === 0) {
    message.error("spec.versionInfo is missing; add a baseline (and candidates) so versions can be assessed");
    return result();
  }
  const objectives = experiment.spec.criteria?.objectives ?? [];
  if (objectives.length === 0) {
    message.info("no objectives in criteria; every version is feasible");
    return result();
  }
  for (const version of versions) data[version] = objectives.map(() => false);
  const byKey = indexAggregatedMetrics(aggregated, experimentNamespace(experiment));
  objectives.forEach((objective, i) => {
    const metric = byKey.get(normalizeMetricRef(objective.metric, experimentNamespace(experiment)));
    if (!metric) {
      message.warn(`Aggregated metric object for ${objective.metric} metric is unavailable.`);
      return;
    }
    for (const version of versions) {
      const entry = metric.data[version];
      if (!entry) {
        message.warn(`Value for ${objective.metric} metric and ${version} version is unavailable.`);
        continue;
      }
      const value = readQuantity(entry.value);
      if (value === undefined) {
        message.warn(`Value for ${objective.metric} metric and ${version} version is None.`);
        continue;
      }
      data[version]![i] = satisfiesObjective(objective, value);
    }
  });
  return result();
}
