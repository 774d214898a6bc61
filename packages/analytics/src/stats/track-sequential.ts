/**
 * Carries the always-valid tests of each candidate against the baseline from one iteration to the
 * next: the running minimum of the p-value and the running intersection of the confidence
 * sequence, so that looking at every iteration keeps the false-winner rate at alpha.
 */
import { asymptoticConfidenceSequence, updateAlwaysValid } from "./msprt";
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

/**
 * One look for one candidate: folds the asymptotic confidence sequence of (candidate − baseline)
 * into its running state. A look without two comparable summaries leaves the state unchanged.
 */
export function trackSequential(
  previous: SequentialTestState,
  baseline: SampleSummary | null,
  candidate: SampleSummary | null,
  settings: Pick<SequentialSettings, "alpha" | "tuning">,
): SequentialTestState {
  if (!baseline || !candidate) return previous;
  const look = asymptoticConfidenceSequence(baseline, candidate, {
    alpha: settings.alpha,
    tuning: settings.tuning,
    differenceType: "absolute",
  });
  if (!look) return previous;
  const next = updateAlwaysValid(
    {
      pValue: previous.pValue,
      lower: previous.lower ?? Number.NEGATIVE_INFINITY,
      upper: previous.upper ?? Number.POSITIVE_INFINITY,
      looks: previous.looks,
    },
    { pValue: look.pValue, interval: look.ci },
  );
  return {
    pValue: next.pValue,
    lower: Number.isFinite(next.lower) ? next.lower : null,
    upper: Number.isFinite(next.upper) ? next.upper : null,
    looks: next.looks,
    estimate: look.expected,
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
