import { describe, expect, it } from "vitest";
import { sampleBeta, sampleGamma, seededRandom } from "./seeded-random";

describe("seededRandom", () => {
  it("repeats its sequence for the same seed and differs for another", () => {
    const a = seededRandom("exp|metric|v1|10");
    const b = seededRandom("exp|metric|v1|10");
    const c = seededRandom("exp|metric|v1|11");
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
  });

  it("stays in [0, 1) and is roughly uniform", () => {
    const random = seededRandom("uniform");
    const draws = Array.from({ length: 10_000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe("sampleBeta", () => {
  it("has the Beta distribution's mean and variance", () => {
    const random = seededRandom("beta");
    const [a, b] = [2, 5];
    const draws = Array.from({ length: 20_000 }, () => sampleBeta(random, a, b));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    expect(mean).toBeCloseTo(a / (a + b), 2);
    expect(variance).toBeCloseTo((a * b) / ((a + b) ** 2 * (a + b + 1)), 3);
    expect(draws.every((x) => x > 0 && x < 1)).toBe(true);
  });

  it("handles shapes below one", () => {
    const random = seededRandom("small");
    const draws = Array.from({ length: 20_000 }, () => sampleGamma(random, 0.5));
    expect(draws.reduce((s, x) => s + x, 0) / draws.length).toBeCloseTo(0.5, 1);
  });

  it("rejects a non-positive shape with a coded error", () => {
    expect(() => sampleBeta(seededRandom("x"), 0, 1)).toThrow(expect.objectContaining({ code: "invalid_argument" }));
    expect(() => sampleGamma(seededRandom("x"), Number.POSITIVE_INFINITY)).toThrow(/finite positive shape/);
  });
});
