import { describe, expect, it } from "vitest";
import { groupSequentialBoundaries, type GroupSequentialDesign } from "./group-sequential";
import { proportionSummary } from "./sample-summary";
import {
  groupSequentialStateProblem,
  groupSequentialZ,
  INITIAL_GROUP_SEQUENTIAL_TEST,
  trackGroupSequential,
} from "./track-group-sequential";

const design: GroupSequentialDesign = { spending: "obrien-fleming", alphaUpper: 0.009, alphaLower: 0.001, plannedLooks: 20 };
const gate = { proportion: true, minSamples: 150, minConversions: 5 };

describe("trackGroupSequential", () => {
  it("skips a look the gate rejects, so its alpha is spent at the next look that counts", () => {
    const skipped = trackGroupSequential(INITIAL_GROUP_SEQUENTIAL_TEST, proportionSummary(2000, 200), proportionSummary(40, 5), design, 1, "High", gate);
    expect(skipped).toEqual(INITIAL_GROUP_SEQUENTIAL_TEST);
    const counted = trackGroupSequential(skipped, proportionSummary(4000, 400), proportionSummary(400, 44), design, 2, "High", gate);
    expect(counted.looks).toEqual([2]);
    expect(counted.spentUpper).toBeCloseTo(groupSequentialBoundaries(design, [2])[0]!.spentUpper, 15);
    expect(groupSequentialStateProblem(counted, design)).toBeNull();
  });

  it("uses the pooled variance under the null and orients z by the preferred direction", () => {
    const baseline = proportionSummary(200, 20);
    const candidate = proportionSummary(200, 6);
    const z = (6 / 200 - 20 / 200) / Math.sqrt(0.065 * 0.935 * (2 / 200));
    expect(groupSequentialZ(baseline, candidate, true, "High")).toBeCloseTo(z, 12);
    expect(groupSequentialZ(baseline, candidate, true, "Low")).toBeCloseTo(-z, 12);
  });

  it("crosses the lower boundary for a clearly worse candidate and stays crossed", () => {
    // A look at 19 of 20: the boundaries are close to their final values.
    const before = { ...INITIAL_GROUP_SEQUENTIAL_TEST };
    const worse = trackGroupSequential(before, proportionSummary(20000, 2400), proportionSummary(20000, 2000), design, 19, "High", gate);
    expect(worse.crossed).toBe("lower");
    const later = trackGroupSequential(worse, proportionSummary(20000, 2000), proportionSummary(20000, 2400), design, 20, "High", gate);
    expect(later).toBe(worse);
  });

  it("treats the same look seen again as one look", () => {
    const once = trackGroupSequential(INITIAL_GROUP_SEQUENTIAL_TEST, proportionSummary(4000, 400), proportionSummary(4000, 410), design, 3, "High", gate);
    const again = trackGroupSequential(once, proportionSummary(4100, 410), proportionSummary(4100, 420), design, 3, "High", gate);
    expect(again.looks).toEqual([3]);
    expect(again.spentUpper).toBe(once.spentUpper);
    expect(again.z).not.toBe(once.z);
  });

  it("names a carried state that does not fit its design", () => {
    const state = trackGroupSequential(INITIAL_GROUP_SEQUENTIAL_TEST, proportionSummary(4000, 400), proportionSummary(4000, 410), design, 3, "High", gate);
    expect(groupSequentialStateProblem({ ...state, looks: [3, 2] }, design)).toBe("its looks (3, 2) do not increase");
    expect(groupSequentialStateProblem({ ...INITIAL_GROUP_SEQUENTIAL_TEST, spentUpper: 0.001 }, design)).toBe("it spent alpha without any look");
    expect(groupSequentialStateProblem({ ...state, spentLower: 0.0005 }, design)).toMatch(/^it records alpha spent .* where the design spends .* at looks 3$/);
  });
});
