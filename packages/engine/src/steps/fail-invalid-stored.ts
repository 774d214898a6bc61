import { ConclusionOutcome, isConditionTrue } from "@iter8ts/types";
import { explainFailure } from "../decision-record";
import type { EngineSettings } from "../engine-settings";
import { parseEngineStatus, type EngineStatus } from "../engine-status";
import type { InvalidStoredExperimentError } from "../invalid-stored-experiment";
import type { EnginePorts, ExperimentKey } from "../ports";
import { Message, Reason } from "../reasons";
import { ReconcileOutcome, type ReconcileResult } from "../reconcile-outcome";
import { emitChanges, storeError, wakeAfter } from "../reconcile-results";
import { RecordKind, initialConditions, recordCondition, type RecordedChange } from "../record-condition";

/**
 * Ends an experiment the store could not parse (its spec breaks the schema) as failed, naming
 * what is wrong: reading it again would give the same answer until someone edits it, and an
 * edit starts a new reconcile. There is no spec to make a turn of, so this writes the status itself.
 */
export async function failInvalidStored(
  ports: Pick<EnginePorts, "store" | "clock" | "events">,
  settings: Pick<EngineSettings, "storeRetryMs">,
  key: ExperimentKey,
  invalid: InvalidStoredExperimentError,
): Promise<ReconcileResult> {
  const { store, clock } = ports;
  let status: EngineStatus;
  try {
    status = parseEngineStatus(JSON.stringify(invalid.status ?? {}));
  } catch {
    // A status too deep to copy is replaced, as a hand-edited one would be.
    status = {};
  }
  if (isConditionTrue(status, "Completed")) return { key, outcome: ReconcileOutcome.Completed, wake: [] };
  const time = clock.now().toISOString();
  const changes: RecordedChange[] = [];
  const note = (kind: RecordKind, reason: string, message: string) => {
    const change = recordCondition(status, kind, reason, message, time);
    if (change) changes.push(change);
  };
  if (!status.initTime) {
    status.conditions = initialConditions(time);
    status.initTime = time;
    status.lastUpdateTime = time;
    status.completedIterations = 0;
  }
  note(RecordKind.Failed, Reason.InvalidExperiment, invalid.message);
  status.stage = "Completed";
  note(RecordKind.Progress, Reason.StageAdvanced, Message.advancedTo("Completed"));
  note(RecordKind.Completed, Reason.ExperimentCompleted, Message.failed);
  delete status.retry;
  delete status.versionRecommendedForPromotion;
  status.conclusion = { outcome: ConclusionOutcome.Failed, reason: `${explainFailure(Reason.InvalidExperiment, invalid.message)} No version is recommended for promotion.` };
  let written;
  try {
    written = await store.writeStatus(key, status, invalid.resourceVersion);
  } catch (error) {
    return storeError(settings, key, error, "StoreUnavailable");
  }
  if (written.kind === "conflict") return storeError(settings, key, undefined, "WriteConflict");
  if (written.kind === "notFound") return { key, outcome: ReconcileOutcome.NotFound, wake: await wakeAfter(store, key, []) };
  emitChanges(ports.events, key, changes, time, { stage: "Completed", outcome: ReconcileOutcome.Completed });
  return { key, outcome: ReconcileOutcome.Completed, stage: "Completed", wake: await wakeAfter(store, key, []) };
}
