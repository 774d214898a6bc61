import { describe, expect, it } from "vitest";
import { AnalyticsError } from "./analytics-error";
import { roundWeights } from "./round-weights";

describe("roundWeights", () => {
  it("keeps whole weights as they are", () => {
    expect(roundWeights([5, 95])).toEqual([5, 95]);
    expect(roundWeights([90, 10])).toEqual([90, 10]);
  });

  it("gives the missing unit to the largest remainder", () => {
    // 86.67 / 10 / 3.33: floors sum to 99, the baseline's .67 is the largest remainder.
    expect(roundWeights([86 + 2 / 3, 10, 3 + 1 / 3])).toEqual([87, 10, 3]);
    expect(roundWeights([20.4, 30.3, 49.3])).toEqual([21, 30, 49]);
  });

  it("breaks exact ties by version order, despite float noise in the remainders", () => {
    // One best of three: 3.33 / 93.33 / 3.33 — all remainders are one third.
    expect(roundWeights([10 / 3, 100 * (0.1 / 3 + 0.9), 10 / 3])).toEqual([4, 93, 3]);
    // Two tied of four: 2.5 / 47.5 / 47.5 / 2.5 — the two missing units go to the first two.
    expect(roundWeights([2.5, 47.5, 47.5, 2.5])).toEqual([3, 48, 47, 2]);
  });

  it("always sums to the total, for shares of any size", () => {
    for (const shares of [[0.1, 0.2, 0.7], [17, 17, 17, 17, 17, 17], [99.999, 0.001], [1e-12, 1], [1, 1, 1]]) {
      expect(roundWeights(shares).reduce((a, b) => a + b, 0)).toBe(100);
    }
    expect(roundWeights([1, 1, 1])).toEqual([34, 33, 33]);
    expect(roundWeights([0, 0])).toEqual([50, 50]);
  });

  it("always sums to the total and is the same on every call", () => {
    const weights = [12.345, 0.001, 33.3, 54.354];
    const first = roundWeights(weights);
    expect(first.reduce((a, b) => a + b, 0)).toBe(100);
    for (let i = 0; i < 5; i++) expect(roundWeights(weights)).toEqual(first);
  });

  it("rescales weights that do not sum to the total, and shares equally when all are zero", () => {
    expect(roundWeights([1, 3])).toEqual([25, 75]);
    expect(roundWeights([0, 0, 0])).toEqual([34, 33, 33]);
    expect(roundWeights([1, 1], 7)).toEqual([4, 3]);
  });

  it("gives no weights for no versions instead of throwing (an experiment with no versions to weigh)", () => {
    expect(roundWeights([])).toEqual([]);
    expect(roundWeights([], 7)).toEqual([]);
  });

  it("treats float noise below zero as zero but rejects real negatives", () => {
    expect(roundWeights([100 + 1e-12, -1e-12])).toEqual([100, 0]);
    expect(() => roundWeights([110, -10])).toThrow(AnalyticsError);
    expect(() => roundWeights([Number.NaN])).toThrow(
      expect.objectContaining({ name: "AnalyticsError", code: "invalid_argument", message: expect.stringContaining("weight 0") }),
    );
    expect(() => roundWeights([50, 50], 99.5)).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });
});
