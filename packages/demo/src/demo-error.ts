/** What went wrong in the demo, for callers that branch on it. */
export const DemoErrorCode = {
  /** The routing document is not a VirtualService the router can follow. */
  RoutingInvalid: "routing_invalid",
  /** The routing document could not be read. */
  RoutingUnreadable: "routing_unreadable",
  /** A sample names a `${DEMO_…}` placeholder the demo has no value for. */
  PlaceholderUnknown: "placeholder_unknown",
  /** The sample directory does not exist or is not a known sample. */
  SampleNotFound: "sample_not_found",
  /** A sample's documents do not validate once prepared. */
  SampleInvalid: "sample_invalid",
  /** The built `iter8ctl` is missing (the CLI was not built). */
  Iter8ctlMissing: "iter8ctl_missing",
  /** The built `iter8ctl` has no `run` command. */
  RunCommandMissing: "run_command_missing",
  /** The wall-time budget ran out before the samples finished. */
  BudgetExceeded: "budget_exceeded",
  /** The user stopped the demo (Ctrl-C). */
  Interrupted: "interrupted",
  /** A command-line option is not valid. */
  InvalidOption: "invalid_option",
} as const;
export type DemoErrorCode = (typeof DemoErrorCode)[keyof typeof DemoErrorCode];

/** A demo failure: a code to branch on, a message saying what is at fault and what to do. */
export class DemoError extends Error {
  override readonly name = "DemoError";
  readonly code: DemoErrorCode;

  constructor(code: DemoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
