import { describe, expect, it } from "vitest";
import { roundWeights } from "./round-weights";

describe("roundWeights", () => {
  it("keeps whole weights that already add up to 100", () => {
    expect(roundWeights([5, 95])).toEqual([5, 95]);
  });

  it("gives leftover points to the largest remainders, ties to the earlier version", () => {
    expect(roundWeights([3.33, 93.33, 3.33])).toEqual([3, 94, 3]);
    expect(roundWeights([2.5, 47.5, 47.5, 2.5])).toEqual([3, 48, 47, 2]);
    expect(roundWeights([1, 1, 1])).toEqual([34, 33, 33]);
  });

  it("rescales shares of any total, and splits all-zero shares equally", () => {
    expect(roundWeights([1, 3])).toEqual([25, 75]);
    expect(roundWeights([0, 0])).toEqual([50, 50]);
  });

  it("always adds up to 100", () => {
    for (const shares of [[0.1, 0.2, 0.7], [17, 17, 17, 17, 17, 17], [99.999, 0.001], [1e-12, 1]]) {
      expect(roundWeights(shares).reduce((a, b) => a + b, 0)).toBe(100);
    }
  });

  it("rejects negative and non-finite shares", () => {
    expect(() => roundWeights([-1, 101])).toThrow(RangeError);
    expect(() => roundWeights([Number.NaN])).toThrow(/share 0 is NaN/);
    expect(() => roundWeights([])).toThrow(RangeError);
  });
});
