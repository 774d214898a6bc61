export { analyze, analyzePointValues } from "./analyze";
export type { AnalysisResult } from "./analyze";
export { DEFAULT_PROVENANCE, resolveAnalyzeOptions, elapsedSeconds } from "./analyze-options";
export type { AnalyzeOptions, ResolvedAnalyzeOptions } from "./analyze-options";
export type { MetricValue, MetricValues } from "./metric-values";
export { AnalysisMessage } from "./analysis-message";
export { AnalyticsError, AnalyticsErrorCode } from "./analytics-error";
export { aggregateMetrics } from "./aggregate-metrics";
export { assessVersions, satisfiesObjective } from "./assess-versions";
export { indexAggregatedMetrics } from "./aggregated-metrics-data";
export type { AggregatedMetricsData } from "./aggregated-metrics-data";
export { assessWinner, feasibleVersions } from "./assess-winner";
export type { VersionAssessmentsData } from "./assess-winner";
export {
  recommendWeights,
  explorationMix,
  constrainWeights,
  currentWeights,
  EXPLORATION_SHARE,
} from "./recommend-weights";
export type { WeightLimits } from "./recommend-weights";
export { roundWeights } from "./round-weights";
export { readQuantity, writeQuantity } from "./metric-quantity";
export { readBuiltinHistograms, mergeHistograms } from "./builtin-histogram";
export type {
  BuiltinHistogram,
  BuiltinHistograms,
  DurationHistogram,
  HistogramBucket,
  ReadBuiltinHistogramsResult,
} from "./builtin-histogram";
export {
  BuiltinMetric,
  BUILTIN_METRICS,
  BUILTIN_METRICS_NAMESPACE,
  builtinMetricsFromHistograms,
  histogramPercentile,
  isErrorCode,
} from "./builtin-metrics";
export { mockMetricValue, mockSeed } from "./mock-metric-value";
export type { MockMetricSpec } from "./mock-metric-value";
export { seededRandom, sampleNormal, sampleGamma, sampleBeta } from "./seeded-random";
export type { RandomSource } from "./seeded-random";
