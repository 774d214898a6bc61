import { describe, expect, it } from "vitest";
import { gaussianRisk } from "./bayesian-effect";
import { normalCdf } from "./distributions";
import type { BetaPosterior, Posterior } from "./posterior";
import { compareArms, expectedLoss, probabilityBest, probabilityBetaGreater } from "./probability-best";
import { StatisticsError } from "./statistics-error";

const beta = (alpha: number, b: number): BetaPosterior => ({ family: "beta", alpha, beta: b });

describe("probabilityBetaGreater (closed form)", () => {
  it("gives 2/3 for Beta(2, 1) against a uniform", () => {
    expect(probabilityBetaGreater(beta(1, 1), beta(2, 1))).toBeCloseTo(2 / 3, 14);
  });

  it("sums terms that individually underflow", () => {
    // mpmath, 30 digits: 0.9311102798806045.
    expect(probabilityBetaGreater(beta(10001, 90001), beta(10201, 89801))).toBeCloseTo(0.9311102798806045, 8);
  });

  it("needs a whole-number alpha for the second Beta", () => {
    expect(() => probabilityBetaGreater(beta(1, 1), beta(2.5, 1))).toThrow(StatisticsError);
  });
});

describe("probabilityBest", () => {
  it("agrees with the two-Beta closed form", () => {
    const cases: [BetaPosterior, BetaPosterior][] = [
      [beta(101, 901), beta(121, 881)],
      [beta(1, 101), beta(3, 5)],
      [beta(50, 50), beta(1, 1000)],
      [beta(1, 1), beta(2, 1)],
    ];
    for (const [a, b] of cases) {
      const [pa, pb] = probabilityBest([a, b]);
      const exact = probabilityBetaGreater(a, b);
      expect(Math.abs(pb! - exact)).toBeLessThan(1e-11);
      expect(Math.abs(pa! + pb! - 1)).toBeLessThan(1e-12);
    }
  });

  it("resolves posteriors from hundreds of thousands of requests (high-precision references)", () => {
    // P(B > A), mpmath with 30 digits.
    expect(probabilityBest([beta(10001, 90001), beta(10201, 89801)])[1]).toBeCloseTo(0.9311102798806045, 12);
    // A tight posterior (a million requests) against a vague one (ten).
    expect(probabilityBest([beta(100001, 900001), beta(2, 9)])[1]).toBeCloseTo(0.7360956360487944, 12);
  });

  it("reverses with the preferred direction", () => {
    const arms = [beta(101, 901), beta(121, 881)];
    const high = probabilityBest(arms, "High");
    const low = probabilityBest(arms, "Low");
    expect(low[0]).toBeCloseTo(high[1]!, 12);
  });

  it("splits evenly between identical posteriors", () => {
    const three = probabilityBest([beta(50, 450), beta(50, 450), beta(50, 450)]);
    for (const p of three) expect(p).toBeCloseTo(1 / 3, 12);
  });

  it("matches Φ(μ/s) for two normal posteriors", () => {
    const arms: Posterior[] = [
      { family: "normal", mean: 10, sd: 3 },
      { family: "normal", mean: 11, sd: 4 },
    ];
    expect(probabilityBest(arms)[1]).toBeCloseTo(normalCdf(1 / 5), 12);
  });

  it("is deterministic and independent of the order of the versions", () => {
    const arms = [beta(40, 360), beta(44, 356), beta(47, 353), beta(39, 361)];
    const once = compareArms(arms);
    expect(compareArms(arms)).toEqual(once);
    const reversed = compareArms([...arms].reverse());
    expect(reversed.probabilityBest.reverse().map((p) => p.toFixed(11))).toEqual(once.probabilityBest.map((p) => p.toFixed(11)));
  });

  it("rejects a posterior without spread", () => {
    expect(() => probabilityBest([{ family: "normal", mean: 1, sd: 0 }, { family: "normal", mean: 2, sd: 1 }])).toThrow(
      /no spread/,
    );
  });
});

describe("expectedLoss", () => {
  it("matches the closed form E[max(X_B − X_A, 0)] for two normal posteriors", () => {
    const arms: Posterior[] = [
      { family: "normal", mean: 0.1, sd: 0.03 },
      { family: "normal", mean: 0.11, sd: 0.04 },
    ];
    const s = Math.hypot(0.03, 0.04);
    const [keepA, shipB] = gaussianRisk(0.01, s);
    const loss = expectedLoss(arms, "High");
    expect(loss[0]).toBeCloseTo(keepA, 12);
    expect(loss[1]).toBeCloseTo(shipB, 12);
    // For a lower-is-better metric choosing the higher mean is the risky choice.
    const low = expectedLoss(arms, "Low");
    expect(low[0]).toBeCloseTo(shipB, 12);
    expect(low[1]).toBeCloseTo(keepA, 12);
  });

  it("is zero for a single version and never negative", () => {
    expect(compareArms([beta(3, 9)])).toEqual({ probabilityBest: [1], expectedLoss: [0] });
    for (const l of expectedLoss([beta(500, 500), beta(2, 2)])) expect(l).toBeGreaterThanOrEqual(0);
  });
});

describe("probabilityBest with Student-t posteriors", () => {
  it("approaches the normal answer as the degrees of freedom grow", () => {
    const t = (location: number, dof: number): Posterior => ({ family: "student-t", dof, location, scale: 1 });
    const p = probabilityBest([t(0, 1e6), t(0.5, 1e6)])[1]!;
    expect(p).toBeCloseTo(normalCdf(0.5 / Math.SQRT2), 5);
    // Heavier tails make the same shift less convincing.
    expect(probabilityBest([t(0, 3), t(0.5, 3)])[1]!).toBeLessThan(p);
    expect(probabilityBest([t(0, 3), t(0.5, 3)])[1]!).toBeGreaterThan(0.5);
  });
});
