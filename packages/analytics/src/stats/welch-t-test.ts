/**
 * The fixed-horizon Welch t-test. Valid for one look at the data only: looking after every
 * iteration and stopping at the first p < alpha inflates false positives, which is what the
 * always-valid tests in `msprt.ts` are for. Kept for reports and comparisons.
 */
import { studentTQuantile, studentTTails } from "./distributions";
import { effectEstimate, type DifferenceType, type SampleSummary } from "./sample-summary";

/** Result of {@link welchTTest}. */
export interface WelchTTest {
  expected: number;
  standardError: number;
  /** Welch–Satterthwaite degrees of freedom. */
  dof: number;
  /** Two-sided confidence interval at level 1 − alpha. */
  ci: [number, number];
  /** Two-sided p-value for "no difference". */
  pValue: number;
}

/** Welch's two-sample t-test of candidate B against baseline A; null when they cannot be compared. */
export function welchTTest(
  a: SampleSummary,
  b: SampleSummary,
  options: { differenceType?: DifferenceType; alpha?: number } = {},
): WelchTTest | null {
  const effect = effectEstimate(a, b, options.differenceType ?? "absolute");
  if (!effect || a.n < 2 || b.n < 2) return null;
  const alpha = options.alpha ?? 0.05;
  const ua = a.variance / a.n;
  const ub = b.variance / b.n;
  const dof = ((ua + ub) * (ua + ub)) / ((ub * ub) / (b.n - 1) + (ua * ua) / (a.n - 1));
  const se = Math.sqrt(effect.variance);
  const t = effect.estimate / se;
  const q = studentTQuantile(1 - alpha / 2, dof);
  const tail = studentTTails(-Math.abs(t), dof).lower;
  return {
    expected: effect.estimate,
    standardError: se,
    dof,
    ci: [effect.estimate - q * se, effect.estimate + q * se],
    pValue: Math.min(1, 2 * tail),
  };
}
