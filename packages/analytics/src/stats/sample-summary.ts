/**
 * Per-version sufficient statistics (count, mean, variance) and the difference between two
 * versions with its variance, as frequentist tests and the Gaussian effect model use them.
 */
import { StatisticsError } from "./statistics-error";

/** n observations with their mean and per-observation variance. */
export interface SampleSummary {
  n: number;
  mean: number;
  variance: number;
}

/** A 0/1 metric: `sum` successes in `n` trials; variance p(1 − p) (no n − 1 correction). */
export function proportionSummary(n: number, sum: number): SampleSummary {
  const mean = n > 0 ? sum / n : 0;
  return { n, mean, variance: mean * (1 - mean) };
}

/** A numeric metric from its sum and sum of squares; variance with the n − 1 divisor. */
export function sumsSummary(n: number, sum: number, sumSquares: number): SampleSummary {
  const mean = n > 0 ? sum / n : 0;
  const variance = n > 1 ? Math.max(0, (sumSquares - (sum * sum) / n) / (n - 1)) : 0;
  return { n, mean, variance };
}

/** How a difference between a candidate (B) and the baseline (A) is expressed. */
export type DifferenceType = "absolute" | "relative";

/** An estimated difference B − A (absolute) or (B − A)/|A| (relative) and its variance. */
export interface EffectEstimate {
  estimate: number;
  variance: number;
}

/**
 * The difference between B and A with its variance: absolute d = m_B − m_A, V = v_B/n_B + v_A/n_A;
 * relative d = (m_B − m_A)/|m_A| with the delta-method V = v_B/(n_B m_A²) + v_A m_B²/(n_A m_A⁴).
 * Returns null when there is nothing to compare: an empty arm, zero variance on both sides, or a
 * relative difference against a zero baseline mean.
 */
export function effectEstimate(a: SampleSummary, b: SampleSummary, type: DifferenceType): EffectEstimate | null {
  if (!(a.n > 0 && b.n > 0)) return null;
  if (!(a.variance >= 0 && b.variance >= 0)) {
    throw new StatisticsError("invalid_input", `variances must be non-negative (got ${a.variance}, ${b.variance})`);
  }
  if (type === "absolute") {
    const variance = b.variance / b.n + a.variance / a.n;
    return variance > 0 ? { estimate: b.mean - a.mean, variance } : null;
  }
  if (a.mean === 0) return null;
  const ma2 = a.mean * a.mean;
  const variance = b.variance / (b.n * ma2) + (a.variance * b.mean * b.mean) / (a.n * ma2 * ma2);
  return variance > 0 ? { estimate: (b.mean - a.mean) / Math.abs(a.mean), variance } : null;
}
