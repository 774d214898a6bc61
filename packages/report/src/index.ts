// @iter8ts/report: the read model of Iter8 experiments. What happened to an experiment, read from
// its spec and status only: no I/O, no clock of its own. The HTML page is under @iter8ts/report/html.

// The experiment's outcome: Completed, RolledBack, Failed (or not started, in progress).
export { experimentOutcome, ExperimentOutcome } from "./outcome/experiment-outcome";
export type { ExperimentOutcomeReading } from "./outcome/experiment-outcome";

// Describe: a summary of spec and status, and its text rendering (iter8ctl describe).
export { summarizeExperiment } from "./describe/summarize-experiment";
export type {
  ExperimentSummary,
  MetricSummary,
  ObjectiveSummary,
  QuantityValue,
  RewardSummary,
  WinnerSummary,
} from "./describe/summarize-experiment";
export { renderDescription, conditionText } from "./describe/render-description";
export { renderTable, headerTitle, MAX_CELL_WIDTH } from "./describe/render-table";
export { formatDecimal } from "./describe/format-decimal";
export { displayWidth, wrapText } from "./describe/wrap-text";

// Assert: conditions on an experiment, checked once or until they hold.
export {
  AssertCondition,
  ASSERT_CONDITIONS,
  AssertUsageError,
  AssertUsageErrorCode,
  parseConditions,
  evaluateCondition,
  evaluateConditions,
} from "./assert/conditions";
export type { ConditionResult } from "./assert/conditions";
export { waitForConditions } from "./assert/wait-for-conditions";
export type { AssertOutcome, WaitOptions } from "./assert/wait-for-conditions";
export { ExperimentLoadError, ExperimentLoadErrorCode } from "./assert/experiment-source";
export type { ExperimentSource, LoadedExperiment } from "./assert/experiment-source";

// Report data: everything the report page shows, as data.
export {
  extractReportData,
  readableAnalyticsMessage,
  ReportSource,
  WeightsKind,
} from "./report/extract-report-data";
export type {
  DecisionRow,
  ExperimentOverview,
  MetricData,
  ObjectiveData,
  ReportData,
  ReportSeries,
  WeightsData,
} from "./report/extract-report-data";
export { explainWinner, describeObjective } from "./report/explain-winner";
export { readStatisticsEvidence } from "./report/statistics-evidence";
export type { GroupSequentialLook, ObjectiveStatistics, SequentialTestStatistics, StatisticsEvidence, VersionStatistics } from "./report/statistics-evidence";
export { formatNumber } from "./report/format-number";

// Iter8Log lines of an experiment's actions (iter8ctl debug).
export { parseIter8Logs, selectDebugLogs } from "./logs/iter8-logs";
export type { DebugLog } from "./logs/iter8-logs";
