/** What can go wrong while preparing or running an end-to-end check. */
export const E2eErrorCode = {
  /** A sample file does not parse or does not validate. */
  SampleInvalid: "sample_invalid",
  /** A sample folder lacks the documents a check needs (one Experiment, its Metrics, …). */
  SampleIncomplete: "sample_incomplete",
  /** The finish action names a promotion manifest that the sample's `promote/` folder lacks. */
  PromoteMissing: "promote_missing",
  /** The kubectl stand-in could not be set up. */
  StandInFailed: "stand_in_failed",
} as const;
export type E2eErrorCode = (typeof E2eErrorCode)[keyof typeof E2eErrorCode];

/** An error of the end-to-end harness; the message names the file, document or field at fault. */
export class E2eError extends Error {
  override readonly name = "E2eError";
  constructor(
    readonly code: E2eErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
