import { backoffMs } from "../engine-settings";
import { errorMessage, isRetryable } from "../engine-error";
import type { RetryStep } from "../engine-status";
import { ReconcileOutcome, type StepOutcome } from "../reconcile-outcome";
import type { Turn } from "../turn";

/**
 * Records a failed attempt of `step` in `status.retry`; retries it later while attempts remain
 * and the error is not final, otherwise clears the retry and runs `giveUp`.
 */
export async function retryOrGiveUp(
  turn: Turn,
  step: RetryStep,
  error: unknown,
  giveUp: () => Promise<StepOutcome> | StepOutcome,
): Promise<StepOutcome> {
  const previous = turn.status.retry?.step === step ? turn.status.retry.attempts : 0;
  const attempts = previous + 1;
  if (isRetryable(error) && attempts < turn.settings.maxAttempts) {
    const delay = backoffMs(turn.settings, attempts);
    turn.status.retry = {
      step,
      attempts,
      lastError: errorMessage(error),
      nextAttemptTime: new Date(turn.now.getTime() + delay).toISOString(),
    };
    return { outcome: ReconcileOutcome.Retrying, requeueAfterMs: delay };
  }
  delete turn.status.retry;
  return giveUp();
}

/** Clears `status.retry` when it was for `step`, which has now succeeded. */
export function clearRetry(turn: Turn, step: RetryStep): void {
  if (turn.status.retry?.step === step) delete turn.status.retry;
}
