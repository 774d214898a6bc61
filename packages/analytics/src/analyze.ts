import { withDefaults } from "@iter8ts/types";
import type {
  AggregatedMetricsAnalysis,
  Experiment,
  VersionAssessmentsAnalysis,
  WeightsAnalysis,
  WinnerAssessmentAnalysis,
} from "@iter8ts/types";
import { aggregateMetrics } from "./aggregate-metrics";
import type { AnalyzeOptions } from "./analyze-options";
import { assessVersions } from "./assess-versions";
import { assessWinner } from "./assess-winner";
import type { MetricValues } from "./metric-values";
import { recommendWeights } from "./recommend-weights";
import { analyzeWithStatistics } from "./stats/analyze-with-statistics";
import type { StatisticsAnalysis } from "./stats/statistics-analysis";
import { isStatisticsMode } from "./stats/strength";

/** The four results of one analysis, each ready to store in `status.analysis`. */
export interface AnalysisResult {
  aggregatedMetrics: AggregatedMetricsAnalysis;
  versionAssessments: VersionAssessmentsAnalysis;
  winnerAssessment: WinnerAssessmentAnalysis;
  weights: WeightsAnalysis;
  /**
   * Statistics mode only (`spec.criteria.strength` set): the evidence behind each decision and the
   * running state the next iteration continues from; store it as `status.analysis.statistics`.
   */
  statistics?: StatisticsAnalysis;
}

/**
 * The Iter8 v2 point-value analysis of an experiment that already has its defaults filled in:
 * aggregate metrics, assess versions against objectives, pick the winner, recommend weights.
 */
export function analyzePointValues(
  experiment: Experiment,
  values: MetricValues,
  options: AnalyzeOptions,
): AnalysisResult {
  const aggregatedMetrics = aggregateMetrics(experiment, values, options);
  const versionAssessments = assessVersions(experiment, aggregatedMetrics.data, options);
  const winnerAssessment = assessWinner(experiment, versionAssessments.data, aggregatedMetrics.data, options);
  const weights = recommendWeights(experiment, winnerAssessment.data, options);
  return { aggregatedMetrics, versionAssessments, winnerAssessment, weights };
}

/**
 * Analyses one iteration of an experiment: combines the metric values queried now with the
 * builtin histograms, mock metrics and previous values in its status; checks each version
 * against the objectives; decides the winner by the testing pattern; and recommends the next
 * traffic split (computed for every pattern but Conformance; whether to apply it is the
 * caller's decision). The controller's in-memory defaults are applied first.
 *
 * Pure: no I/O, and time comes only from `options.now`. Never throws on a well-typed experiment;
 * missing pieces (no versionInfo, criteria or status) are explained in the results' messages.
 *
 * @example
 * const analysis = analyze(experiment, { "default/mean-latency": { v1: { value: 212 }, v2: { value: 198 } } }, { now });
 * analysis.winnerAssessment.data; // { winnerFound: true, winner: "v2", bestVersions: ["v2"] }
 */
export function analyze(
  experiment: Experiment,
  values: MetricValues = {},
  options: AnalyzeOptions = {},
): AnalysisResult {
  // withDefaults deep-copies the status (it holds the previous analysis, statistics evidence and
  // all: a third of analyze() for 10 versions × 10 metrics). Nothing here writes into the status,
  // so it is read in place; a test analyses a deep-frozen experiment.
  const { status, ...rest } = experiment;
  const withAllDefaults: Experiment = { ...withDefaults(rest as Experiment), ...(status !== undefined ? { status } : {}) };
  if (isStatisticsMode(withAllDefaults.spec.criteria?.strength)) return analyzeWithStatistics(withAllDefaults, values, options);
  return analyzePointValues(withAllDefaults, values, options);
}
