import type { Clock } from "@iter8ts/engine";

/**
 * The system clock for a local run, with two additions: `wake()` ends every current sleep at
 * once (an action finished, so the engine need not wait for its next poll), and an aborted
 * signal makes sleeps reject with the signal's reason, so the run loop stops between steps.
 */
export class WakeableClock implements Clock {
  readonly #waiters = new Set<() => void>();
  // A wake-up that came while nobody slept (an action that ended before the engine recorded
  // its start) ends the next sleep instead of being lost.
  #pending = false;

  constructor(private readonly signal?: AbortSignal) {}

  now(): Date {
    return new Date();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = this.signal;
      if (signal?.aborted) return reject(signal.reason);
      if (this.#pending) {
        this.#pending = false;
        return resolve();
      }
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        reject(signal?.reason);
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#waiters.add(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Ends every current sleep now, or the next one when none is under way. */
  wake(): void {
    if (this.#waiters.size === 0) this.#pending = true;
    for (const done of [...this.#waiters]) done();
  }
}
