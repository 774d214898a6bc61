/** Why a task or an action failed. */
export const TaskErrorCode = {
  /** The task spec has both or neither of `task` and `run`. */
  InvalidTask: "invalid_task",
  /** No task of that name is registered. */
  UnknownTask: "unknown_task",
  /** A `with` input is missing or has the wrong type; the message names the field. */
  InvalidInput: "invalid_input",
  /** The `if` condition does not parse or does not give true or false. */
  InvalidCondition: "invalid_condition",
  /** A template does not compile or does not render. */
  TemplateError: "template_error",
  /** The task runs processes and this runtime does not allow that. */
  ExecDisabled: "exec_disabled",
  /** The runtime did not provide what the task needs (a resource client, a load generator). */
  MissingDependency: "missing_dependency",
  /** The secret the task names could not be read, or lacks a key. */
  SecretUnavailable: "secret_unavailable",
  /** The task ran and failed: a process exited non-zero, a request failed, objects never got ready. */
  TaskFailed: "task_failed",
  /** The task ran longer than its timeout. */
  Timeout: "timeout",
  /** The action was cancelled. */
  Aborted: "aborted",
} as const;
export type TaskErrorCode = (typeof TaskErrorCode)[keyof typeof TaskErrorCode];

/** Where in an action a task sits. */
export interface TaskLocation {
  action: string;
  /** 0-based position in the action's task list. */
  index: number;
  /** The task's name (`common/exec`), or `run` for a script. */
  task: string;
}

/**
 * A task that could not run or failed. The message starts with the action, the task's position
 * (1-based, as a user counts) and its name, then says what went wrong and what to do. Secret
 * values never appear in it.
 */
export class TaskError extends Error {
  override readonly name = "TaskError";
  constructor(
    readonly code: TaskErrorCode,
    message: string,
    readonly location?: TaskLocation,
    options?: { cause?: unknown },
  ) {
    super(location ? `${describeTask(location)}: ${message}` : message, options);
  }

  /** True when running the action again may succeed (a timeout or a failure of the task's work). */
  get retryable(): boolean {
    return this.code === TaskErrorCode.Timeout || this.code === TaskErrorCode.TaskFailed || this.code === TaskErrorCode.SecretUnavailable;
  }
}

/** `action "finish", task 2 (common/exec)`. */
export function describeTask(location: TaskLocation): string {
  return `action ${JSON.stringify(location.action)}, task ${location.index + 1} (${location.task})`;
}
