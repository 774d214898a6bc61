import type { TaskContext } from "../task-definition";
import { TaskError, TaskErrorCode } from "../task-error";

/**
 * Runs a notification. With `ignoreFailure` (the default of both notification tasks), a failure
 * becomes a warning in the task's outcome and the action goes on, as in the original; otherwise
 * it fails the task.
 */
export async function notify(context: TaskContext, ignoreFailure: boolean, send: () => Promise<string>): Promise<{ output: string }> {
  try {
    return { output: await send() };
  } catch (error) {
    if (context.signal.aborted) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    if (ignoreFailure) {
      context.log("warning", `notification failed and was ignored (ignoreFailure is true): ${reason}`);
      return { output: "" };
    }
    if (error instanceof TaskError) throw error;
    throw new TaskError(TaskErrorCode.TaskFailed, `notification failed: ${reason}`, undefined, { cause: error });
  }
}

/** Reads at most `limit` characters of a response body, for messages. */
export async function bodyHead(response: Response, limit = 200): Promise<string> {
  try {
    const text = (await response.text()).trim();
    return text.length > limit ? `${text.slice(0, limit)}…` : text;
  } catch {
    return "";
  }
}
