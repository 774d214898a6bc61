export {
  QuantityFormat,
  QuantityError,
  QuantityErrorCode,
  QUANTITY_PATTERN,
  parseQuantity,
  isQuantity,
  quantityToNumber,
  formatQuantity,
  numberToQuantity,
} from "./quantity";
export type { Quantity, ParsedQuantity } from "./quantity";
export {
  QuantitySchema,
  NamedValueSchema,
  ObjectMetaSchema,
  ObjectReferenceSchema,
  FreeJsonSchema,
  TimeSchema,
  API_VERSION,
  API_GROUP,
} from "./common";
export type { NamedValue, ObjectMeta, ObjectReference } from "./common";
export {
  MetricType,
  AuthType,
  HttpMethod,
  MockLevelSchema,
  MetricSpecSchema,
  MetricSchema,
} from "./metric";
export type { MockLevel, MetricSpec, MetricSpecInput, Metric, MetricInput } from "./metric";
export {
  TestingPattern,
  TESTING_PATTERNS,
  DeploymentPattern,
  DEPLOYMENT_PATTERNS,
  Stage,
  STAGES,
  ConditionType,
  ConditionStatus,
  PreferredDirection,
  TestingPatternSchema,
  VersionDetailSchema,
  VersionInfoSchema,
  TaskSpecSchema,
  WeightsSchema,
  StrategySchema,
  RewardSchema,
  ObjectiveSchema,
  CriteriaSchema,
  DurationSchema,
  ExperimentSpecSchema,
  ConditionSchema,
  VersionWeightSchema,
  AggregatedMetricValueSchema,
  AggregatedMetricSchema,
  AggregatedMetricsAnalysisSchema,
  AggregatedBuiltinHistsSchema,
  VersionAssessmentsAnalysisSchema,
  WinnerAssessmentDataSchema,
  WinnerAssessmentAnalysisSchema,
  WeightsAnalysisSchema,
  AnalysisSchema,
  MetricInfoSchema,
  ConclusionOutcome,
  ConclusionSchema,
  ExperimentStatusSchema,
  ExperimentSchema,
} from "./experiment";
export type {
  VersionDetail,
  VersionInfo,
  TaskSpec,
  Weights,
  Strategy,
  Reward,
  Objective,
  Criteria,
  Duration,
  ExperimentSpec,
  Condition,
  VersionWeight,
  AggregatedMetricValue,
  AggregatedMetric,
  AggregatedMetricsAnalysis,
  AggregatedBuiltinHists,
  VersionAssessmentsAnalysis,
  WinnerAssessmentData,
  WinnerAssessmentAnalysis,
  WeightsAnalysis,
  Analysis,
  MetricInfo,
  ExperimentStatus,
  Conclusion,
  Experiment,
  ExperimentInput,
} from "./experiment";
export { conditionOf, isConditionTrue } from "./conditions";
export { criteriaMetricRefs } from "./criteria-metric-refs";
export type { CriteriaMetricRef } from "./criteria-metric-refs";
export { EXPERIMENT_DEFAULTS, experimentNamespace, withDefaults, totalIterations, versionNames } from "./defaults";
export { parseMetricRef, normalizeMetricRef, sameMetricRef, isWellFormedRef } from "./metric-ref";
export type { MetricRef } from "./metric-ref";
export { isDnsLabel, isDnsSubdomain } from "./kube-names";
export { IssueCode, formatPath } from "./validation-issue";
export type { ValidationIssue, ParseResult } from "./validation-issue";
export { issuesFromZod } from "./zod-issues";
export { InputLimits, nestingDepth, inputLimitProblem, nestingProblem } from "./input-limits";
export { escapeControls, hasControls } from "./control-characters";
export type { LimitedText } from "./input-limits";
export { readDocuments, parseExperimentSchema, parseMetricSchema, parseExperiment, parseMetric } from "./parse";
export { parseDocuments } from "./parse-documents";
export type { ParsedDocument, DocumentInfo } from "./parse-documents";
export { ACTION_NAMES, validateVersionInfo, validateTasks } from "./experiment-checks";
export type { ActionName, SpecFailure } from "./experiment-checks";
export { SecretSchema, secretValues } from "./secret";
export type { Secret } from "./secret";
export { CRD_GENERATE_COMMAND, crdManifests, crdFiles, crdYaml } from "./crd";
export type { CustomResourceDefinition, CrdFile, CrdOptions } from "./crd";
export { toStructuralSchema, StructuralSchemaError } from "./structural-schema";
export type { JsonSchemaNode } from "./structural-schema";
export { SecretMask, secretForms, SECRET_MASK, MIN_MASKED_LENGTH } from "./secret-mask";
export {
  ReferenceGrantFromSchema,
  ReferenceGrantToSchema,
  ReferenceGrantSpecSchema,
  ReferenceGrantSchema,
  referenceGranted,
  apiGroupOf,
} from "./reference-grant";
export type { ReferenceGrantFrom, ReferenceGrantTo, ReferenceGrantSpec, ReferenceGrant, CrossNamespaceReference } from "./reference-grant";
