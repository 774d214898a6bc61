/**
 * What evaluating an extraction expression (jq or JSONata) against a backend's answer gave,
 * before it is judged as a metric value. Only the first output of the expression counts.
 */
export type ExtractionOutcome =
  /** The first output is a finite number. */
  | { kind: "number"; value: number }
  /** The expression produced no output at all. */
  | { kind: "empty" }
  /** The first output is not a number (a string, null, an object, ...). */
  | { kind: "other"; value: unknown }
  /** The first output is NaN. */
  | { kind: "nan" }
  /** The first output is +∞ or −∞. */
  | { kind: "infinite" }
  /** Evaluation failed before producing an output. */
  | { kind: "error"; message: string }
  /** The expression does not compile. */
  | { kind: "compile_error"; message: string }
  /**
   * The evaluation was stopped at a limit: `value` is the limit as shown to users (`1 s`,
   * `64 MiB`), `flag` the controller flag that sets it; `remembered` when it was refused without
   * running because the same expression broke the limit moments ago.
   */
  | { kind: "limit"; limit: "time" | "memory"; value: string; flag: string; remembered: boolean };
