import { describe, expect, it } from "vitest";
import { gaussLegendre } from "./gauss-legendre";

describe("gaussLegendre", () => {
  it("integrates polynomials up to degree 2n − 1 exactly", () => {
    const rule = gaussLegendre(8);
    const integrate = (f: (t: number) => number) => rule.nodes.reduce((s, t, i) => s + rule.weights[i]! * f(t), 0);
    expect(integrate(() => 1)).toBeCloseTo(2, 14);
    expect(integrate((t) => t ** 14)).toBeCloseTo(2 / 15, 14);
    expect(integrate((t) => t ** 15 + 3 * t ** 2)).toBeCloseTo(2, 14);
  });

  it("integrates from −1 up to every node with the cumulative matrix", () => {
    const rule = gaussLegendre(16);
    const n = rule.size;
    // ∫_{-1}^{t} (3s² + 2s) ds = t³ + t² − (−1 + 1) = t³ + t².
    const f = Array.from(rule.nodes, (s) => 3 * s * s + 2 * s);
    for (let m = 0; m < n; m++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += rule.cumulative[m * n + k]! * f[k]!;
      const t = rule.nodes[m]!;
      expect(acc).toBeCloseTo(t ** 3 + t ** 2, 13);
    }
  });

  it("returns the same rule object for the same size", () => {
    expect(gaussLegendre(16)).toBe(gaussLegendre(16));
  });
});
