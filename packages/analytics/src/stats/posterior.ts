/**
 * Posterior distributions of a version's metric, their moments, tails, quantiles and credible
 * intervals.
 */
import {
  betaPdf,
  betaQuantile,
  betaTails,
  normalPdf,
  normalQuantile,
  normalTails,
  studentTPdf,
  studentTQuantile,
  studentTQuantileExpansion,
  studentTTails,
} from "./distributions";
import type { TailPair } from "./special-functions";

/** Beta(alpha, beta): the posterior of a rate after `alpha − α₀` successes and `beta − β₀` failures. */
export interface BetaPosterior {
  family: "beta";
  alpha: number;
  beta: number;
}

/** Normal(mean, sd²): e.g. the approximate posterior of a mean from many observations. */
export interface NormalPosterior {
  family: "normal";
  mean: number;
  sd: number;
}

/** A location-scale Student-t: the posterior of a mean under the reference prior. */
export interface StudentTPosterior {
  family: "student-t";
  dof: number;
  location: number;
  scale: number;
}

/** Any posterior the statistics mode forms. */
export type Posterior = BetaPosterior | NormalPosterior | StudentTPosterior;

/** A Beta prior for rates. Beta(1, 1) (uniform) is the default. */
export interface BetaPrior {
  alpha: number;
  beta: number;
}

/** The uniform Beta(1, 1) prior: with no failures seen, its 95% upper bound is about 3/n. */
export const UNIFORM_BETA_PRIOR: BetaPrior = { alpha: 1, beta: 1 };

/**
 * The posterior of a rate after `successes` out of `trials` (a fractional count is allowed, e.g.
 * an estimated number of slow requests): Beta(α₀ + successes, β₀ + trials − successes).
 */
export function betaPosterior(successes: number, trials: number, prior: BetaPrior = UNIFORM_BETA_PRIOR): BetaPosterior {
  const k = Math.min(Math.max(successes, 0), Math.max(trials, 0));
  return { family: "beta", alpha: prior.alpha + k, beta: prior.beta + Math.max(trials, 0) - k };
}

/**
 * The posterior of a population mean from n observations with sample mean `mean` and sample
 * standard deviation `sd`, under the reference prior: Student-t with n − 1 degrees of freedom,
 * centred at the sample mean, scale sd / √n. Needs n ≥ 2 and sd > 0.
 */
export function meanPosterior(n: number, mean: number, sd: number): StudentTPosterior {
  return { family: "student-t", dof: n - 1, location: mean, scale: sd / Math.sqrt(n) };
}

/** Normal(mean, se²). */
export function normalPosterior(mean: number, se: number): NormalPosterior {
  return { family: "normal", mean, sd: se };
}

/** The posterior mean. */
export function posteriorMean(posterior: Posterior): number {
  switch (posterior.family) {
    case "beta":
      return posterior.alpha / (posterior.alpha + posterior.beta);
    case "normal":
      return posterior.mean;
    case "student-t":
      return posterior.location;
  }
}

/** The posterior standard deviation (for a t with ≤ 2 degrees of freedom, its scale). */
export function posteriorSd(posterior: Posterior): number {
  switch (posterior.family) {
    case "beta": {
      const { alpha: a, beta: b } = posterior;
      return Math.sqrt((a * b) / ((a + b) * (a + b) * (a + b + 1)));
    }
    case "normal":
      return posterior.sd;
    case "student-t":
      return posterior.dof > 2 ? posterior.scale * Math.sqrt(posterior.dof / (posterior.dof - 2)) : posterior.scale;
  }
}

/** P(X ≤ x) and P(X > x) under the posterior, both accurate in the tails. */
export function posteriorTails(posterior: Posterior, x: number): TailPair {
  switch (posterior.family) {
    case "beta":
      return betaTails(x, posterior.alpha, posterior.beta);
    case "normal":
      if (posterior.sd === 0) return x < posterior.mean ? { lower: 0, upper: 1 } : { lower: 1, upper: 0 };
      return normalTails((x - posterior.mean) / posterior.sd);
    case "student-t":
      if (posterior.scale === 0) return x < posterior.location ? { lower: 0, upper: 1 } : { lower: 1, upper: 0 };
      return studentTTails((x - posterior.location) / posterior.scale, posterior.dof);
  }
}

/** The posterior density at x. */
export function posteriorDensity(posterior: Posterior, x: number): number {
  switch (posterior.family) {
    case "beta":
      return betaPdf(x, posterior.alpha, posterior.beta);
    case "normal":
      return normalPdf((x - posterior.mean) / posterior.sd) / posterior.sd;
    case "student-t":
      return studentTPdf((x - posterior.location) / posterior.scale, posterior.dof) / posterior.scale;
  }
}

/** The posterior quantile for probability p. */
export function posteriorQuantile(posterior: Posterior, p: number): number {
  switch (posterior.family) {
    case "beta":
      return betaQuantile(p, posterior.alpha, posterior.beta);
    case "normal":
      return posterior.mean + posterior.sd * normalQuantile(p);
    case "student-t":
      return posterior.location + posterior.scale * studentTQuantile(p, posterior.dof);
  }
}

/** The equal-tailed credible interval holding `level` of the posterior (e.g. 0.95). */
export function credibleInterval(posterior: Posterior, level: number): [number, number] {
  const tail = (1 - level) / 2;
  return [posteriorQuantile(posterior, tail), posteriorQuantile(posterior, 1 - tail)];
}

/**
 * Smallest Beta parameter, and Student-t degrees of freedom, from which {@link reportedInterval}
 * uses its closed-form expansions: there they are within 2e-3 posterior standard deviations of
 * the exact quantiles, 2.2e-4 from 100 on (checked in posterior.test.ts).
 */
export const REPORTED_INTERVAL_EXPANSION_FROM = 30;

/**
 * The credible interval shown in the evidence, which no decision reads: equal to
 * {@link credibleInterval} for small posteriors, and for large ones (Beta parameters or t
 * degrees of freedom from {@link REPORTED_INTERVAL_EXPANSION_FROM}) the Cornish–Fisher expansion
 * of the quantile — four cumulants for a Beta, the series in 1/ν for a t — instead of inverting
 * the CDF by Newton steps on the incomplete beta function, which is most of the cost of an
 * analysis with many metrics.
 */
export function reportedInterval(posterior: Posterior, level: number): [number, number] {
  const tail = (1 - level) / 2;
  const z = normalQuantileCached(1 - tail);
  if (posterior.family === "beta" && Math.min(posterior.alpha, posterior.beta) >= REPORTED_INTERVAL_EXPANSION_FROM) {
    const { alpha: a, beta: b } = posterior;
    const s = a + b;
    const mean = a / s;
    const sd = Math.sqrt((a * b) / (s * s * (s + 1)));
    const skew = (2 * (b - a) * Math.sqrt(s + 1)) / ((s + 2) * Math.sqrt(a * b));
    const kurt = (6 * ((a - b) * (a - b) * (s + 1) - a * b * (s + 2))) / (a * b * (s + 2) * (s + 3));
    const at = (x: number) =>
      x + ((x * x - 1) * skew) / 6 + ((x * x * x - 3 * x) * kurt) / 24 - ((2 * x * x * x - 5 * x) * skew * skew) / 36;
    return [Math.max(0, mean + sd * at(-z)), Math.min(1, mean + sd * at(z))];
  }
  if (posterior.family === "student-t" && posterior.dof >= REPORTED_INTERVAL_EXPANSION_FROM) {
    const t = studentTQuantileExpansion(z, posterior.dof);
    return [posterior.location - posterior.scale * t, posterior.location + posterior.scale * t];
  }
  return credibleInterval(posterior, level);
}

const zByProbability = new Map<number, number>();
function normalQuantileCached(p: number): number {
  let z = zByProbability.get(p);
  if (z === undefined) {
    if (zByProbability.size > 64) zByProbability.clear();
    z = normalQuantile(p);
    zByProbability.set(p, z);
  }
  return z;
}
