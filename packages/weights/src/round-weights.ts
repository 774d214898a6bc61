/**
 * Turns non-negative shares into whole percentages that add up to exactly 100, by the largest
 * remainder method: every share is scaled to a total of 100 and rounded down, then the points
 * still missing go to the largest remainders, ties to the earlier position. Deterministic, so a
 * re-run over the same input writes the same weights. All-zero shares become equal shares.
 *
 * @throws RangeError for an empty list or a negative or non-finite share.
 */
export function roundWeights(shares: readonly number[]): number[] {
  if (shares.length === 0) throw new RangeError("roundWeights needs at least one share");
  for (const [i, s] of shares.entries()) {
    if (!Number.isFinite(s) || s < 0) throw new RangeError(`share ${i} is ${s}; shares must be finite and not negative`);
  }
  const total = shares.reduce((a, b) => a + b, 0);
  const scaled = total === 0 ? shares.map(() => 100 / shares.length) : shares.map((s) => (s * 100) / total);
  const floors = scaled.map((v) => Math.floor(v + 1e-9));
  let missing = 100 - floors.reduce((a, b) => a + b, 0);
  const order = scaled.map((v, i) => ({ i, remainder: v - (floors[i] as number) })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (missing <= 0) break;
    floors[i] = (floors[i] as number) + 1;
    missing--;
  }
  return floors;
}
