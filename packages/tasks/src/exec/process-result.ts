import { TaskError, TaskErrorCode } from "../task-error";
import type { TaskRunOutput } from "../task-definition";
import type { ProcessOutcome } from "./run-process";

const TAIL_LINES = 10;
const TAIL_CHARS = 2000;

function tail(output: string): string {
  const lines = output.trimEnd().split("\n").slice(-TAIL_LINES).join("\n");
  return lines.length > TAIL_CHARS ? `…${lines.slice(-TAIL_CHARS)}` : lines;
}

/**
 * Turns a finished process into a task result: its output when it exited with 0, otherwise a
 * task error that says how it ended and quotes the end of its output (the full bounded output
 * stays in the task's outcome).
 */
export function processResult(outcome: ProcessOutcome, label: string): TaskRunOutput {
  if (outcome.spawnError) {
    const code = (outcome.spawnError as NodeJS.ErrnoException).code;
    const hint = code === "ENOENT" ? "; check that it is installed and on PATH" : "";
    throw new TaskError(TaskErrorCode.TaskFailed, `could not start ${label}: ${outcome.spawnError.message}${hint}`, undefined, { cause: outcome });
  }
  if (outcome.exitCode === 0) return { output: outcome.output, truncated: outcome.truncated };
  const how = outcome.exitCode === null ? `was stopped by ${outcome.signalName}` : `exited with status ${outcome.exitCode}`;
  const last = tail(outcome.output);
  throw new TaskError(TaskErrorCode.TaskFailed, `${label} ${how}${last ? `; output ended with:\n${last}` : " without output"}`, undefined, { cause: outcome });
}
