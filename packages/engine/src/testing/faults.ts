/**
 * Failures scheduled on a fake port: `failNext("apply", new Error("503"), 2)` makes the next
 * two `apply` calls throw. Tests use it to drive every failure path without real outages.
 */
export class Faults<Op extends string> {
  readonly #pending = new Map<Op, unknown[]>();

  /** Makes the next `times` calls of `op` throw `error`. */
  failNext(op: Op, error: unknown, times = 1): void {
    const list = this.#pending.get(op) ?? [];
    for (let i = 0; i < times; i++) list.push(error);
    this.#pending.set(op, list);
  }

  /** Throws the next scheduled failure of `op`, if any. */
  check(op: Op): void {
    const list = this.#pending.get(op);
    if (!list || list.length === 0) return;
    const error = list.shift();
    throw error;
  }

  /** Forgets all scheduled failures. */
  clear(): void {
    this.#pending.clear();
  }
}
