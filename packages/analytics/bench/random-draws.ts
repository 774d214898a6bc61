/** Seeded random draws of the simulator: binomial counts and multinomial routing. */
import type { RandomSource } from "../src/index";
import { lnGamma } from "../src/stats/special-functions";

/** Binomial(n, p) by inversion, searching outward from the mode: O(√(np(1−p))) steps, exact. */
export function binomial(random: RandomSource, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 25) {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  }
  const mode = Math.min(n, Math.floor((n + 1) * p));
  const logMode = lnGamma(n + 1) - lnGamma(mode + 1) - lnGamma(n - mode + 1) + mode * Math.log(p) + (n - mode) * Math.log1p(-p);
  const odds = p / (1 - p);
  let u = random() - Math.exp(logMode);
  if (u <= 0) return mode;
  let hi = mode;
  let lo = mode;
  let pHi = Math.exp(logMode);
  let pLo = pHi;
  while (hi < n || lo > 0) {
    if (hi < n) {
      pHi *= ((n - hi) / (hi + 1)) * odds;
      hi++;
      u -= pHi;
      if (u <= 0) return hi;
    }
    if (lo > 0) {
      pLo *= lo / (n - lo + 1) / odds;
      lo--;
      u -= pLo;
      if (u <= 0) return lo;
    }
  }
  return mode;
}

/** Routes `total` requests to versions at integer percent weights (multinomial): exactly correct routing. */
export function route(random: RandomSource, total: number, weights: readonly number[]): number[] {
  const out = weights.map(() => 0);
  let left = total;
  let share = weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    const n = i === weights.length - 1 ? left : share > 0 ? binomial(random, left, Math.min(1, w / share)) : 0;
    out[i] = n;
    left -= n;
    share -= w;
  }
  return out;
}
