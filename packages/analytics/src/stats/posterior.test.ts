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
  reportedInterval,
  REPORTED_INTERVAL_EXPANSION_FROM,
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

describe("reportedInterval", () => {
  /** Largest distance from the exact interval, in posterior standard deviations. */
  function worstError(alphas: number[]): number {
    let worst = 0;
    for (const a of alphas) {
      for (const b of [a, 5 * a, 100 * a, 1e6]) {
        for (const level of [0.9, 0.95, 0.99]) {
          const posterior = { family: "beta" as const, alpha: a, beta: b };
          const exact = credibleInterval(posterior, level);
          const approx = reportedInterval(posterior, level);
          const sd = posteriorSd(posterior);
          worst = Math.max(worst, Math.abs(exact[0] - approx[0]) / sd, Math.abs(exact[1] - approx[1]) / sd);
        }
      }
    }
    return worst;
  }

  it("stays within 2e-3 posterior standard deviations of the exact interval (2.2e-4 from 100 on)", () => {
    expect(worstError([30, 45, 70])).toBeLessThan(2e-3);
    expect(worstError([100, 400, 5000, 1e5])).toBeLessThan(2.2e-4);
    for (const dof of [30, 200, 1e5]) {
      const posterior = meanPosterior(dof + 1, 212, 40);
      const exact = credibleInterval(posterior, 0.95);
      const approx = reportedInterval(posterior, 0.95);
      expect(Math.abs(exact[0] - approx[0]) / posteriorSd(posterior)).toBeLessThan(1e-5);
      expect(Math.abs(exact[1] - approx[1]) / posteriorSd(posterior)).toBeLessThan(1e-5);
    }
  });

  it("is the exact interval below the threshold", () => {
    const small = betaPosterior(12, 400);
    expect(reportedInterval(small, 0.95)).toEqual(credibleInterval(small, 0.95));
    expect(REPORTED_INTERVAL_EXPANSION_FROM).toBe(30);
  });
});
