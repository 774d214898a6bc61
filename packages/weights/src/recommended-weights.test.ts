import { describe, expect, it } from "vitest";
import { normalizeRecommendedWeights } from "./recommended-weights";

describe("normalizeRecommendedWeights", () => {
  const versions = ["v1", "v2", "v3"];

  it("passes whole weights adding up to 100 through, in version order", () => {
    expect(normalizeRecommendedWeights(versions, [{ name: "v3", value: 5 }, { name: "v1", value: 90 }, { name: "v2", value: 5 }])).toEqual({
      weights: [
        { name: "v1", value: 90 },
        { name: "v2", value: 5 },
        { name: "v3", value: 5 },
      ],
      warnings: [],
    });
  });

  it("rescales weights that are fractional or do not add up to 100, ties to the earlier version, with a warning", () => {
    expect(normalizeRecommendedWeights(versions, [{ name: "v1", value: 10 / 3 }, { name: "v2", value: 100 * (0.1 / 3 + 0.9) }, { name: "v3", value: 10 / 3 }]).weights.map((w) => w.value)).toEqual([4, 93, 3]);
    const out = normalizeRecommendedWeights(["v1", "v2"], [{ name: "v1", value: 1 }, { name: "v2", value: 3 }]);
    expect(out.weights).toEqual([{ name: "v1", value: 25 }, { name: "v2", value: 75 }]);
    expect(out.warnings).toEqual(["recommended weights 1, 3 were rescaled to 25, 75 so that they are whole numbers adding up to 100"]);
  });

  it("drops unknown versions with a warning", () => {
    const out = normalizeRecommendedWeights(["v1", "v2"], [{ name: "v1", value: 90 }, { name: "v2", value: 10 }, { name: "old", value: 0 }]);
    expect(out.weights).toHaveLength(2);
    expect(out.warnings).toEqual(['ignored the recommended weight of "old", which is not a version of this experiment']);
  });

  it("rejects negative values, duplicates, and partial weights above 100", () => {
    expect(() => normalizeRecommendedWeights(versions, [{ name: "v1", value: -5 }])).toThrow(/"v1" is -5/);
    expect(() => normalizeRecommendedWeights(versions, [{ name: "v1", value: 5 }, { name: "v1", value: 5 }])).toThrow(/two recommended weights/);
    expect(() => normalizeRecommendedWeights(versions, [{ name: "v1", value: 60 }, { name: "v2", value: 60 }])).toThrow(/add up to 120/);
  });
});
