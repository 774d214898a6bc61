import type { Clock } from "../ports";

/** A clock that only moves when told to; `sleep` moves it forward and returns at once. */
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
