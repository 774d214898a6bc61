/** Why a field path was refused: the one code, so callers can match it as they match others. */
export const FieldPathErrorCode = {
  /** The text is not a field path this package reads (or is longer or deeper than allowed). */
  InvalidFieldPath: "invalid_field_path",
} as const;
export type FieldPathErrorCode = (typeof FieldPathErrorCode)[keyof typeof FieldPathErrorCode];

/**
 * A `fieldPath` that {@link parseFieldPath} refuses; the message names the path and the position
 * of the problem. Weight planning reports it as a `WeightsError` naming the version, the readiness
 * task as an invalid `waitFor`.
 */
export class FieldPathError extends Error {
  override readonly name = "FieldPathError";
  readonly code: FieldPathErrorCode = FieldPathErrorCode.InvalidFieldPath;
}
