/**
 * The experiment lifecycle. `reconcile(key)` reads one experiment, decides one step from its
 * spec and status (see `nextStep`), performs that step's side effects through the ports (see
 * `perform` and `steps/`), writes the status guarded by the resourceVersion it read, and says
 * when to come back. The engine keeps nothing in memory between calls, so any number of
 * restarts leave the outcome unchanged.
 */
import { withDefaults, type Experiment } from "@iter8ts/types";
import { resolveSettings, type EngineOptions } from "./engine-settings";
import { EngineError } from "./engine-error";
import { parseEngineStatus } from "./engine-status";
import { isInvalidStoredExperiment } from "./invalid-stored-experiment";
import { nextStep } from "./next-step";
import type { EnginePorts, ExperimentKey } from "./ports";
import { ReconcileOutcome, type ReconcileResult, type StepOutcome } from "./reconcile-outcome";
import { aborted, emitChanges, storeError, wakeAfter } from "./reconcile-results";
import { perform } from "./step-handlers";
import { failInvalidStored } from "./steps/fail-invalid-stored";
import type { Turn } from "./turn";

/** Options of one reconcile. */
export interface ReconcileOptions {
  /**
   * Aborted when the reconcile must stop (the runtime's deadline per reconcile): metric queries
   * and weight writes still running are cancelled and nothing is written.
   */
  signal?: AbortSignal;
}

/** The lifecycle engine. */
export interface Engine {
  /** Performs the next step of one experiment. Never throws. */
  reconcile(key: ExperimentKey, options?: ReconcileOptions): Promise<ReconcileResult>;
}

/** Creates an engine over the given ports. */
export function createEngine(ports: EnginePorts, options: EngineOptions = {}): Engine {
  const settings = resolveSettings(options);
  const { store, clock } = ports;

  async function reconcile(key: ExperimentKey, { signal }: ReconcileOptions = {}): Promise<ReconcileResult> {
    for (let round = 0; round <= settings.conflictRetries; round++) {
      // read
      let stored: Experiment | undefined;
      try {
        stored = await store.getExperiment(key);
      } catch (error) {
        if (isInvalidStoredExperiment(error)) return failInvalidStored(ports, settings, key, error);
        return storeError(settings, key, error, "StoreUnavailable");
      }
      if (!stored) return { key, outcome: ReconcileOutcome.NotFound, wake: await wakeAfter(store, key, []) };

      // decide and act
      const now = clock.now();
      let turn: Turn;
      let outcome: StepOutcome;
      let before: string;
      try {
        before = JSON.stringify(stored.status ?? {});
        const status = parseEngineStatus(before);
        const { status: _stored, ...withoutStatus } = stored;
        const spec = withDefaults(withoutStatus as Experiment);
        turn = { key, stored, spec, status, now, time: now.toISOString(), changes: [], ended: false, signal, ports, settings };
        outcome = await perform(turn, nextStep(spec, status, now, settings.validateActions));
      } catch (error) {
        if (signal?.aborted) return aborted(key, signal);
        return storeError(settings, key, error, error instanceof EngineError ? "StoreUnavailable" : "Unexpected");
      }
      // A step cut short by the deadline saw cancelled queries, not the backends' answers: none
      // of it is recorded.
      if (signal?.aborted) return aborted(key, signal);

      // write: the status is a copy of the stored one, so an untouched status serialises
      // identically (same key order); a reordered but equal status only costs one needless write.
      if (JSON.stringify(turn.status) !== before) {
        let written;
        try {
          written = await store.writeStatus(key, turn.status, stored.metadata.resourceVersion, stored.status ?? {});
        } catch (error) {
          return storeError(settings, key, error, "StoreUnavailable");
        }
        if (written.kind === "conflict") continue;
        if (written.kind === "notFound") return { key, outcome: ReconcileOutcome.NotFound, wake: await wakeAfter(store, key, []) };
      }
      emitChanges(ports.events, key, turn.changes, turn.time, { outcome: outcome.outcome, ...(turn.status.stage ? { stage: turn.status.stage } : {}) });
      const result: ReconcileResult = {
        key,
        outcome: outcome.outcome,
        wake: turn.ended ? await wakeAfter(store, key, [turn.spec.spec.target]) : [],
      };
      if (turn.status.stage) result.stage = turn.status.stage;
      // Delays count from the moment the step was decided (the next iteration is due one interval
      // after this one's time), so the time spent querying and writing comes off them.
      if (outcome.requeueAfterMs !== undefined) result.requeueAfterMs = Math.max(0, outcome.requeueAfterMs - (clock.now().getTime() - now.getTime()));
      return result;
    }
    return storeError(settings, key, undefined, "WriteConflict");
  }

  return { reconcile };
}
