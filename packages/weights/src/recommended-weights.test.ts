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
