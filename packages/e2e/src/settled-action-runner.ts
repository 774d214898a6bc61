import type { ActionRequest } from "@iter8ts/engine";
import { LocalActionRunner, MemoryDocumentFiles } from "@iter8ts/local";
import type { ActionResult, TaskRunner } from "@iter8ts/tasks";

/** One action the runner ran, with its result. */
export interface FinishedAction {
  request: ActionRequest;
  result: ActionResult;
}

/**
 * Local mode's action runner for runs on a simulated clock: its state in memory, and, since
 * tasks do real work (processes, HTTP on loopback) in real time while the simulated clock would
 * race through the engine's polls and time the action out, asking for the state of a running
 * action waits until it has ended, up to `maxWaitMs` of real time (see `settleWithinMs`).
 * `finished` lists every action that ended, in the order they ended.
 */
export async function openSettledActionRunner(
  tasks: TaskRunner,
  options: { maxWaitMs?: number } = {},
): Promise<{ runner: LocalActionRunner; finished: FinishedAction[] }> {
  const finished: FinishedAction[] = [];
  const runner = await LocalActionRunner.open({
    files: new MemoryDocumentFiles(),
    statePath: "actions.json",
    taskRunner: () => tasks,
    onFinished: (request, result) => finished.push({ request: structuredClone(request), result }),
    settleWithinMs: options.maxWaitMs ?? 60_000,
  });
  return { runner, finished };
}
