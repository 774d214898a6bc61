import type { Clock } from "./ports";

/**
 * A clock that only moves when told to; `sleep` moves it forward and returns at once. Tests use
 * it, and so do runtimes that simulate time on purpose (local mode's dry run), which is why it is
 * exported beside `systemClock` rather than only under `./testing`.
 */
export class SimulatedClock implements Clock {
  #ms: number;

  constructor(start: Date | string = "2021-11-01T00:00:00Z") {
    this.#ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }

  /** Moves the clock forward by `ms` (never backwards). */
  advance(ms: number): void {
    this.#ms += Math.max(0, ms);
  }
}
