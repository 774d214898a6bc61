/** The results of a reconcile that did not get as far as a step, and what every reconcile does last. */
import { EngineError, errorMessage } from "./engine-error";
import type { EngineSettings } from "./engine-settings";
import type { EngineEvent, EventSink, ExperimentKey, ExperimentStore } from "./ports";
import { ReconcileOutcome, type ReconcileResult } from "./reconcile-outcome";
import type { RecordedChange } from "./record-condition";
import { formatKey, nextInQueue } from "./target-queue";

/**
 * Emits one event per condition change, with the stage and outcome of the reconcile that stored
 * it; a failing sink never undoes a stored decision.
 */
export function emitChanges(
  events: EventSink | undefined,
  key: ExperimentKey,
  changes: readonly RecordedChange[],
  time: string,
  context: Pick<EngineEvent, "stage" | "outcome"> = {},
): void {
  if (!events) return;
  for (const change of changes) {
    try {
      events.emit({ experiment: key, type: change.type, reason: change.reason, message: change.message, time, ...context });
    } catch {
      // An event sink failing must not undo a decision that is already stored.
    }
  }
}

/** The experiments next in line for `targets` (every target when none is given), once `key` is done with them. */
export async function wakeAfter(store: ExperimentStore, key: ExperimentKey, targets: string[]): Promise<ExperimentKey[]> {
  try {
    const all = await store.listExperiments(targets.length === 1 ? { target: targets[0] } : {});
    return nextInQueue(targets.length > 0 ? targets : all.map((e) => e.spec.target), all, key);
  } catch {
    // Waiting experiments look again every `waitingRecheckMs`, so a missed wake-up only delays them.
    return [];
  }
}

/** The store failed, kept conflicting, or the step threw: nothing was written; try again later. */
export function storeError(
  settings: Pick<EngineSettings, "storeRetryMs">,
  key: ExperimentKey,
  error: unknown,
  code: "StoreUnavailable" | "WriteConflict" | "Unexpected",
): ReconcileResult {
  const message =
    code === "WriteConflict"
      ? `The status of experiment ${formatKey(key)} kept changing during the reconcile; it will be tried again.`
      : code === "Unexpected"
        ? `Reconciling experiment ${formatKey(key)} failed unexpectedly: ${errorMessage(error)}`
        : `The store could not be reached for experiment ${formatKey(key)}: ${errorMessage(error)}; it will be tried again.`;
  return {
    key,
    outcome: ReconcileOutcome.StoreError,
    requeueAfterMs: settings.storeRetryMs,
    wake: [],
    error: new EngineError(code, message, { cause: error }),
  };
}

/** The reconcile's deadline passed: nothing was written. */
export function aborted(key: ExperimentKey, signal: AbortSignal): ReconcileResult {
  const why = signal.reason instanceof Error ? `: ${signal.reason.message}` : "";
  return {
    key,
    outcome: ReconcileOutcome.Aborted,
    wake: [],
    error: new EngineError("ReconcileAborted", `The reconcile of experiment ${formatKey(key)} was stopped before it finished${why}; nothing was written and it will be tried again.`, { cause: signal.reason }),
  };
}
