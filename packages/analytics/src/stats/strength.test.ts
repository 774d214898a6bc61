import { describe, expect, it } from "vitest";
import { StatisticsError } from "./statistics-error";
import { isStatisticsMode, parseStrength, StrengthSchema } from "./strength";

describe("parseStrength", () => {
  it("fills every default from {}", () => {
    expect(parseStrength({})).toEqual({
      method: "bayesian",
      confidence: 0.95,
      minSamples: 150,
      minConversions: 5,
      sequential: true,
      design: "group-sequential",
      spending: "obrien-fleming",
      alpha: 0.009,
      baselineAlpha: 0.001,
      sequentialTuning: 20000,
      lossThreshold: 0.0025,
      srmThreshold: 0.001,
      exploration: 0.1,
      weightFloor: 0.01,
      topTwo: 0.75,
      prior: { alpha: 1, beta: 1 },
      metrics: {},
    });
  });

  it("reads the documented example and treats `true` as the defaults", () => {
    const s = parseStrength({ method: "bayesian", confidence: 0.99, sequential: false, minSamples: 500 });
    expect(s).toMatchObject({ confidence: 0.99, sequential: false, minSamples: 500, alpha: 0.009 });
    expect(parseStrength(true)).toEqual(parseStrength({}));
  });

  it("names every field at fault, with what is allowed", () => {
    let error: unknown;
    try {
      parseStrength({ confidence: 1.2, minSamples: -3, prior: { alpha: 0.5, beta: 1 }, metrics: { "default/x": { model: "median" } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StatisticsError);
    const { code, message } = error as StatisticsError;
    expect(code).toBe("invalid_strength");
    expect(message).toContain("spec.criteria.strength.confidence: must be below 1");
    expect(message).toContain("spec.criteria.strength.minSamples: must not be negative");
    expect(message).toContain("spec.criteria.strength.prior.alpha: must be at least 1");
    expect(message).toContain('spec.criteria.strength.metrics["default/x"].model: must be proportion');
  });

  it("rejects unknown fields and says which ones exist", () => {
    expect(() => parseStrength({ confidense: 0.9 })).toThrow(
      /spec\.criteria\.strength: unknown field confidense; known fields are method, confidence, minSamples/,
    );
    expect(() => parseStrength({ prior: { alpha: 2, beta: 2, gamma: 1 } })).toThrow(/prior: unknown field gamma; known fields are alpha, beta/);
  });

  it("rejects a value that is not an object", () => {
    expect(() => parseStrength("strong")).toThrow(/spec\.criteria\.strength: must be an object/);
  });

  it("round-trips its own output", () => {
    const resolved = parseStrength({ topTwo: 1, metrics: { "default/m": { model: "mean", stddev: 12 } } });
    expect(StrengthSchema.parse(resolved)).toEqual(resolved);
  });
});

describe("isStatisticsMode", () => {
  it("is on for any strength but absent, null or false", () => {
    expect(isStatisticsMode({})).toBe(true);
    expect(isStatisticsMode({ confidence: 0.9 })).toBe(true);
    expect(isStatisticsMode(undefined)).toBe(false);
    expect(isStatisticsMode(null)).toBe(false);
    expect(isStatisticsMode(false)).toBe(false);
  });
});
