/**
 * Always-valid inference: the mixture sequential probability ratio test (mSPRT) with a normal
 * mixing distribution, its confidence sequence, and the asymptotic confidence sequence that
 * parameterises the mixture from a planned sample size.
 *
 * These p-values and intervals stay valid however often they are looked at and whenever the
 * experiment stops (by Ville's inequality, P(sup_t Λ_t ≥ 1/α) ≤ α), provided each look keeps the
 * smallest p-value and the intersection of the intervals seen so far ({@link updateAlwaysValid}).
 */
import { effectEstimate, type DifferenceType, type SampleSummary } from "./sample-summary";
import { StatisticsError } from "./statistics-error";

/** Inputs of one mSPRT look. */
export interface MsprtInput {
  /** The current estimate of the effect. */
  estimate: number;
  /** Its variance (e.g. v_A/n_A + v_B/n_B). */
  variance: number;
  /** τ², the variance of the normal mixing distribution around `nullValue`. */
  mixingVariance: number;
  /** Significance level of the confidence sequence radius. */
  alpha: number;
  /** The effect under the null hypothesis (default 0). */
  nullValue?: number;
}

/** One mSPRT look. */
export interface MsprtLook {
  /** ln Λ, the log mixture likelihood ratio. */
  logLikelihoodRatio: number;
  /** min(1, 1/Λ) at this look alone (not yet the running minimum). */
  pValue: number;
  /** Half-width of the confidence-sequence interval at this look. */
  radius: number;
  /** [estimate − radius, estimate + radius]. */
  interval: [number, number];
}

/**
 * One look of the normal-mixture SPRT:
 * Λ = √(V/(V+τ²)) · exp(τ² (d − θ₀)² / (2V(V+τ²))),
 * radius = √( V(V+τ²)/τ² · (ln((V+τ²)/V) − 2 ln α) ).
 */
export function msprt(input: MsprtInput): MsprtLook {
  const { estimate, variance: v, mixingVariance: tau2, alpha } = input;
  if (!(v > 0) || !(tau2 > 0)) {
    throw new StatisticsError("invalid_input", `mSPRT needs a positive variance and mixing variance (got ${v}, ${tau2})`);
  }
  if (!(alpha > 0 && alpha < 1)) throw new StatisticsError("invalid_input", `alpha must lie in (0, 1) (got ${alpha})`);
  const diff = estimate - (input.nullValue ?? 0);
  const logLikelihoodRatio = 0.5 * Math.log(v / (v + tau2)) + (tau2 * diff * diff) / (2 * v * (v + tau2));
  const radius = Math.sqrt(((v * (v + tau2)) / tau2) * (Math.log1p(tau2 / v) - 2 * Math.log(alpha)));
  return {
    logLikelihoodRatio,
    pValue: Math.min(1, Math.exp(-logLikelihoodRatio)),
    radius,
    interval: [estimate - radius, estimate + radius],
  };
}

/**
 * ρ of the asymptotic confidence sequence tuned to be tightest after `tuning` observations:
 * ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*.
 */
export function confidenceSequenceRho(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

/** Result of {@link asymptoticConfidenceSequence}. */
export interface AsymptoticConfidenceSequence {
  expected: number;
  standardError: number;
  rho: number;
  halfwidth: number;
  ci: [number, number];
  /** Pointwise always-valid p-value for "no difference" at this look. */
  pValue: number;
  /** τ² of the equivalent mSPRT (se² · n · ρ²). */
  mixingVariance: number;
}

/**
 * The asymptotic confidence sequence of Waudby-Smith et al. for candidate B against baseline A:
 * the mSPRT with τ² = se² · n · ρ², n = n_A + n_B, ρ from {@link confidenceSequenceRho}.
 * Returns null when the arms cannot be compared.
 */
export function asymptoticConfidenceSequence(
  a: SampleSummary,
  b: SampleSummary,
  options: { alpha?: number; tuning?: number; differenceType?: DifferenceType } = {},
): AsymptoticConfidenceSequence | null {
  const alpha = options.alpha ?? 0.05;
  const tuning = options.tuning ?? 5000;
  const effect = effectEstimate(a, b, options.differenceType ?? "relative");
  if (!effect) return null;
  const n = a.n + b.n;
  const rho = confidenceSequenceRho(alpha, tuning);
  const mixingVariance = effect.variance * n * rho * rho;
  const look = msprt({ estimate: effect.estimate, variance: effect.variance, mixingVariance, alpha });
  return {
    expected: effect.estimate,
    standardError: Math.sqrt(effect.variance),
    rho,
    halfwidth: look.radius,
    ci: look.interval,
    pValue: look.pValue,
    mixingVariance,
  };
}

/** What an always-valid test keeps between looks. */
export interface AlwaysValidState {
  /** Smallest p-value seen so far. */
  pValue: number;
  /** Intersection of every interval seen so far (may be empty, lower > upper, after a shift). */
  lower: number;
  upper: number;
  /** Looks taken so far. */
  looks: number;
}

/** The state before any look: p = 1 and the whole real line. */
export const INITIAL_ALWAYS_VALID_STATE: AlwaysValidState = {
  pValue: 1,
  lower: Number.NEGATIVE_INFINITY,
  upper: Number.POSITIVE_INFINITY,
  looks: 0,
};

/** Folds one look into the running state: p_t = min(p_{t−1}, p), CS_t = CS_{t−1} ∩ interval. */
export function updateAlwaysValid(
  state: AlwaysValidState,
  look: { pValue: number; interval: readonly [number, number] },
): AlwaysValidState {
  return {
    pValue: Math.min(state.pValue, look.pValue),
    lower: Math.max(state.lower, look.interval[0]),
    upper: Math.min(state.upper, look.interval[1]),
    looks: state.looks + 1,
  };
}
