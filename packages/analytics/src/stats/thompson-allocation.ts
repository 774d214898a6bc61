/**
 * Traffic allocation from win probabilities: top-two Thompson sampling in closed form, mixed
 * with uniform exploration and a per-version floor.
 */

/**
 * Top-two Thompson allocation (Russo 2016) computed exactly from P(best):
 * ψ_i = p_i (b + (1 − b) Σ_{j≠i} p_j / (1 − p_j)).
 * With b = 1 this is plain Thompson sampling (ψ = p); with b = ½ and two versions it is an even
 * split, the allocation that identifies the better of two fastest. Sums to 1.
 */
export function topTwoThompson(probabilityBest: readonly number[], b = 0.5): number[] {
  const k = probabilityBest.length;
  if (k === 0) return [];
  if (k === 1) return [1];
  const total = probabilityBest.reduce((s, p) => s + Math.max(0, p), 0);
  const p = probabilityBest.map((x) => (total > 0 ? Math.max(0, x) / total : 1 / k));
  const leader = p.findIndex((x) => 1 - x < 1e-12);
  if (leader >= 0) {
    // The challenger distribution is 0/0 here; share the challenger's part evenly.
    return p.map((_, i) => (i === leader ? b : (1 - b) / (k - 1)));
  }
  const ratio = p.map((x) => x / (1 - x));
  const ratioSum = ratio.reduce((s, r) => s + r, 0);
  return p.map((x, i) => x * (b + (1 - b) * (ratioSum - ratio[i]!)));
}

/**
 * Mixes an allocation with uniform exploration, then lifts every version to at least `floor`:
 * w = e/k + (1 − e) ψ, then w' = f + (1 − k f) w. Fractions in, fractions out (summing to 1).
 */
export function mixAllocation(allocation: readonly number[], exploration: number, floor: number): number[] {
  const k = allocation.length;
  if (k === 0) return [];
  const f = Math.min(Math.max(floor, 0), 1 / k);
  return allocation.map((psi) => {
    const w = exploration / k + (1 - exploration) * psi;
    return f + (1 - k * f) * w;
  });
}
