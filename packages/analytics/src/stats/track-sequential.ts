/**
 * Carries the always-valid tests of each candidate against the baseline from one iteration to the
 * next: the running minimum of the p-value and the running intersection of the confidence
 * sequence, so that looking at every iteration keeps the false-winner rate at alpha.
 */
import { confidenceSequenceRho, msprt, updateAlwaysValid } from "./msprt";
import type { Direction } from "./probability-best";
import type { SampleSummary } from "./sample-summary";
import type { SequentialEvidence, SequentialTestState } from "./statistics-analysis";

/** The state of a test before its first look. */
export const INITIAL_SEQUENTIAL_TEST: SequentialTestState = { pValue: 1, lower: null, upper: null, looks: 0, estimate: null };

/** Settings shared by the tests of one experiment. */
export interface SequentialSettings {
  /**
   * Two-sided level of each candidate's confidence sequence: twice the experiment's alpha over
   * the number of candidates, so that each one-sided claim holds at alpha / candidates.
   */
  alpha: number;
  /** N*: the total sample size at which the intervals are tightest. */
  tuning: number;
  direction: Direction;
}

/** What a look needs before it may count (see {@link trackSequential}). */
export interface SequentialLookGate {
  /** True when the reward is a proportion (pooled variance under the null, conversions counted). */
  proportion: boolean;
  /** Observations each arm needs. */
  minSamples: number;
  /** For a proportion: conversions, and non-conversions, each arm needs. */
  minConversions: number;
}

/** [conversions, non-conversions] of a proportion summary. */
function outcomes(summary: SampleSummary): [number, number] {
  const conversions = Math.round(summary.n * summary.mean);
  return [conversions, Math.round(summary.n - conversions)];
}

/**
 * Why a look may not count, or null when it may: an arm below minSamples, a proportion arm below
 * minConversions of either outcome, or an arm whose variance is 0 (a plug-in variance of 0 makes
 * the interval collapse onto the estimate, and the running intersection would keep that forever).
 */
export function sequentialLookProblem(baseline: SampleSummary, candidate: SampleSummary, gate: SequentialLookGate): string | null {
  for (const [arm, summary] of [["baseline", baseline], ["candidate", candidate]] as const) {
    if (summary.n < gate.minSamples) return `the ${arm} has ${summary.n} of the ${gate.minSamples} observations needed`;
    if (gate.proportion) {
      const [yes, no] = outcomes(summary);
      if (Math.min(yes, no) < gate.minConversions) {
        return `the ${arm} has ${yes} conversions and ${no} non-conversions (${gate.minConversions} of both needed)`;
      }
    }
    if (!(summary.variance > 0)) return `the ${arm}'s variance is 0`;
  }
  return null;
}

/**
 * One look for one candidate: folds the asymptotic confidence sequence of (candidate − baseline)
 * into its running state. A look without two comparable summaries, or that
 * {@link sequentialLookProblem} rejects, leaves the state unchanged — so no call is ever made
 * final on a variance of zero (leaving out looks keeps a confidence sequence valid: it holds
 * uniformly over time, hence over any subset of looks).
 *
 * For a proportion, the p-value uses the pooled variance under the null (both arms share one
 * rate p̄ = (s_A + s_B)/(n_A + n_B), V₀ = p̄(1 − p̄)(1/n_A + 1/n_B)), the textbook test of equal
 * rates, which is never 0 while either arm has a conversion; the interval uses the larger of V₀
 * and the unpooled variance, so it is never narrower than the test it accompanies.
 */
export function trackSequential(
  previous: SequentialTestState,
  baseline: SampleSummary | null,
  candidate: SampleSummary | null,
  settings: Pick<SequentialSettings, "alpha" | "tuning">,
  gate: SequentialLookGate = { proportion: false, minSamples: 0, minConversions: 0 },
): SequentialTestState {
  if (!baseline || !candidate) return previous;
  if (!(baseline.n > 0 && candidate.n > 0)) return previous;
  if (sequentialLookProblem(baseline, candidate, gate) !== null) return previous;
  const unpooled = candidate.variance / candidate.n + baseline.variance / baseline.n;
  let nullVariance = unpooled;
  if (gate.proportion) {
    const rate = (baseline.n * baseline.mean + candidate.n * candidate.mean) / (baseline.n + candidate.n);
    nullVariance = rate * (1 - rate) * (1 / baseline.n + 1 / candidate.n);
  }
  if (!(nullVariance > 0) || !(unpooled > 0)) return previous;
  const estimate = candidate.mean - baseline.mean;
  const n = baseline.n + candidate.n;
  const rho = confidenceSequenceRho(settings.alpha, settings.tuning);
  // The asymptotic confidence sequence of Waudby-Smith et al.: the mSPRT with τ² = V · n · ρ².
  const test = msprt({ estimate, variance: nullVariance, mixingVariance: nullVariance * n * rho * rho, alpha: settings.alpha });
  const intervalVariance = Math.max(unpooled, nullVariance);
  const interval = msprt({ estimate, variance: intervalVariance, mixingVariance: intervalVariance * n * rho * rho, alpha: settings.alpha });
  const next = updateAlwaysValid(
    {
      pValue: previous.pValue,
      lower: previous.lower ?? Number.NEGATIVE_INFINITY,
      upper: previous.upper ?? Number.POSITIVE_INFINITY,
      looks: previous.looks,
    },
    { pValue: test.pValue, interval: interval.interval },
  );
  return {
    pValue: next.pValue,
    lower: Number.isFinite(next.lower) ? next.lower : null,
    upper: Number.isFinite(next.upper) ? next.upper : null,
    looks: next.looks,
    estimate,
  };
}

/**
 * Which version a test has settled on: the candidate when the running p-value is at most alpha
 * and the whole running interval lies on the candidate's better side, the baseline when it lies
 * on the other side, else neither.
 */
export function sequentialFavours(state: SequentialTestState, settings: SequentialSettings): "candidate" | "baseline" | null {
  if (state.pValue > settings.alpha) return null;
  const above = state.lower !== null && state.lower > 0;
  const below = state.upper !== null && state.upper < 0;
  if (above) return settings.direction === "High" ? "candidate" : "baseline";
  if (below) return settings.direction === "High" ? "baseline" : "candidate";
  return null;
}

/** The reported form of a test. */
export function sequentialEvidence(state: SequentialTestState, settings: SequentialSettings): SequentialEvidence {
  return {
    pValue: state.pValue,
    lower: state.lower,
    upper: state.upper,
    estimate: state.estimate,
    looks: state.looks,
    alpha: settings.alpha,
    favours: sequentialFavours(state, settings),
  };
}
