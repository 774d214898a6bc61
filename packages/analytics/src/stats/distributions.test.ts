import { describe, expect, it } from "vitest";
import {
  betaPdf,
  betaQuantile,
  betaTails,
  chiSquareTails,
  normalCdf,
  normalQuantile,
  normalTails,
  studentTQuantile,
  studentTTails,
} from "./distributions";

// Reference values: mpmath at 40 digits, or the closed forms named in each test.
const close = (actual: number, expected: number, rel = 1e-12) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

describe("normal", () => {
  it("gives Φ with full relative accuracy far into the lower tail", () => {
    close(normalCdf(1.2345), 0.8914916766373299);
    close(normalTails(-8).lower, 6.220960574271784e-16);
    close(normalTails(-30).lower, 4.906713927148187e-198);
    close(normalTails(30).upper, 4.906713927148187e-198);
  });

  it("inverts Φ", () => {
    close(normalQuantile(0.975), 1.9599639845400543, 1e-14);
    close(normalQuantile(1e-10), -6.361340902404057, 1e-13);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 15);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe("Student t", () => {
  it("matches the Cauchy (1 dof) and 2-dof closed forms", () => {
    close(studentTTails(2, 1).lower, 0.5 + Math.atan(2) / Math.PI);
    close(studentTTails(-1.5, 2).lower, 0.5 - 1.5 / (2 * Math.sqrt(2 + 1.5 * 1.5)));
  });

  it("matches high-precision tails", () => {
    close(studentTTails(-3, 5).lower, 0.015049623948731286);
    close(studentTTails(-40, 3).lower, 1.7190340394579263e-05);
  });

  it("gives textbook quantiles", () => {
    close(studentTQuantile(0.975, 10), 2.228138851986275);
    close(studentTQuantile(0.995, 2.5), 7.163728138948786);
    close(studentTQuantile(0.95, 149), 1.6551445337979565);
    close(studentTQuantile(0.975, 5841.74203209357), 1.9603701569544811);
  });
});

describe("beta", () => {
  it("inverts the CDF, matching Beta(1, b)'s closed-form quantile 1 − (1 − p)^(1/b)", () => {
    close(betaQuantile(0.95, 1, 51), 0.05704795236044278);
    close(betaQuantile(0.975, 3, 98), 0.07038393247107012);
    const q = betaQuantile(0.025, 1201, 10801);
    close(betaTails(q, 1201, 10801).lower, 0.025, 1e-11);
  });

  it("has a density that integrates to the CDF", () => {
    // Simpson's rule on [0.01, 0.05] for Beta(3, 98).
    const steps = 2000;
    const h = 0.04 / steps;
    let sum = betaPdf(0.01, 3, 98) + betaPdf(0.05, 3, 98);
    for (let i = 1; i < steps; i++) sum += (i % 2 ? 4 : 2) * betaPdf(0.01 + i * h, 3, 98);
    close((sum * h) / 3, betaTails(0.05, 3, 98).lower - betaTails(0.01, 3, 98).lower, 1e-9);
  });
});

describe("chi-square", () => {
  it("matches closed forms for 2 and 4 degrees of freedom", () => {
    close(chiSquareTails(5.3, 2).upper, Math.exp(-2.65));
    close(chiSquareTails(7.5, 4).upper, Math.exp(-3.75) * (1 + 3.75));
  });

  it("keeps tiny p-values", () => {
    close(chiSquareTails(18.1818181818182, 1).upper, 2.0078656124264654e-05);
    close(chiSquareTails(500, 3).upper, 4.771672031912758e-108, 1e-11);
  });
});
