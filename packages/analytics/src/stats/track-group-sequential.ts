/**
 * Carries the group-sequential test of each candidate against the baseline from one look to the
 * next, for an experiment whose looks are planned (`maxLoops × iterationsPerLoop`): the z
 * statistic of the reward difference at this look is compared with the boundaries that the
 * alpha-spending design gives for the looks taken so far ({@link groupSequentialBoundaries}).
 * Crossing a boundary is final, like stopping a trial.
 */
import { groupSequentialBoundaries, type GroupSequentialDesign, type LookBoundary } from "./group-sequential";
import type { Direction } from "./probability-best";
import type { SampleSummary } from "./sample-summary";
import type { GroupSequentialState, GroupSequentialTestState, SequentialEvidence } from "./statistics-analysis";
import { sequentialLookProblem, type SequentialLookGate } from "./track-sequential";

/** The state of a test before its first look. */
export const INITIAL_GROUP_SEQUENTIAL_TEST: GroupSequentialTestState = { looks: [], spentUpper: 0, spentLower: 0, z: null, crossed: null };

/** The design of a state (what {@link groupSequentialBoundaries} needs). */
export function designOf(state: Pick<GroupSequentialState, "spending" | "alphaUpper" | "alphaLower" | "plannedLooks">): GroupSequentialDesign {
  return { spending: state.spending, alphaUpper: state.alphaUpper, alphaLower: state.alphaLower, plannedLooks: state.plannedLooks };
}

/**
 * Why a carried test does not fit its design, or null: looks must increase and lie within the
 * plan, and the alpha it says it spent must be what the design spends at those looks.
 */
export function groupSequentialStateProblem(test: GroupSequentialTestState, design: GroupSequentialDesign): string | null {
  const { looks } = test;
  if (looks.some((l, i) => i > 0 && l <= looks[i - 1]!)) return `its looks (${looks.join(", ")}) do not increase`;
  if (looks.length === 0) {
    return test.spentUpper === 0 && test.spentLower === 0 && test.crossed === null ? null : "it spent alpha without any look";
  }
  const last = groupSequentialBoundaries(design, looks).at(-1)!;
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1e-12, Math.abs(b)) + 1e-15;
  if (!close(test.spentUpper, last.spentUpper) || !close(test.spentLower, last.spentLower)) {
    return `it records alpha spent ${test.spentUpper} / ${test.spentLower} where the design spends ${last.spentUpper} / ${last.spentLower} at looks ${looks.join(", ")}`;
  }
  return null;
}

/** The z statistic of (candidate − baseline), positive when the candidate is better; null when not computable. */
export function groupSequentialZ(
  baseline: SampleSummary,
  candidate: SampleSummary,
  proportion: boolean,
  direction: Direction,
): number | null {
  let variance = candidate.variance / candidate.n + baseline.variance / baseline.n;
  if (proportion) {
    // Pooled under the null: both versions share one rate.
    const rate = (baseline.n * baseline.mean + candidate.n * candidate.mean) / (baseline.n + candidate.n);
    variance = rate * (1 - rate) * (1 / baseline.n + 1 / candidate.n);
  }
  if (!(variance > 0)) return null;
  const z = (candidate.mean - baseline.mean) / Math.sqrt(variance);
  return direction === "High" ? z : -z;
}

/**
 * One look (index `look`, 1-based) for one candidate. A look that the gate rejects (too few
 * observations or conversions, a variance of 0) leaves the state as it was: its alpha is spent at
 * the next look that counts. The same look seen again (an iteration analysed twice) replaces its
 * z but spends nothing more. A test that has crossed stays where it crossed.
 */
export function trackGroupSequential(
  previous: GroupSequentialTestState,
  baseline: SampleSummary | null,
  candidate: SampleSummary | null,
  design: GroupSequentialDesign,
  look: number,
  direction: Direction,
  gate: SequentialLookGate,
): GroupSequentialTestState {
  if (previous.crossed !== null) return previous;
  if (!baseline || !candidate || !(baseline.n > 0 && candidate.n > 0)) return previous;
  if (sequentialLookProblem(baseline, candidate, gate) !== null) return previous;
  const z = groupSequentialZ(baseline, candidate, gate.proportion, direction);
  if (z === null) return previous;
  const last = previous.looks.at(-1);
  const looks = last !== undefined && look <= last ? previous.looks : [...previous.looks, look];
  const bound = groupSequentialBoundaries(design, looks).at(-1)!;
  const crossed = z >= bound.upper ? "upper" : -z >= bound.lower ? "lower" : null;
  return { looks, spentUpper: bound.spentUpper, spentLower: bound.spentLower, z, crossed };
}

/** The boundaries of a test's last look, or null before its first. */
export function lastBoundary(test: GroupSequentialTestState, design: GroupSequentialDesign): LookBoundary | null {
  return test.looks.length === 0 ? null : groupSequentialBoundaries(design, test.looks).at(-1)!;
}

/** The reported form of a group-sequential test (in the shape of the always-valid evidence). */
export function groupSequentialEvidence(
  test: GroupSequentialTestState,
  design: GroupSequentialDesign,
  alwaysValid: SequentialEvidence | undefined,
): SequentialEvidence {
  const bound = lastBoundary(test, design);
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  return {
    pValue: alwaysValid?.pValue ?? 1,
    lower: alwaysValid?.lower ?? null,
    upper: alwaysValid?.upper ?? null,
    estimate: alwaysValid?.estimate ?? null,
    looks: test.looks.length,
    alpha: design.alphaUpper,
    favours: test.crossed === "upper" ? "candidate" : test.crossed === "lower" ? "baseline" : null,
    design: "group-sequential",
    groupSequential: {
      spending: design.spending,
      z: test.z,
      look: test.looks.at(-1) ?? 0,
      plannedLooks: design.plannedLooks,
      upperBound: finite(bound?.upper),
      lowerBound: finite(bound?.lower),
      spentUpper: test.spentUpper,
      spentLower: test.spentLower,
      alphaUpper: design.alphaUpper,
      alphaLower: design.alphaLower,
    },
  };
}
