import { seededRandom, type RandomSource } from "@iter8ts/analytics";

/** Seeded choices for the fuzzer: the same seed gives the same documents on every machine. */
export class FuzzRandom {
  readonly #next: RandomSource;

  constructor(seed: string) {
    this.#next = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#next();
  }

  /** A whole number in [0, max). */
  int(max: number): number {
    return Math.floor(this.#next() * max);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}
