import { describe, expect, it } from "vitest";
import { mixAllocation, topTwoThompson } from "./thompson-allocation";

describe("topTwoThompson", () => {
  it("splits two versions evenly with b = ½ whatever their win probabilities", () => {
    for (const p of [0.9, 0.3, 0.02]) {
      const [a, b] = topTwoThompson([p, 1 - p], 0.5);
      expect(a).toBeCloseTo(0.5, 14);
      expect(b).toBeCloseTo(0.5, 14);
    }
  });

  it("is plain Thompson sampling with b = 1", () => {
    const psi = topTwoThompson([0.5, 0.3, 0.2], 1);
    [0.5, 0.3, 0.2].forEach((p, i) => expect(psi[i]).toBeCloseTo(p, 15));
  });

  it("matches a hand computation for three versions", () => {
    // ratios p/(1−p): 1, 3/7, 1/4; ψ_i = p_i (½ + ½ Σ_{j≠i} ratio_j).
    const psi = topTwoThompson([0.5, 0.3, 0.2], 0.5);
    expect(psi[0]).toBeCloseTo(0.5 * (0.5 + 0.5 * (3 / 7 + 1 / 4)), 14);
    expect(psi[1]).toBeCloseTo(0.3 * (0.5 + 0.5 * (1 + 1 / 4)), 14);
    expect(psi[2]).toBeCloseTo(0.2 * (0.5 + 0.5 * (1 + 3 / 7)), 14);
    expect(psi.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 14);
  });

  it("shares the challenger's part evenly when one version is certain", () => {
    expect(topTwoThompson([0, 1, 0], 0.75)).toEqual([0.125, 0.75, 0.125]);
  });
});

describe("mixAllocation", () => {
  it("mixes in uniform exploration, then lifts everyone to the floor", () => {
    const w = mixAllocation([1, 0], 0.1, 0.01);
    expect(w[0]).toBeCloseTo(0.01 + 0.98 * 0.95, 15);
    expect(w[1]).toBeCloseTo(0.01 + 0.98 * 0.05, 15);
  });

  it("keeps the total at 1", () => {
    const w = mixAllocation([0.2, 0.5, 0.3, 0], 0.2, 0.05);
    expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 15);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(0.05);
  });
});
