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
// Statistics mode (`spec.criteria.strength`) and its primitives.
export { analyzeWithStatistics } from "./stats/analyze-with-statistics";
export type { StatisticsAnalysisResult } from "./stats/analyze-with-statistics";
export { StrengthSchema, MetricModel, STRENGTH_PATH, parseStrength, isStatisticsMode } from "./stats/strength";
export type { Strength, StrengthInput, MetricModelSettings } from "./stats/strength";
export {
  StatisticsAnalysisSchema,
  StatisticsDataSchema,
  StatisticsStateSchema,
  SequentialTestStateSchema,
  GroupSequentialStateSchema,
  GroupSequentialTestStateSchema,
  SrmStateSchema,
  ObjectiveEvidenceSchema,
  VersionEvidenceSchema,
  WinnerEvidenceSchema,
  SequentialEvidenceSchema,
  WeightsEvidenceSchema,
  SrmEvidenceSchema,
  ObjectiveDecision,
  ObjectiveRule,
  EvidenceModel,
  FeasibilityStatus,
  WinnerRule,
  WeightsRule,
} from "./stats/statistics-analysis";
export type {
  StatisticsAnalysis,
  StatisticsData,
  StatisticsState,
  SequentialTestState,
  GroupSequentialState,
  GroupSequentialTestState,
  SrmState,
  ObjectiveEvidence,
  VersionEvidence,
  WinnerEvidence,
  SequentialEvidence,
  WeightsEvidence,
  SrmEvidence,
} from "./stats/statistics-analysis";
export { rollbackAssessments } from "./stats/rollback-assessments";
export { StatisticsError, StatisticsErrorCode } from "./stats/statistics-error";
export { lnGamma, lnBeta, incompleteBeta, incompleteGamma, regularizedBeta } from "./stats/special-functions";
export type { TailPair } from "./stats/special-functions";
export {
  normalPdf,
  normalCdf,
  normalTails,
  normalQuantile,
  studentTPdf,
  studentTTails,
  studentTQuantile,
  betaPdf,
  betaTails,
  betaQuantile,
  chiSquareTails,
} from "./stats/distributions";
export {
  UNIFORM_BETA_PRIOR,
  betaPosterior,
  meanPosterior,
  normalPosterior,
  posteriorMean,
  posteriorSd,
  posteriorTails,
  posteriorDensity,
  posteriorQuantile,
  credibleInterval,
} from "./stats/posterior";
export type { Posterior, BetaPosterior, NormalPosterior, StudentTPosterior, BetaPrior } from "./stats/posterior";
export { compareArms, probabilityBest, expectedLoss, probabilityBetaGreater } from "./stats/probability-best";
export type { ArmComparison, Direction } from "./stats/probability-best";
export { proportionSummary, sumsSummary, effectEstimate } from "./stats/sample-summary";
export type { SampleSummary, DifferenceType, EffectEstimate } from "./stats/sample-summary";
export { bayesianEffect, gaussianRisk } from "./stats/bayesian-effect";
export type { BayesianEffect, BayesianEffectOptions, EffectPrior } from "./stats/bayesian-effect";
export { welchTTest } from "./stats/welch-t-test";
export type { WelchTTest } from "./stats/welch-t-test";
export {
  msprt,
  asymptoticConfidenceSequence,
  confidenceSequenceRho,
  updateAlwaysValid,
  INITIAL_ALWAYS_VALID_STATE,
} from "./stats/msprt";
export type { MsprtInput, MsprtLook, AsymptoticConfidenceSequence, AlwaysValidState } from "./stats/msprt";
export {
  SpendingFunction,
  spentAlpha,
  groupSequentialBoundaries,
  crossingProbabilities,
  classicalBoundary,
} from "./stats/group-sequential";
export type { GroupSequentialDesign, LookBoundary } from "./stats/group-sequential";
export { SrmStatus, srmTest, srmTestPeriods, srmExpectedCounts, srmFromExpected } from "./stats/srm";
export type { SrmResult, SrmPeriod, SrmOptions } from "./stats/srm";
export { topTwoThompson, mixAllocation } from "./stats/thompson-allocation";
