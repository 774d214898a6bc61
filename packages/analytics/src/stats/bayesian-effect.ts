/**
 * The Gaussian effect model: the difference between a candidate and the baseline is given a
 * normal posterior, from which the credible interval, the chance that the candidate is better and
 * the two expected losses ("risk") follow in closed form.
 */
import { normalCdf, normalPdf, normalQuantile } from "./distributions";
import { effectEstimate, type DifferenceType, type SampleSummary } from "./sample-summary";

/** A normal prior on the relative effect; it is rescaled for absolute differences. */
export interface EffectPrior {
  mean: number;
  variance: number;
}

/** Options of {@link bayesianEffect}. */
export interface BayesianEffectOptions {
  differenceType?: DifferenceType;
  /** A proper prior on the relative effect; without one the posterior is N(d, V). */
  prior?: EffectPrior;
  /** 1 − credible level (default 0.05). */
  alpha?: number;
  /** True when lower values are better: chanceToWin becomes P(effect < 0), risk is swapped. */
  inverse?: boolean;
}

/** The posterior of the effect and what follows from it. */
export interface BayesianEffect {
  /** Posterior mean of the effect. */
  expected: number;
  /** Posterior standard deviation of the effect. */
  stddev: number;
  /** Equal-tailed credible interval at level 1 − alpha. */
  ci: [number, number];
  /** P(the candidate is better than the baseline). */
  chanceToWin: number;
  /**
   * Expected losses in effect units: [of keeping the baseline, of shipping the candidate].
   */
  risk: [number, number];
}

/** Beyond this many standard deviations the losses equal their limits to double precision. */
const RISK_LIMIT_Z = 37;

/**
 * [E[max(X, 0)], E[max(−X, 0)]] for X ~ N(mean, sd²): the expected loss of keeping the baseline
 * and of shipping the candidate when X is the candidate's effect.
 */
export function gaussianRisk(mean: number, sd: number): [number, number] {
  if (!(sd > 0)) return [Math.max(mean, 0), Math.max(-mean, 0)];
  const z = mean / sd;
  if (Math.abs(z) > RISK_LIMIT_Z) return [Math.max(mean, 0), Math.max(-mean, 0)];
  const density = sd * normalPdf(z);
  return [mean * normalCdf(z) + density, -mean * normalCdf(-z) + density];
}

/**
 * The Gaussian effect model for candidate B against baseline A. Returns null when the two cannot
 * be compared (an empty arm, no variance, or a relative difference against a zero mean).
 */
export function bayesianEffect(
  a: SampleSummary,
  b: SampleSummary,
  options: BayesianEffectOptions = {},
): BayesianEffect | null {
  const type = options.differenceType ?? "relative";
  const alpha = options.alpha ?? 0.05;
  const effect = effectEstimate(a, b, type);
  if (!effect) return null;
  let mean = effect.estimate;
  let variance = effect.variance;
  if (options.prior) {
    // The prior is stated on the relative scale; an absolute effect is |m_A| times larger.
    const scale = type === "absolute" ? Math.abs(a.mean) : 1;
    const priorMean = options.prior.mean * scale;
    const priorVariance = options.prior.variance * scale * scale;
    const precision = 1 / variance + 1 / priorVariance;
    mean = (effect.estimate / variance + priorMean / priorVariance) / precision;
    variance = 1 / precision;
  }
  const sd = Math.sqrt(variance);
  const z = normalQuantile(1 - alpha / 2);
  const up = normalCdf(mean / sd);
  const risk = gaussianRisk(mean, sd);
  return {
    expected: mean,
    stddev: sd,
    ci: [mean - z * sd, mean + z * sd],
    chanceToWin: options.inverse ? normalCdf(-mean / sd) : up,
    risk: options.inverse ? [risk[1], risk[0]] : risk,
  };
}
