/**
 * Tasks of Iter8 experiment actions: a registry and a runner (ordered tasks, `if` conditions,
 * timeouts, cancellation, bounded and redacted output), the builtin tasks, Go templates rendered
 * with Handlebars, and conditions.
 */
export { TaskRunner } from "./task-runner";
export type { TaskRunnerOptions, TaskEvent, TaskOutcome, ActionResult, TaskIssue } from "./task-runner";
export { createTaskRegistry, createTaskRunner } from "./create-task-registry";
export { InProcessActionRunner } from "./in-process-action-runner";
export type { ActionStart, ActionState, InProcessActionRunnerOptions } from "./in-process-action-runner";
export { TaskRegistry } from "./task-registry";
export { defineTask } from "./task-definition";
export type { TaskDefinition, TaskContext, TaskRunOutput, StatusUpdate, CollectFunction, SecretSource, ExecOptions } from "./task-definition";
export { TaskError, TaskErrorCode, describeTask } from "./task-error";
export type { TaskLocation } from "./task-error";
export { parseTaskInputs } from "./task-inputs";
export type { TaskInputsResult } from "./task-inputs";
export { compileCondition, evaluateCondition, validateCondition, winnerFound, candidateWon, rolledBack } from "./condition/condition";
export type { CompiledCondition, ConditionCheck } from "./condition/condition";
export { ConditionError, ConditionErrorCode } from "./condition/condition-error";
export { compileGoTemplate, renderGoTemplate } from "./template/lazy-go-template";
export type { GoTemplate } from "./template/go-template";
export { TemplateDelimiters } from "./template/go-template-translate";
export type { GoTemplateOptions, RenderContext } from "./template/go-template-translate";
export { TemplateError, TemplateErrorCode } from "./template/template-error";
export { legacyTemplateData, notificationTemplateData, goExperimentView, goFieldName } from "./template/template-data";
export { runTask } from "./builtin/run-task";
export { execTask } from "./builtin/exec-task";
export { bashTask } from "./builtin/bash-task";
export { readinessTask, parseWaitFor } from "./builtin/readiness-task";
export type { WaitFor } from "./builtin/readiness-task";
export { promoteKubectlTask } from "./builtin/promote-kubectl-task";
export { httpTask, defaultNotificationBody, HTTP_NOTIFICATION_TIMEOUT_MS } from "./builtin/http-task";
export { slackTask, slackMessage } from "./builtin/slack-task";
export type { SlackMessage } from "./builtin/slack-task";
export { collectTask, COLLECT_PROVENANCE } from "./builtin/collect-task";
export type { ProcessOutcome } from "./exec/run-process";
export { LogPriority, logPrecedence, taskEventMessage } from "./iter8-log";
export type { Iter8Log } from "./iter8-log";
