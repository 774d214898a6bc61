import type { TaskEvent } from "@iter8ts/tasks";
import type { Experiment } from "@iter8ts/types";

/** Priorities of Iter8 logs: 1 errors, 2 warnings and skipped work, 3 progress. */
export const LogPriority = { Error: 1, Warning: 2, Info: 3 } as const;
export type LogPriority = (typeof LogPriority)[keyof typeof LogPriority];

/**
 * One line of action output in the Iter8Log format Iter8's `iter8ctl debug` reads from the task
 * runner's pod logs, plus the `action` and `runId` of this run.
 */
export interface Iter8Log {
  isIter8Log: true;
  experimentName: string;
  experimentNamespace: string;
  source: "task-runner";
  priority: LogPriority;
  message: string;
  /** Orders logs of one experiment: 0 for the start action, then the loop the experiment is in. */
  precedence: number;
  action: string;
  runId?: string;
}

/**
 * The precedence Iter8 gave an action's logs: 0 for `start`, otherwise
 * `completedIterations / iterationsPerLoop + 1` (integer division, iterationsPerLoop default 15).
 */
export function logPrecedence(action: string, experiment: Experiment | undefined): number {
  if (action === "start" || !experiment) return 0;
  const perLoop = experiment.spec.duration?.iterationsPerLoop ?? 15;
  const completed = experiment.status?.completedIterations ?? 0;
  return Math.floor(completed / Math.max(1, perLoop)) + 1;
}

function where(location: { index: number; task: string }): string {
  return `task ${location.index + 1} (${location.task})`;
}

/** The log line for a task runner event, or `undefined` for events not worth a line. */
export function taskEventMessage(event: TaskEvent): { priority: LogPriority; message: string } | undefined {
  switch (event.type) {
    case "action-started":
      return { priority: LogPriority.Info, message: `action ${event.action} started with ${event.tasks} task${event.tasks === 1 ? "" : "s"}` };
    case "task-started":
      return { priority: LogPriority.Info, message: `${where(event.location)} started` };
    case "task-skipped":
      return { priority: LogPriority.Warning, message: `${where(event.location)} skipped: its condition ${JSON.stringify(event.condition)} is false` };
    case "task-output":
      return { priority: LogPriority.Info, message: `${where(event.location)} ${event.stream}: ${event.line}` };
    case "task-log":
      return { priority: event.level === "warning" ? LogPriority.Warning : LogPriority.Info, message: `${where(event.location)}: ${event.message}` };
    case "task-succeeded":
      return { priority: LogPriority.Info, message: `${where(event.location)} succeeded` };
    case "task-failed":
      return { priority: LogPriority.Error, message: event.error.message };
    case "action-finished":
      return event.ok ? { priority: LogPriority.Info, message: `action ${event.action} succeeded` } : undefined;
  }
}
