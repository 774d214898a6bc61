import { describe, expect, it } from "vitest";
import {
  asymptoticConfidenceSequence,
  confidenceSequenceRho,
  INITIAL_ALWAYS_VALID_STATE,
  msprt,
  updateAlwaysValid,
} from "./msprt";
import { proportionSummary, sumsSummary } from "./sample-summary";

const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(1e-9, 1e-7 * Math.abs(expected)));

describe("asymptoticConfidenceSequence", () => {
  it("reproduces GrowthBook's sequential case for means (tuning 1000)", () => {
    const cs = asymptoticConfidenceSequence(sumsSummary(3000, 1396.87, 52377.9767), sumsSummary(3461, 2422.7, 134698.29), {
      tuning: 1000,
    })!;
    close(cs.expected, 0.503361085856236);
    close(cs.standardError, 0.333412214640073);
    close(cs.rho, 0.0890850975289221);
    close(cs.halfwidth, 1.06180159096397);
    close(cs.ci[0], -0.558440505107731);
    close(cs.ci[1], 1.5651626768202);
    expect(cs.pValue).toBe(1);
  });

  it("reproduces GrowthBook's sequential case for proportions, including a p-value of 5e-44", () => {
    const cs = asymptoticConfidenceSequence(proportionSummary(3000, 1396), proportionSummary(3461, 2422))!;
    close(cs.expected, 0.50386335168215);
    close(cs.standardError, 0.0338602147982312);
    close(cs.rho, 0.0398400667713737);
    close(cs.halfwidth, 0.102884854996208);
    close(cs.ci[0], 0.400978496685941);
    close(cs.ci[1], 0.606748206678358);
    expect(Math.abs(cs.pValue / 5.17471668283985e-44 - 1)).toBeLessThan(1e-7);
  });
});

describe("msprt", () => {
  it("is the asymptotic confidence sequence with τ² = se² n ρ²", () => {
    const a = proportionSummary(5000, 500);
    const b = proportionSummary(5000, 560);
    const cs = asymptoticConfidenceSequence(a, b, { differenceType: "absolute", tuning: 20000, alpha: 0.1 })!;
    const variance = cs.standardError ** 2;
    const rho = confidenceSequenceRho(0.1, 20000);
    const look = msprt({ estimate: cs.expected, variance, mixingVariance: variance * 10000 * rho * rho, alpha: 0.1 });
    close(look.pValue, cs.pValue);
    close(look.radius, cs.halfwidth);
  });

  it("computes Λ and the radius from their formulas", () => {
    // V = 1, τ² = 3, d = 2: Λ = √(1/4)·exp(3·4/(2·1·4)) = 0.5·e^1.5; r² = (4/3)(ln 4 − 2 ln 0.05).
    const look = msprt({ estimate: 2, variance: 1, mixingVariance: 3, alpha: 0.05 });
    close(look.logLikelihoodRatio, Math.log(0.5) + 1.5);
    close(look.pValue, 1 / (0.5 * Math.exp(1.5)));
    close(look.radius, Math.sqrt((4 / 3) * (Math.log(4) - 2 * Math.log(0.05))));
  });

  it("rejects a zero variance", () => {
    expect(() => msprt({ estimate: 1, variance: 0, mixingVariance: 1, alpha: 0.05 })).toThrow(/positive variance/);
  });
});

describe("updateAlwaysValid", () => {
  it("keeps the smallest p-value and the intersection of the intervals", () => {
    let state = updateAlwaysValid(INITIAL_ALWAYS_VALID_STATE, { pValue: 0.4, interval: [-1, 3] });
    state = updateAlwaysValid(state, { pValue: 0.03, interval: [0.2, 2] });
    state = updateAlwaysValid(state, { pValue: 0.2, interval: [-0.5, 1.5] });
    expect(state).toEqual({ pValue: 0.03, lower: 0.2, upper: 1.5, looks: 3 });
  });
});
