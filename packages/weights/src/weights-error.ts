import { ResourceError } from "@iter8ts/resources";

/** What went wrong with reading or writing version weights. */
export const WeightsErrorCode = {
  /** A `fieldPath` is not a path this product can read and patch. */
  InvalidFieldPath: "invalid_field_path",
  /** A `weightObjRef` lacks what is needed to find the object (kind, name, fieldPath). */
  InvalidWeightRef: "invalid_weight_ref",
  /** Two or more versions have no `weightObjRef`, so their weights cannot be derived. */
  MissingWeightRefs: "missing_weight_refs",
  /** The object or the field could not be read. */
  WeightUnreadable: "weight_unreadable",
  /** The field holds something other than a whole number. */
  WeightNotInteger: "weight_not_integer",
  /** The observed weights add up to more than 100, so the remaining version's share is negative. */
  WeightsExceed100: "weights_exceed_100",
  /** Every version has a `weightObjRef`, yet their weights do not add up to 100. */
  WeightsNot100: "weights_not_100",
  /** A weight read from an object is negative. */
  NegativeWeight: "negative_weight",
  /** A version with a `weightObjRef` has no recommended weight. */
  MissingRecommendation: "missing_recommendation",
  /** Recommended weights are negative, not numbers, or name unknown versions twice. */
  InvalidRecommendation: "invalid_recommendation",
  /** The patch was rejected. */
  PatchFailed: "patch_failed",
  /** The object kept changing between read and patch, and the retries ran out. */
  PatchConflict: "patch_conflict",
} as const;
export type WeightsErrorCode = (typeof WeightsErrorCode)[keyof typeof WeightsErrorCode];

/**
 * An error about version weights. The message names the version, the object and the field path
 * at fault, and what to change.
 */
export class WeightsError extends Error {
  override readonly name = "WeightsError";
  constructor(
    readonly code: WeightsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when retrying later may succeed: the underlying API call failed transiently. */
  get retryable(): boolean {
    if (this.code === WeightsErrorCode.PatchConflict) return true;
    return this.cause instanceof ResourceError && this.cause.retryable;
  }
}
