import { describe, expect, it } from "vitest";
import { sampleNormal, seededRandom } from "../seeded-random";
import { normalTails } from "./distributions";
import {
  classicalBoundary,
  crossingProbabilities,
  groupSequentialBoundaries,
  spentAlpha,
  type GroupSequentialDesign,
} from "./group-sequential";

const five = [1, 2, 3, 4, 5];
const symmetric = (spending: GroupSequentialDesign["spending"], plannedLooks: number, alpha = 0.025): GroupSequentialDesign => ({
  spending,
  alphaUpper: alpha,
  alphaLower: alpha,
  plannedLooks,
});

describe("group-sequential boundaries", () => {
  it("reproduces the published Lan–DeMets O'Brien–Fleming-like boundaries (K = 5, two-sided α = 0.05)", () => {
    // Equally spaced looks, 0.025 on each side: 4.877, 3.357, 2.680, 2.290, 2.031 in the
    // group-sequential literature and software.
    const bounds = groupSequentialBoundaries(symmetric("obrien-fleming", 5), five);
    expect(bounds.map((b) => b.upper)).toEqual(
      [4.877, 3.357, 2.68, 2.29, 2.031].map((x) => expect.closeTo(x, 3)),
    );
    expect(bounds.map((b) => b.lower)).toEqual(bounds.map((b) => expect.closeTo(b.upper, 9)));
    expect(bounds.at(-1)!.spentUpper).toBeCloseTo(0.025, 12);
  });

  it("reproduces the published Lan–DeMets Pocock-like boundaries (K = 5, two-sided α = 0.05)", () => {
    const bounds = groupSequentialBoundaries(symmetric("pocock", 5), five);
    expect(bounds.map((b) => b.upper)).toEqual([2.438, 2.427, 2.41, 2.397, 2.386].map((x) => expect.closeTo(x, 3)));
  });

  it("reproduces the classical constants of Pocock (1977) and O'Brien & Fleming (1979)", () => {
    // Two-sided α = 0.05: Pocock's flat boundary 2.178 (K = 2) and 2.413 (K = 5); O'Brien–Fleming's
    // c·√(K/k) with c = 2.040 (K = 5): the tables of Jennison & Turnbull (2000), ch. 2.
    expect(classicalBoundary("pocock", 2, 0.05)).toBeCloseTo(2.178, 3);
    expect(classicalBoundary("pocock", 5, 0.05)).toBeCloseTo(2.413, 3);
    expect(classicalBoundary("obrien-fleming", 5, 0.05)).toBeCloseTo(2.04, 3);
  });

  it("crosses with the designed probability when cumulative z statistics are simulated", () => {
    // 20 planned looks, looks from 2 on (the first skipped), one unit of information per look.
    const design: GroupSequentialDesign = { spending: "obrien-fleming", alphaUpper: 0.02, alphaLower: 0.005, plannedLooks: 20 };
    const looks = Array.from({ length: 19 }, (_, i) => i + 2);
    const bounds = groupSequentialBoundaries(design, looks);
    const random = seededRandom("group-sequential monte carlo");
    const paths = 200_000;
    let up = 0;
    let down = 0;
    for (let p = 0; p < paths; p++) {
      let score = 0;
      let info = 0;
      for (const b of bounds) {
        while (info < b.look) {
          score += sampleNormal(random);
          info++;
        }
        const z = score / Math.sqrt(info);
        if (z >= b.upper) {
          up++;
          break;
        }
        if (-z >= b.lower) {
          down++;
          break;
        }
      }
    }
    // Four binomial standard errors.
    expect(Math.abs(up / paths - 0.02)).toBeLessThan(4 * Math.sqrt((0.02 * 0.98) / paths));
    expect(Math.abs(down / paths - 0.005)).toBeLessThan(4 * Math.sqrt((0.005 * 0.995) / paths));
    const exact = crossingProbabilities(bounds);
    expect(exact.upper).toBeCloseTo(0.02, 10);
    expect(exact.lower).toBeCloseTo(0.005, 10);
  });

  it("spends the alpha of skipped looks at the next look that counts, and none past the plan", () => {
    const design = symmetric("obrien-fleming", 20);
    const [first] = groupSequentialBoundaries(design, [4]);
    // Nothing before look 4: all of α(4/20) is spent there, so the boundary is a single look's.
    const spent = spentAlpha("obrien-fleming", 0.025, 4 / 20);
    expect(first!.spentUpper).toBeCloseTo(spent, 15);
    expect(normalTails(first!.upper).upper).toBeCloseTo(spent, 15);
    const bounds = groupSequentialBoundaries(design, [4, 9, 20, 21]);
    expect(bounds[2]!.spentUpper).toBeCloseTo(0.025, 12);
    expect(bounds[3]!.upper).toBe(Number.POSITIVE_INFINITY);
    expect(bounds[3]!.spentUpper).toBe(bounds[2]!.spentUpper);
  });

  it("gives a single look the fixed-horizon test and its power", () => {
    const [only] = groupSequentialBoundaries(symmetric("pocock", 1), [1]);
    expect(only!.upper).toBeCloseTo(1.959964, 5);
    // Drift 2.8 per unit information at one look: power Φ(2.8 − 1.96) ≈ 0.80.
    expect(crossingProbabilities([only!], 2.8).upper).toBeCloseTo(normalTails(1.959964 - 2.8).upper, 6);
  });

  it("spending functions spend all of alpha at the horizon and increase", () => {
    for (const spending of ["obrien-fleming", "pocock"] as const) {
      const values = [0.05, 0.25, 0.5, 0.75, 1, 2].map((t) => spentAlpha(spending, 0.01, t));
      expect(values.at(-2)).toBe(0.01);
      expect(values.at(-1)).toBe(0.01);
      values.slice(1).forEach((v, i) => expect(v).toBeGreaterThanOrEqual(values[i]!));
    }
    expect(spentAlpha("pocock", 0.01, 0.5)).toBeCloseTo(0.01 * Math.log(1 + (Math.E - 1) / 2), 15);
  });

  it("names the argument at fault", () => {
    expect(() => groupSequentialBoundaries(symmetric("obrien-fleming", 0), [1])).toThrow(/plannedLooks must be a whole number ≥ 1 \(got 0\)/);
    expect(() => groupSequentialBoundaries(symmetric("obrien-fleming", 5), [2, 2])).toThrow(/looks must be increasing/);
    expect(() => groupSequentialBoundaries({ ...symmetric("obrien-fleming", 5), alphaUpper: 0.7 }, [1])).toThrow(/alphaUpper must lie in \[0, 0\.5\)/);
  });
});
