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
/** A testing pattern. */
export type TestingPattern = (typeof TestingPattern)[keyof typeof TestingPattern];
/** Every testing pattern, in the canonical spelling. */
export const TESTING_PATTERNS = Object.values(TestingPattern);

/** How traffic moves during the experiment. */
export const DeploymentPattern = {
  FixedSplit: "FixedSplit",
  Progressive: "Progressive",
  BlueGreen: "BlueGreen",
} as const;
/** A deployment pattern. */
export type DeploymentPattern = (typeof DeploymentPattern)[keyof typeof DeploymentPattern];
/** Every deployment pattern. */
export const DEPLOYMENT_PATTERNS = Object.values(DeploymentPattern);

/** Lifecycle stages, in order. */
export const Stage = {
  Waiting: "Waiting",
  Initializing: "Initializing",
  Running: "Running",
  Finishing: "Finishing",
  Completed: "Completed",
} as const;
/** A lifecycle stage. */
export type Stage = (typeof Stage)[keyof typeof Stage];
/** Every stage, in lifecycle order. */
export const STAGES = Object.values(Stage);

/** Condition types the controller maintains. */
export const ConditionType = {
  Completed: "Completed",
  Failed: "Failed",
  TargetAcquired: "TargetAcquired",
} as const;
/** A condition type. */
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** The status of a condition. */
export const ConditionStatus = { True: "True", False: "False", Unknown: "Unknown" } as const;
/** A condition status. */
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/** Whether higher or lower reward values are better. */
export const PreferredDirection = { High: "High", Low: "Low" } as const;
/** A preferred direction. */
export type PreferredDirection = (typeof PreferredDirection)[keyof typeof PreferredDirection];

/** The testing pattern, with the `A/B/n` spelling folded into `A/B/N`. */
export const TestingPatternSchema = z
  .enum(["Canary", "A/B", "A/B/N", "A/B/n", "Conformance"])
  .transform((v): TestingPattern => (v === "A/B/n" ? "A/B/N" : v));

/** One version of the app or model under test. */
export const VersionDetailSchema = z.strictObject({
  name: z.string().min(1).describe("Name of the version; unique within the experiment."),
  variables: z
    .array(NamedValueSchema)
    .optional()
    .describe("Name/value pairs substituted into metric queries and task templates for this version."),
  weightObjRef: ObjectReferenceSchema.optional().describe("The object and field that hold this version's traffic weight."),
});
/** One version of the app or model under test. */
export type VersionDetail = z.infer<typeof VersionDetailSchema>;

/** `spec.versionInfo`: the baseline and the candidates. */
export const VersionInfoSchema = z.strictObject({
  baseline: VersionDetailSchema,
  candidates: z.array(VersionDetailSchema).optional().describe("Conformance: none; Canary and A/B: one; A/B/N: one or more."),
});
/** The versions of an experiment. */
export type VersionInfo = z.infer<typeof VersionInfoSchema>;

/** One step of an action: a named task (`task`) or a bash script (`run`), never both. */
export const TaskSpecSchema = z.strictObject({
  task: z.string().optional().describe("Name of a task such as common/exec or notification/slack; set this or run."),
  run: z.string().optional().describe("A bash script; set this or task."),
  if: z.string().optional().describe("Runs the task only when this condition holds, e.g. CandidateWon()."),
  with: z.record(z.string(), FreeJsonSchema).optional().describe("Inputs of the task."),
});
/** One task of an action. */
export type TaskSpec = z.infer<typeof TaskSpecSchema>;

/** `spec.strategy.weights`: caps on candidate weights. */
export const WeightsSchema = z.strictObject({
  maxCandidateWeight: z.int32().min(0).max(100).optional().describe("Largest weight a candidate may get (default 100)."),
  maxCandidateWeightIncrement: z
    .int32()
    .min(0)
    .max(100)
    .optional()
    .describe("Largest increase of a candidate's weight in one iteration (default 10)."),
});
/** Caps on candidate weights. */
export type Weights = z.infer<typeof WeightsSchema>;

/** `spec.strategy`: testing and deployment patterns, actions and weight caps. */
export const StrategySchema = z.strictObject({
  testingPattern: TestingPatternSchema.describe("How versions are compared: Canary, A/B, A/B/N (or A/B/n) or Conformance."),
  deploymentPattern: z
    .enum(["FixedSplit", "Progressive", "BlueGreen"])
    .optional()
    .describe("How traffic moves: FixedSplit, Progressive (default) or BlueGreen."),
  actions: z
    .record(z.string(), z.array(TaskSpecSchema))
    .optional()
    .describe("Tasks run at the start, after every loop and at the finish of the experiment."),
  weights: WeightsSchema.optional(),
});
/** The strategy of an experiment. */
export type Strategy = z.infer<typeof StrategySchema>;

/** A reward: the metric that decides the winner of an A/B or A/B/N experiment. */
export const RewardSchema = z.strictObject({
  metric: z.string().min(1).describe("Metric reference, namespace/name or name."),
  preferredDirection: z.enum(["High", "Low"]).describe("Whether higher or lower values are better."),
});
/** A reward metric and its preferred direction. */
export type Reward = z.infer<typeof RewardSchema>;

/** An objective: limits a metric must stay within for a version to be acceptable. */
export const ObjectiveSchema = z.strictObject({
  metric: z.string().min(1).describe("Metric reference, namespace/name or name."),
  upperLimit: QuantitySchema.optional().describe("Largest acceptable value (inclusive)."),
  lowerLimit: QuantitySchema.optional().describe("Smallest acceptable value (inclusive)."),
  rollback_on_failure: z
    .boolean()
    .optional()
    .describe("Roll back when any version fails this objective (default true only for BlueGreen)."),
});
/** An objective. */
export type Objective = z.infer<typeof ObjectiveSchema>;

/** `spec.criteria`: rewards, objectives, indicators and the request counter. */
export const CriteriaSchema = z.strictObject({
  requestCount: z.string().optional().describe("Metric reference of the request counter."),
  rewards: z.array(RewardSchema).optional().describe("The reward metric of an A/B or A/B/N experiment (exactly one)."),
  indicators: z.array(z.string()).optional().describe("Metric references that are only reported."),
  objectives: z.array(ObjectiveSchema).optional().describe("Limits every version must satisfy."),
  strength: FreeJsonSchema.optional(),
});
/** The criteria of an experiment. */
export type Criteria = z.infer<typeof CriteriaSchema>;

/** `spec.duration`: iteration interval, iterations per loop and loops. */
export const DurationSchema = z.strictObject({
  intervalSeconds: z.int32().min(1).optional().describe("Seconds between iterations (default 20)."),
  iterationsPerLoop: z.int32().min(1).optional().describe("Iterations in one loop (default 15)."),
  maxLoops: z.int32().min(1).optional().describe("Number of loops (default 1)."),
});
/** The duration of an experiment. */
export type Duration = z.infer<typeof DurationSchema>;

/** `spec` of an Experiment. Strict: an unknown field is an error. */
export const ExperimentSpecSchema = z.strictObject({
  target: z.string().min(1).describe("What is being experimented on; experiments with the same target run one at a time."),
  versionInfo: VersionInfoSchema.optional().describe("The baseline and candidate versions."),
  strategy: StrategySchema,
  criteria: CriteriaSchema.optional(),
  duration: DurationSchema.optional(),
});
/** The spec of an Experiment. */
export type ExperimentSpec = z.infer<typeof ExperimentSpecSchema>;

// ---------------------------------------------------------------------------------------------
// status

/** One entry of `status.conditions`. */
export const ConditionSchema = z.looseObject({
  type: z.enum(["Completed", "Failed", "TargetAcquired"]),
  status: z.enum(["True", "False", "Unknown"]),
  lastTransitionTime: TimeSchema.optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
/** A status condition. */
export type Condition = z.infer<typeof ConditionSchema>;

const analysisMeta = {
  provenance: z.string(),
  timestamp: TimeSchema,
  message: z.string().nullish(),
};

/** The traffic weight of one version (observed or recommended). */
export const VersionWeightSchema = z.looseObject({
  name: z.string(),
  value: z.int32(),
});
/** A version's weight. */
export type VersionWeight = z.infer<typeof VersionWeightSchema>;

/** The value of one metric for one version. */
export const AggregatedMetricValueSchema = z.looseObject({
  max: QuantitySchema.nullish(),
  min: QuantitySchema.nullish(),
  value: QuantitySchema.nullish(),
  sampleSize: z.int32().min(0).nullish(),
});
/** A metric value of one version. */
export type AggregatedMetricValue = z.infer<typeof AggregatedMetricValueSchema>;

/** The values of one metric for every version. */
export const AggregatedMetricSchema = z.looseObject({
  max: QuantitySchema.nullish(),
  min: QuantitySchema.nullish(),
  data: z.record(z.string(), AggregatedMetricValueSchema),
});
/** A metric's values per version. */
export type AggregatedMetric = z.infer<typeof AggregatedMetricSchema>;

/** `status.analysis.aggregatedMetrics`: metric values keyed by `namespace/name`. */
export const AggregatedMetricsAnalysisSchema = z.looseObject({
  ...analysisMeta,
  data: z.record(z.string(), AggregatedMetricSchema),
});
/** Aggregated metrics. */
export type AggregatedMetricsAnalysis = z.infer<typeof AggregatedMetricsAnalysisSchema>;

/** `status.analysis.aggregatedBuiltinHists`: load-generator histograms per version (free JSON). */
export const AggregatedBuiltinHistsSchema = z.looseObject({
  ...analysisMeta,
  data: FreeJsonSchema,
});
/** Builtin histograms. */
export type AggregatedBuiltinHists = z.infer<typeof AggregatedBuiltinHistsSchema>;

/** `status.analysis.versionAssessments`: per version, whether it meets each objective. */
export const VersionAssessmentsAnalysisSchema = z.looseObject({
  ...analysisMeta,
  data: z.record(z.string(), z.array(z.boolean())),
});
/** Version assessments. */
export type VersionAssessmentsAnalysis = z.infer<typeof VersionAssessmentsAnalysisSchema>;

/** Whether a winner was found, which, and the versions tied for best. */
export const WinnerAssessmentDataSchema = z.looseObject({
  winnerFound: z.boolean(),
  winner: z.string().nullish(),
  bestVersions: z.array(z.string()).nullish(),
});
/** Winner assessment data. */
export type WinnerAssessmentData = z.infer<typeof WinnerAssessmentDataSchema>;

/** `status.analysis.winnerAssessment`. */
export const WinnerAssessmentAnalysisSchema = z.looseObject({
  ...analysisMeta,
  data: WinnerAssessmentDataSchema,
});
/** Winner assessment. */
export type WinnerAssessmentAnalysis = z.infer<typeof WinnerAssessmentAnalysisSchema>;

/** `status.analysis.weights`: the recommended traffic split. */
export const WeightsAnalysisSchema = z.looseObject({
  ...analysisMeta,
  data: z.array(VersionWeightSchema),
});
/** Recommended weights. */
export type WeightsAnalysis = z.infer<typeof WeightsAnalysisSchema>;

/** `status.analysis`: the four analytics results plus the builtin histograms. */
export const AnalysisSchema = z.looseObject({
  aggregatedBuiltinHists: AggregatedBuiltinHistsSchema.optional(),
  aggregatedMetrics: AggregatedMetricsAnalysisSchema.optional(),
  versionAssessments: VersionAssessmentsAnalysisSchema.optional(),
  winnerAssessment: WinnerAssessmentAnalysisSchema.optional(),
  weights: WeightsAnalysisSchema.optional(),
});
/** The analysis of an experiment. */
export type Analysis = z.infer<typeof AnalysisSchema>;

/** A Metric resource as the controller embeds it in `status.metrics`. */
export const MetricInfoSchema = z.looseObject({
  name: z.string(),
  metricObj: MetricSchema,
});
/** A metric embedded in the status. */
export type MetricInfo = z.infer<typeof MetricInfoSchema>;

/** How an experiment ends. */
export const ConclusionOutcome = {
  /** Every iteration ran; the latest winner (or the baseline when there is none) is promoted. */
  Completed: "Completed",
  /** An objective marked `rollback_on_failure` was violated; the baseline is promoted. */
  RolledBack: "RolledBack",
  /** The experiment failed; the baseline is promoted. */
  Failed: "Failed",
} as const;
export type ConclusionOutcome = (typeof ConclusionOutcome)[keyof typeof ConclusionOutcome];

/**
 * `status.conclusion` (not in the original API): how the experiment ends and why, decided before
 * the finish, rollback or failure action runs, so that the action can tell a rollback from a
 * completion. `status.versionRecommendedForPromotion` names the version that is promoted.
 */
export const ConclusionSchema = z.looseObject({
  outcome: z.enum([ConclusionOutcome.Completed, ConclusionOutcome.RolledBack, ConclusionOutcome.Failed]),
  /** A sentence: what decided the outcome and which version is promoted. */
  reason: z.string(),
});
/** How an experiment ends and why. */
export type Conclusion = z.infer<typeof ConclusionSchema>;

/** `status` of an Experiment. Loose: fields added by newer controllers are kept. */
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
  conclusion: ConclusionSchema.optional(),
  message: z.string().optional(),
  metrics: z.array(MetricInfoSchema).optional(),
});
/** The status of an Experiment. */
export type ExperimentStatus = z.infer<typeof ExperimentStatusSchema>;

/** An `iter8.tools/v2alpha2` Experiment. */
export const ExperimentSchema = z.looseObject({
  apiVersion: z.literal("iter8.tools/v2alpha2"),
  kind: z.literal("Experiment"),
  metadata: ObjectMetaSchema,
  spec: ExperimentSpecSchema,
  status: ExperimentStatusSchema.optional(),
});
/** An Experiment after parsing (`A/B/n` folded into `A/B/N`). */
export type Experiment = z.infer<typeof ExperimentSchema>;
/** An Experiment as written in a document, before `A/B/n` is folded into `A/B/N`. */
export type ExperimentInput = z.input<typeof ExperimentSchema>;
