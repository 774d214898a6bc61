import { AnalyticsError } from "./analytics-error";

// Remainders are compared at this resolution so that float noise (93.333…3 vs 3.333…5) cannot
// decide a tie that is exact on paper.
const REMAINDER_RESOLUTION = 1e9;

/**
 * Rounds non-negative weights to integers that sum to `total` (100 by default), by the largest
 * remainder method: every weight is first rescaled so the weights sum to `total` (all zero means
 * equal shares), each gets its whole part, and the units still missing go to the largest
 * fractional parts, ties going to the earlier entry. Deterministic: equal input, equal output.
 * An empty list gives an empty list (no versions, no weights), so callers need no special case
 * for an experiment with nothing to weigh. The one `roundWeights` of the workspace:
 * `@iter8ts/weights` rescales recommended weights with it too.
 *
 * @throws AnalyticsError `invalid_argument` for a negative or non-finite weight, or a `total`
 * that is not a non-negative integer.
 */
export function roundWeights(weights: readonly number[], total = 100): number[] {
  if (!Number.isInteger(total) || total < 0) {
    throw new AnalyticsError("invalid_argument", `roundWeights needs a non-negative integer total, got ${total}`);
  }
  for (const [i, w] of weights.entries()) {
    // Tiny negatives are float noise from subtracting caps; anything larger is a caller's bug.
    if (!Number.isFinite(w) || w < -1e-9) {
      throw new AnalyticsError("invalid_argument", `roundWeights needs finite non-negative weights; weight ${i} is ${w}`);
    }
  }
  if (weights.length === 0) return [];
  const clean = weights.map((w) => Math.max(0, w));
  const sum = clean.reduce((a, b) => a + b, 0);
  const scaled = sum > 0 ? clean.map((w) => (w * total) / sum) : clean.map(() => total / clean.length);
  const snapped = scaled.map((w) => (Math.abs(w - Math.round(w)) < 1e-9 ? Math.round(w) : w));
  const out = snapped.map(Math.floor);
  let missing = total - out.reduce((a, b) => a + b, 0);
  const order = snapped
    .map((w, i) => ({ i, remainder: Math.round((w - Math.floor(w)) * REMAINDER_RESOLUTION) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (let k = 0; missing > 0; k = (k + 1) % order.length, missing--) out[order[k]!.i]! += 1;
  return out;
}
