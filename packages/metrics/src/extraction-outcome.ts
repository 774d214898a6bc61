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
  | { kind: "compile_error"; message: string };
