import { EngineError } from "./engine-error";
import type { Engine } from "./engine";
import { ReconcileOutcome, type ReconcileResult } from "./reconcile-outcome";
import type { Clock, ExperimentKey } from "./ports";
import { formatKey } from "./target-queue";

/** Settings of `runToCompletion`. */
export interface RunToCompletionOptions {
  /** The clock to wait on between reconciles; use the engine's clock. */
  clock: Clock;
  /** Gives up after this many reconciles (default 100 000), so a defect cannot loop forever. */
  maxSteps?: number;
  /** Called after every reconcile, e.g. to show progress. */
  onReconcile?: (result: ReconcileResult) => void;
  signal?: AbortSignal;
}

/** How a run ended. */
export interface RunSummary {
  /** Reconciles performed. */
  steps: number;
  /** The last result of each experiment, in the order given. */
  results: ReconcileResult[];
}

/**
 * Drives experiments until each has completed or disappeared: a small work queue that
 * reconciles whichever experiment is due first, sleeps on the clock until then, and follows
 * wake-ups between experiments that share a target. Local mode and tests use it; the
 * controller has its own work queue.
 */
export async function runToCompletion(
  engine: Pick<Engine, "reconcile">,
  keys: readonly ExperimentKey[],
  options: RunToCompletionOptions,
): Promise<RunSummary> {
  const { clock } = options;
  const maxSteps = options.maxSteps ?? 100_000;
  const due = new Map<string, { key: ExperimentKey; at: number; order: number }>();
  const last = new Map<string, ReconcileResult>();
  const open = new Set(keys.map(formatKey));
  let order = 0;
  const schedule = (key: ExperimentKey, at: number) => {
    const id = formatKey(key);
    if (!open.has(id)) return;
    const existing = due.get(id);
    if (!existing || at < existing.at) due.set(id, { key, at, order: order++ });
  };
  for (const key of keys) schedule(key, clock.now().getTime());

  let steps = 0;
  while (open.size > 0) {
    if (options.signal?.aborted) throw new EngineError("Aborted", "The run was aborted before every experiment completed.");
    let next: { key: ExperimentKey; at: number; order: number } | undefined;
    for (const entry of due.values()) {
      if (!next || entry.at < next.at || (entry.at === next.at && entry.order < next.order)) next = entry;
    }
    if (!next) break;
    if (steps >= maxSteps) {
      throw new EngineError(
        "StepLimitExceeded",
        `Experiments ${[...open].join(", ")} did not complete within ${maxSteps} reconciles; raise maxSteps if they are meant to run this long.`,
      );
    }
    const wait = next.at - clock.now().getTime();
    if (wait > 0) await clock.sleep(wait);
    const id = formatKey(next.key);
    due.delete(id);
    const result = await engine.reconcile(next.key);
    steps++;
    last.set(id, result);
    options.onReconcile?.(result);
    const now = clock.now().getTime();
    if (result.outcome === ReconcileOutcome.Completed || result.outcome === ReconcileOutcome.NotFound) open.delete(id);
    else if (result.requeueAfterMs !== undefined) schedule(next.key, now + result.requeueAfterMs);
    for (const woken of result.wake) schedule(woken, now);
  }
  return { steps, results: keys.map((k) => last.get(formatKey(k))).filter((r): r is ReconcileResult => r !== undefined) };
}
