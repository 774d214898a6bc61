/**
 * Local mode of iter8ts as a library: the engine's ports kept in files (experiments, metrics,
 * secrets and routing objects in YAML or JSON documents, status and weights written back in
 * place), actions run in this process, metrics queried from their backends, and a dry run with
 * mock metrics, simulated time and described actions. `runLocal` wires them to the engine;
 * `iter8ctl run`, the demo and the end-to-end suite use it.
 */
export { runLocal, LocalRunOutcome, STATE_FOLDER, STAND_INS_FILE } from "./run-local";
export type { LocalRunOptions, LocalRunProgress, LocalRunResult } from "./run-local";
export { LocalRunError, LocalRunErrorCode } from "./local-run-error";
export { resolveRunPaths } from "./resolve-run-paths";
export type { RunPaths } from "./resolve-run-paths";
export { diskDocumentFiles, MemoryDocumentFiles } from "./document-files";
export type { DocumentFiles } from "./document-files";
export { LocalDocuments, contentVersion, describeMatch } from "./local-documents";
export type { LocalObject, ObjectMatch, UpdateResult } from "./local-documents";
export { LocalExperimentStore } from "./local-experiment-store";
export { LocalResourceClient } from "./local-resource-client";
export { LocalMetricsSource } from "./local-metrics-source";
export { LocalActionRunner } from "./local-action-runner";
export type { ActionRunRecord, ActionStateFile, LocalActionRunnerOptions } from "./local-action-runner";
export { DryRunMetricsSource, dryRunMock } from "./dry-run-metrics-source";
export { DryRunActionRunner } from "./dry-run-action-runner";
export { weightStandIns } from "./weight-stand-ins";
export type { WeightStandIn } from "./weight-stand-ins";
export { acquireRunLock } from "./run-lock";
export type { RunLock } from "./run-lock";
export { WakeableClock } from "./wakeable-clock";
export { ACTION_LOG_FILE, ActionLogWriter } from "./action-log";
export { readLocalActionLog } from "./local-action-logs";
export type { LocalActionLog, LocalActionLogOptions } from "./local-action-logs";
export { EXEC_TASKS, listExecCommands, describeExecCommand } from "./exec-commands";
export type { ExecCommand } from "./exec-commands";
export { PASSED_VARIABLES, DEFAULT_PATH, taskEnvironment } from "./task-environment";
export { analyzeDocuments, embedMetrics, readMetricDocuments, readSecretDocuments, repairableForAnalysis, repairForAnalysis } from "./analyze-documents";
export type { AnalyzeDocumentsOptions, AnalyzeDocumentsResult, DocumentsRead, MissingMetric } from "./analyze-documents";
