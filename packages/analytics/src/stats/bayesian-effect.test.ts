import { describe, expect, it } from "vitest";
import { bayesianEffect, gaussianRisk } from "./bayesian-effect";
import { proportionSummary, sumsSummary } from "./sample-summary";

// Expected values reproduce GrowthBook's published Bayesian test cases (gbstats
// tests/bayesian/test_tests.py), recomputed to full precision.
const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(1e-9, 1e-7 * Math.abs(expected)));

describe("bayesianEffect", () => {
  it("reproduces the binomial relative-effect case (49/100 vs 51/100)", () => {
    const result = bayesianEffect(proportionSummary(100, 49), proportionSummary(100, 51))!;
    close(result.expected, 0.0408163265306123);
    close(result.stddev, 0.147252545734694);
    close(result.ci[0], -0.247793359741226);
    close(result.ci[1], 0.329426012802451);
    close(result.chanceToWin, 0.609181309580898);
    close(result.risk[0], 0.0813958491551631);
    close(result.risk[1], 0.0405795226245508);
  });

  it("reproduces the gaussian relative-effect case", () => {
    const result = bayesianEffect(sumsSummary(10, 100, 1002.25), sumsSummary(10, 105, 1111.5))!;
    close(result.expected, 0.05);
    close(result.stddev, 0.0357158928209838);
    close(result.ci[0], -0.0200018636048209);
    close(result.ci[1], 0.120001863604821);
    close(result.chanceToWin, 0.919233908156625);
    close(result.risk[0], 0.0513098171639265);
    close(result.risk[1], 0.00130981716392653);
  });

  it("shrinks towards an informative prior on the relative effect", () => {
    const result = bayesianEffect(sumsSummary(10, 100, 1002.25), sumsSummary(10, 105, 1111.5), {
      prior: { mean: 0.1, variance: 0.1 },
    })!;
    close(result.expected, 0.0506297788831222);
    close(result.stddev, 0.0354902488895802);
    close(result.ci[0], -0.0189298307428176);
    close(result.ci[1], 0.120189388509062);
    close(result.chanceToWin, 0.923149908577296);
    close(result.risk[0], 0.0518568064294336);
    close(result.risk[1], 0.00122702754631141);
  });

  it("swaps chance to win and risk when lower is better", () => {
    const higher = bayesianEffect(proportionSummary(100, 49), proportionSummary(100, 51))!;
    const lower = bayesianEffect(proportionSummary(100, 49), proportionSummary(100, 51), { inverse: true })!;
    close(lower.chanceToWin, 1 - higher.chanceToWin);
    expect(lower.risk).toEqual([higher.risk[1], higher.risk[0]]);
  });

  it("returns null when there is nothing to compare", () => {
    expect(bayesianEffect(proportionSummary(0, 0), proportionSummary(100, 3))).toBeNull();
    expect(bayesianEffect(proportionSummary(100, 0), proportionSummary(100, 3))).toBeNull(); // zero baseline mean
    expect(bayesianEffect(sumsSummary(10, 50, 250), sumsSummary(10, 50, 250), { differenceType: "absolute" })).toBeNull();
  });
});

describe("gaussianRisk", () => {
  it("matches the closed form E[X+], E[X−] (GrowthBook's numerical-stability case)", () => {
    const [keep, ship] = gaussianRisk(0.1, 0.05);
    expect(Math.abs(keep - 0.100424535130841)).toBeLessThan(1e-12);
    expect(Math.abs(ship - 0.000424535130841484)).toBeLessThan(1e-12);
  });

  it("returns the limits far from zero and for no spread", () => {
    expect(gaussianRisk(5, 0.01)).toEqual([5, 0]);
    expect(gaussianRisk(-2, 0)).toEqual([0, 2]);
  });
});
