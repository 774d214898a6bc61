import { z } from "zod";
import {
  FreeJsonSchema,
  NamedValueSchema,
  ObjectMetaSchema,
  ObjectReferenceSchema,
  QuantitySchema,
  TimeSchema,
} from "./common";
import { MetricSchema } from "./metric";

/** How versions are compared. `A/B/n` is accepted as a spelling of `A/B/N`. */
export const TestingPattern = {
  Canary: "Canary",
  AB: "A/B",
  ABN: "A/B/N",
  Conformance: "Conformance",
} as const;
export type TestingPattern = (typeof TestingPattern)[keyof typeof TestingPattern];
export const TESTING_PATTERNS = Object.values(TestingPattern);

/** How traffic moves during the experiment. */
export const DeploymentPattern = {
  FixedSplit: "FixedSplit",
  Progressive: "Progressive",
  BlueGreen: "BlueGreen",
} as const;
export type DeploymentPattern = (typeof DeploymentPattern)[keyof typeof DeploymentPattern];
export const DEPLOYMENT_PATTERNS = Object.values(DeploymentPattern);

/** Lifecycle stages, in order. */
export const Stage = {
  Waiting: "Waiting",
  Initializing: "Initializing",
  Running: "Running",
  Finishing: "Finishing",
  Completed: "Completed",
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];
export const STAGES = Object.values(Stage);

/** Condition types the controller maintains. */
export const ConditionType = {
  Completed: "Completed",
  Failed: "Failed",
  TargetAcquired: "TargetAcquired",
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const ConditionStatus = { True: "True", False: "False", Unknown: "Unknown" } as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

export const PreferredDirection = { High: "High", Low: "Low" } as const;
export type PreferredDirection = (typeof PreferredDirection)[keyof typeof PreferredDirection];

/** The testing pattern, with the `A/B/n` spelling folded into `A/B/N`. */
export const TestingPatternSchema = z
  .enum(["Canary", "A/B", "A/B/N", "A/B/n", "Conformance"])
  .transform((v): TestingPattern => (v === "A/B/n" ? "A/B/N" : v));

/** One version of the app or model under test. */
export const VersionDetailSchema = z.strictObject({
  name: z.string().min(1),
  variables: z.array(NamedValueSchema).optional(),
  weightObjRef: ObjectReferenceSchema.optional(),
});
export type VersionDetail = z.infer<typeof VersionDetailSchema>;

export const VersionInfoSchema = z.strictObject({
  baseline: VersionDetailSchema,
  candidates: z.array(VersionDetailSchema).optional(),
});
export type VersionInfo = z.infer<typeof VersionInfoSchema>;

/** One step of an action: a named task (`task`) or a bash script (`run`), never both. */
export const TaskSpecSchema = z.strictObject({
  task: z.string().optional(),
  run: z.string().optional(),
  if: z.string().optional(),
  with: z.record(z.string(), FreeJsonSchema).optional(),
});
export type TaskSpec = z.infer<typeof TaskSpecSchema>;

export const WeightsSchema = z.strictObject({
  maxCandidateWeight: z.int32().min(0).max(100).optional(),
  maxCandidateWeightIncrement: z.int32().min(0).max(100).optional(),
});
export type Weights = z.infer<typeof WeightsSchema>;

export const StrategySchema = z.strictObject({
  testingPattern: TestingPatternSchema,
  deploymentPattern: z.enum(["FixedSplit", "Progressive", "BlueGreen"]).optional(),
  actions: z.record(z.string(), z.array(TaskSpecSchema)).optional(),
  weights: WeightsSchema.optional(),
});
export type Strategy = z.infer<typeof StrategySchema>;

export const RewardSchema = z.strictObject({
  metric: z.string().min(1),
  preferredDirection: z.enum(["High", "Low"]),
});
export type Reward = z.infer<typeof RewardSchema>;

export const ObjectiveSchema = z.strictObject({
  metric: z.string().min(1),
  upperLimit: QuantitySchema.optional(),
  lowerLimit: QuantitySchema.optional(),
  rollback_on_failure: z.boolean().optional(),
});
export type Objective = z.infer<typeof ObjectiveSchema>;

export const CriteriaSchema = z.strictObject({
  requestCount: z.string().optional(),
  rewards: z.array(RewardSchema).optional(),
  indicators: z.array(z.string()).optional(),
  objectives: z.array(ObjectiveSchema).optional(),
  strength: FreeJsonSchema.optional(),
});
export type Criteria = z.infer<typeof CriteriaSchema>;

export const DurationSchema = z.strictObject({
  intervalSeconds: z.int32().min(1).optional(),
  iterationsPerLoop: z.int32().min(1).optional(),
  maxLoops: z.int32().min(1).optional(),
});
export type Duration = z.infer<typeof DurationSchema>;

export const ExperimentSpecSchema = z.strictObject({
  target: z.string().min(1),
  versionInfo: VersionInfoSchema.optional(),
  strategy: StrategySchema,
  criteria: CriteriaSchema.optional(),
  duration: DurationSchema.optional(),
});
export type ExperimentSpec = z.infer<typeof ExperimentSpecSchema>;

// ---------------------------------------------------------------------------------------------
// status

export const ConditionSchema = z.looseObject({
  type: z.enum(["Completed", "Failed", "TargetAcquired"]),
  status: z.enum(["True", "False", "Unknown"]),
  lastTransitionTime: TimeSchema.optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

const analysisMeta = {
  provenance: z.string(),
  timestamp: TimeSchema,
  message: z.string().nullish(),
};

export const VersionWeightSchema = z.strictObject({
  name: z.string(),
  value: z.int32(),
});
export type VersionWeight = z.infer<typeof VersionWeightSchema>;

export const AggregatedMetricValueSchema = z.looseObject({
  max: QuantitySchema.nullish(),
  min: QuantitySchema.nullish(),
  value: QuantitySchema.nullish(),
  sampleSize: z.int32().min(0).nullish(),
});
export type AggregatedMetricValue = z.infer<typeof AggregatedMetricValueSchema>;

export const AggregatedMetricSchema = z.looseObject({
  max: QuantitySchema.nullish(),
  min: QuantitySchema.nullish(),
  data: z.record(z.string(), AggregatedMetricValueSchema),
});
export type AggregatedMetric = z.infer<typeof AggregatedMetricSchema>;

export const AggregatedMetricsAnalysisSchema = z.looseObject({
  ...analysisMeta,
  data: z.record(z.string(), AggregatedMetricSchema),
});
export type AggregatedMetricsAnalysis = z.infer<typeof AggregatedMetricsAnalysisSchema>;

export const AggregatedBuiltinHistsSchema = z.looseObject({
  ...analysisMeta,
  data: FreeJsonSchema,
});
export type AggregatedBuiltinHists = z.infer<typeof AggregatedBuiltinHistsSchema>;

export const VersionAssessmentsAnalysisSchema = z.looseObject({
  ...analysisMeta,
  data: z.record(z.string(), z.array(z.boolean())),
});
export type VersionAssessmentsAnalysis = z.infer<typeof VersionAssessmentsAnalysisSchema>;

export const WinnerAssessmentDataSchema = z.looseObject({
  winnerFound: z.boolean(),
  winner: z.string().nullish(),
  bestVersions: z.array(z.string()).nullish(),
});
export type WinnerAssessmentData = z.infer<typeof WinnerAssessmentDataSchema>;

export const WinnerAssessmentAnalysisSchema = z.looseObject({
  ...analysisMeta,
  data: WinnerAssessmentDataSchema,
});
export type WinnerAssessmentAnalysis = z.infer<typeof WinnerAssessmentAnalysisSchema>;

export const WeightsAnalysisSchema = z.looseObject({
  ...analysisMeta,
  data: z.array(VersionWeightSchema),
});
export type WeightsAnalysis = z.infer<typeof WeightsAnalysisSchema>;

/** `status.analysis`: the four analytics results plus the builtin histograms. */
export const AnalysisSchema = z.looseObject({
  aggregatedBuiltinHists: AggregatedBuiltinHistsSchema.optional(),
  aggregatedMetrics: AggregatedMetricsAnalysisSchema.optional(),
  versionAssessments: VersionAssessmentsAnalysisSchema.optional(),
  winnerAssessment: WinnerAssessmentAnalysisSchema.optional(),
  weights: WeightsAnalysisSchema.optional(),
});
export type Analysis = z.infer<typeof AnalysisSchema>;

/** A Metric resource as the controller embeds it in `status.metrics`. */
export const MetricInfoSchema = z.looseObject({
  name: z.string(),
  metricObj: MetricSchema,
});
export type MetricInfo = z.infer<typeof MetricInfoSchema>;

export const ExperimentStatusSchema = z.looseObject({
  conditions: z.array(ConditionSchema).optional(),
  initTime: TimeSchema.optional(),
  startTime: TimeSchema.optional(),
  lastUpdateTime: TimeSchema.optional(),
  stage: z.enum(["Waiting", "Initializing", "Running", "Finishing", "Completed"]).optional(),
  completedIterations: z.int32().min(0).optional(),
  currentWeightDistribution: z.array(VersionWeightSchema).optional(),
  analysis: AnalysisSchema.optional(),
  versionRecommendedForPromotion: z.string().optional(),
  message: z.string().optional(),
  metrics: z.array(MetricInfoSchema).optional(),
});
export type ExperimentStatus = z.infer<typeof ExperimentStatusSchema>;

/** An `iter8.tools/v2alpha2` Experiment. */
export const ExperimentSchema = z.looseObject({
  apiVersion: z.literal("iter8.tools/v2alpha2"),
  kind: z.literal("Experiment"),
  metadata: ObjectMetaSchema,
  spec: ExperimentSpecSchema,
  status: ExperimentStatusSchema.optional(),
});
export type Experiment = z.infer<typeof ExperimentSchema>;
/** An Experiment as written in a document, before `A/B/n` is folded into `A/B/N`. */
export type ExperimentInput = z.input<typeof ExperimentSchema>;
