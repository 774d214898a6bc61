import { describe, expect, it } from "vitest";
import {
  betaPosterior,
  credibleInterval,
  meanPosterior,
  normalPosterior,
  posteriorMean,
  posteriorQuantile,
  posteriorSd,
  posteriorTails,
} from "./posterior";

describe("betaPosterior", () => {
  it("adds successes and failures to the uniform prior", () => {
    expect(betaPosterior(3, 100)).toEqual({ family: "beta", alpha: 4, beta: 98 });
    expect(betaPosterior(3, 100, { alpha: 2, beta: 5 })).toEqual({ family: "beta", alpha: 5, beta: 102 });
  });

  it("clamps impossible counts instead of producing negative parameters", () => {
    expect(betaPosterior(120, 100)).toEqual({ family: "beta", alpha: 101, beta: 1 });
    expect(betaPosterior(-1, 10)).toEqual({ family: "beta", alpha: 1, beta: 11 });
  });

  it("after n requests without errors bounds the error rate near 3/n (rule of three)", () => {
    const n = 1000;
    const posterior = betaPosterior(0, n);
    // Beta(1, n + 1): the 95% upper bound is 1 − 0.05^(1/(n+1)) ≈ 2.99/n.
    const upper = posteriorQuantile(posterior, 0.95);
    expect(upper).toBeCloseTo(1 - 0.05 ** (1 / (n + 1)), 14);
    expect(upper * n).toBeGreaterThan(2.9);
    expect(upper * n).toBeLessThan(3.0);
  });

  it("has the Beta moments", () => {
    const p = betaPosterior(20, 200);
    expect(posteriorMean(p)).toBeCloseTo(21 / 202, 15);
    expect(posteriorSd(p)).toBeCloseTo(Math.sqrt((21 * 181) / (202 * 202 * 203)), 15);
  });
});

describe("meanPosterior", () => {
  it("is a Student t with n − 1 dof, centred at the sample mean, scale sd/√n", () => {
    const p = meanPosterior(50, 180, 40);
    expect(p).toEqual({ family: "student-t", dof: 49, location: 180, scale: 40 / Math.sqrt(50) });
    // P(μ ≤ 190) for n = 50, mean 180, sd 40 (mpmath: 0.9583369201292453).
    expect(posteriorTails(p, 190).lower).toBeCloseTo(0.9583369201292453, 13);
  });
});

describe("credibleInterval", () => {
  it("is equal-tailed", () => {
    const p = betaPosterior(30, 400);
    const [lo, hi] = credibleInterval(p, 0.9);
    expect(posteriorTails(p, lo).lower).toBeCloseTo(0.05, 12);
    expect(posteriorTails(p, hi).upper).toBeCloseTo(0.05, 12);
  });

  it("for a normal posterior is mean ± 1.96 sd at 95%", () => {
    const [lo, hi] = credibleInterval(normalPosterior(10, 2), 0.95);
    expect(lo).toBeCloseTo(10 - 2 * 1.959963984540054, 12);
    expect(hi).toBeCloseTo(10 + 2 * 1.959963984540054, 12);
  });
});
