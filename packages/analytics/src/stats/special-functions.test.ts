import { describe, expect, it } from "vitest";
import { incompleteBeta, incompleteGamma, lnBeta, lnGamma } from "./special-functions";

// Reference values were computed independently with mpmath at 40 significant digits.
const close = (actual: number, expected: number, rel = 1e-13) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

describe("lnGamma", () => {
  it("matches ln Γ at small, half-integer and large arguments", () => {
    close(lnGamma(0.5), 0.5 * Math.log(Math.PI)); // Γ(½) = √π
    close(lnGamma(1e-3), 6.907178885383853);
    close(lnGamma(7.25), 7.0521854507385395);
    close(lnGamma(123456.5), 1323898.630662737, 1e-15);
  });

  it("gives ln (n − 1)! at whole numbers", () => {
    expect(Math.abs(lnGamma(1))).toBeLessThan(1e-14);
    expect(Math.abs(lnGamma(2))).toBeLessThan(1e-14);
    close(lnGamma(11), Math.log(3628800));
    close(lnGamma(21), Math.log(2432902008176640000));
  });

  it("is NaN outside its domain", () => {
    expect(lnGamma(0)).toBeNaN();
    expect(lnGamma(-2.5)).toBeNaN();
  });

  it("lnBeta is consistent with B(a, b) = Γ(a)Γ(b)/Γ(a+b)", () => {
    close(lnBeta(2, 3), Math.log(1 / 12));
    close(lnBeta(1, 50), Math.log(1 / 50));
  });
});

describe("incompleteBeta", () => {
  it("matches closed forms: I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a", () => {
    close(incompleteBeta(0.1, 1, 30).lower, 1 - 0.9 ** 30);
    close(incompleteBeta(0.1, 1, 30).upper, 0.9 ** 30);
    close(incompleteBeta(0.7, 5, 1).lower, 0.7 ** 5);
  });

  it("matches high-precision values for small and large parameters", () => {
    close(incompleteBeta(0.03, 2, 101).lower, 0.8141124912687964);
    close(incompleteBeta(0.05, 3, 98).lower, 0.8817370188148791);
    close(incompleteBeta(0.1, 10001, 90001).lower, 0.49775724600710464, 1e-12);
    close(incompleteBeta(0.097, 10001, 90001).lower, 0.0006953082717087819, 1e-12);
    close(incompleteBeta(0.0101, 1000.5, 99000.5).upper, 0.3776706022027635, 1e-12);
  });

  it("keeps relative accuracy deep in the upper tail instead of returning 1 − cdf", () => {
    close(incompleteBeta(0.2, 3, 98).upper, 6.831709405631783e-08, 1e-12);
    close(incompleteBeta(0.105, 10001, 90001).upper, 1.0562249734088848e-07, 1e-11);
  });

  it("handles the ends of the unit interval and invalid parameters", () => {
    expect(incompleteBeta(0, 2, 3)).toEqual({ lower: 0, upper: 1 });
    expect(incompleteBeta(1, 2, 3)).toEqual({ lower: 1, upper: 0 });
    expect(incompleteBeta(0.5, 0, 3).lower).toBeNaN();
  });
});

describe("incompleteGamma", () => {
  it("matches closed forms for whole shapes: Q(n, x) = e^-x Σ_{k<n} x^k / k!", () => {
    const x = 3.75;
    close(incompleteGamma(2, x).upper, Math.exp(-x) * (1 + x));
    close(incompleteGamma(1, 0.4).lower, 1 - Math.exp(-0.4));
  });

  it("matches high-precision values in both regimes", () => {
    close(incompleteGamma(5, 20).upper, 1.6944743930067385e-05, 1e-12);
    close(incompleteGamma(0.5, 1e-3).lower, 0.03567059172967989, 1e-12);
  });
});
