/** Taking the target: one experiment per target at a time, first come first served. */
import type { Experiment } from "@iter8ts/types";
import { EngineError, errorMessage } from "../engine-error";
import { RetryStep } from "../engine-status";
import { Message, Reason } from "../reasons";
import { ReconcileOutcome, progressed, type StepOutcome } from "../reconcile-outcome";
import { RecordKind } from "../record-condition";
import { decideTarget, formatKey } from "../target-queue";
import { record, setStage, type Turn } from "../turn";
import { guardReferences, specReferences } from "./references";
import { clearRetry } from "./retry";

/** Experiments competing for this one's target; a store failure aborts the reconcile. */
async function listTarget(turn: Turn): Promise<Experiment[]> {
  const target = turn.spec.spec.target;
  try {
    return await turn.ports.store.listExperiments({ target });
  } catch (error) {
    throw new EngineError("StoreUnavailable", `Experiments with target ${target} could not be listed: ${errorMessage(error)}`, { cause: error });
  }
}

function waiting(turn: Turn): StepOutcome {
  return { outcome: ReconcileOutcome.Waiting, requeueAfterMs: turn.settings.waitingRecheckMs };
}

/** Takes the target when this experiment is first in line for it, else waits. */
export async function acquireTarget(turn: Turn): Promise<StepOutcome> {
  // Before the target is taken or any action runs: nothing of a refused object is ever read.
  const refused = await guardReferences(turn, RetryStep.References, specReferences(turn));
  if (refused) return refused;
  clearRetry(turn, RetryStep.References);
  const decision = decideTarget({ ...turn.stored, status: turn.status }, await listTarget(turn));
  if (decision?.kind !== "acquire") return waiting(turn);
  record(turn, RecordKind.Target, Reason.TargetAcquired, "");
  return progressed();
}

/**
 * Confirms the target before starting work: with stale reads two experiments can both have
 * taken it, and the one behind in the queue steps back.
 */
export async function advanceToInitializing(turn: Turn): Promise<StepOutcome> {
  const decision = decideTarget({ ...turn.stored, status: turn.status }, await listTarget(turn));
  if (decision?.kind === "release") {
    record(turn, RecordKind.TargetReleased, Reason.TargetReleased, Message.targetReleased(turn.spec.spec.target, formatKey(decision.holder)));
    return waiting(turn);
  }
  setStage(turn, "Initializing");
  return progressed();
}
