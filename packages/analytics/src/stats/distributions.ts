// Packages that depend on analytics typecheck these sources without this package's tsconfig, so the
// ambient declarations of the jstat shim must be pulled in from the file that imports jstat.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../jstat.d.ts" />
/**
 * CDFs, tails, densities and quantiles of the distributions the statistics mode uses: standard
 * normal, Student-t, Beta and chi-square. Tails are computed directly (never as `1 - cdf`), and
 * quantiles start from jstat's estimate and are polished by safeguarded Newton steps against the
 * accurate CDFs of `special-functions.ts`.
 */
import { jstatModule } from "./jstat-module";
import { incompleteBeta, incompleteGamma, invertMonotone, lnBeta, lnGamma, type TailPair } from "./special-functions";

const INV_SQRT_TWO_PI = 1 / Math.sqrt(2 * Math.PI);

// Credible intervals ask for the same two probabilities over and over; jstat's normal inverse
// (two Newton steps on its erfc) is the costliest part of a starting guess, so remember it.
const roughZ = new Map<number, number>();
function roughNormalQuantile(p: number): number {
  let z = roughZ.get(p);
  if (z === undefined) {
    if (roughZ.size > 256) roughZ.clear();
    z = jstatModule().normal.inv(p, 0, 1);
    roughZ.set(p, z);
  }
  return z;
}

/** Density of the standard normal distribution. */
export function normalPdf(z: number): number {
  return INV_SQRT_TWO_PI * Math.exp(-0.5 * z * z);
}

/** Both tails of the standard normal at z: P(Z ≤ z) and P(Z > z). */
export function normalTails(z: number): TailPair {
  if (Number.isNaN(z)) return { lower: Number.NaN, upper: Number.NaN };
  // P(Z > |z|) = Q(1/2, z²/2) / 2, accurate far into the tail.
  const far = 0.5 * incompleteGamma(0.5, 0.5 * z * z).upper;
  return z < 0 ? { lower: far, upper: 1 - far } : { lower: 1 - far, upper: far };
}

/** Φ(z), the standard normal CDF. */
export function normalCdf(z: number): number {
  return normalTails(z).lower;
}

/** The standard normal quantile Φ⁻¹(p), for 0 < p < 1 (±∞ at 0 and 1). */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  return invertMonotone(p, normalTails, normalPdf, -40, 40, roughNormalQuantile(p));
}

/** Both tails of Student's t with `dof` degrees of freedom at t. */
export function studentTTails(t: number, dof: number): TailPair {
  if (Number.isNaN(t) || !(dof > 0)) return { lower: Number.NaN, upper: Number.NaN };
  if (dof > 1e12) return normalTails(t);
  const t2 = t * t;
  // P(|T| > |t|) = I_{ν/(ν+t²)}(ν/2, 1/2); passing t²/(ν+t²) keeps precision near t = 0.
  const both = incompleteBeta(dof / (dof + t2), dof / 2, 0.5, t2 / (dof + t2)).lower;
  const far = 0.5 * both;
  return t < 0 ? { lower: far, upper: 1 - far } : { lower: 1 - far, upper: far };
}

/** Density of Student's t with `dof` degrees of freedom. */
export function studentTPdf(t: number, dof: number): number {
  const logNorm = lnGamma((dof + 1) / 2) - lnGamma(dof / 2) - 0.5 * Math.log(dof * Math.PI);
  return Math.exp(logNorm - ((dof + 1) / 2) * Math.log1p((t * t) / dof));
}

/**
 * The Student-t quantile at the normal quantile z, by the Cornish–Fisher expansion in 1/ν
 * (three terms): within 1e-5 of the exact quantile's scale from ν = 30 on.
 */
export function studentTQuantileExpansion(z: number, dof: number): number {
  const z2 = z * z;
  return (
    z +
    (z * (z2 + 1)) / (4 * dof) +
    (z * (5 * z2 * z2 + 16 * z2 + 3)) / (96 * dof * dof) +
    (z * (3 * z2 * z2 * z2 + 19 * z2 * z2 + 17 * z2 - 15)) / (384 * dof * dof * dof)
  );
}

/** The Student-t quantile for probability p with `dof` degrees of freedom. */
export function studentTQuantile(p: number, dof: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(dof > 0)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (dof > 1e12) return normalQuantile(p);
  const z = roughNormalQuantile(p);
  // Close enough for Newton to finish in a few steps once ν ≳ 5; below that jstat's estimate
  // (an incomplete-beta inverse) is the better start.
  const guess = dof >= 5 ? studentTQuantileExpansion(z, dof) : jstatModule().studentt.inv(p, dof);
  // Wide enough for a Cauchy at p = 1e-15.
  const bound = Math.max(1e16, 2 * Math.abs(z));
  const logNorm = lnGamma((dof + 1) / 2) - lnGamma(dof / 2) - 0.5 * Math.log(dof * Math.PI);
  return invertMonotone(
    p,
    (t) => studentTTails(t, dof),
    (t) => Math.exp(logNorm - ((dof + 1) / 2) * Math.log1p((t * t) / dof)),
    -bound,
    bound,
    Number.isFinite(guess) ? guess : z,
  );
}

/** Both tails of Beta(a, b) at x: P(X ≤ x) and P(X > x). */
export function betaTails(x: number, a: number, b: number): TailPair {
  return incompleteBeta(x, a, b);
}

/** Density of Beta(a, b) at x. */
export function betaPdf(x: number, a: number, b: number): number {
  if (x < 0 || x > 1) return 0;
  if (x === 0) return a < 1 ? Number.POSITIVE_INFINITY : a === 1 ? Math.exp(-lnBeta(a, b)) : 0;
  if (x === 1) return b < 1 ? Number.POSITIVE_INFINITY : b === 1 ? Math.exp(-lnBeta(a, b)) : 0;
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lnBeta(a, b));
}

/** The quantile of Beta(a, b) for probability p. */
export function betaQuantile(p: number, a: number, b: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(a > 0) || !(b > 0)) return Number.NaN;
  if (p === 0) return 0;
  if (p === 1) return 1;
  const mean = a / (a + b);
  const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  // Cornish–Fisher with the skewness term once both parameters are moderate; for small ones
  // jstat's inverse is the better start. Newton (with bisection as a safeguard) does the rest.
  let guess: number;
  if (Math.min(a, b) >= 5) {
    const z = roughNormalQuantile(p);
    const skew = (2 * (b - a) * Math.sqrt(a + b + 1)) / ((a + b + 2) * Math.sqrt(a * b));
    guess = mean + sd * (z + (skew * (z * z - 1)) / 6);
  } else {
    guess = jstatModule().beta.inv(p, a, b);
  }
  const logNorm = lnBeta(a, b);
  return invertMonotone(
    p,
    (x) => incompleteBeta(x, a, b),
    (x) => Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logNorm),
    0,
    1,
    guess,
  );
}

/** Both tails of the chi-square distribution with `dof` degrees of freedom at x. */
export function chiSquareTails(x: number, dof: number): TailPair {
  return incompleteGamma(dof / 2, x / 2);
}
