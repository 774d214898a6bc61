import { describe, expect, it } from "vitest";
import { sumsSummary } from "./sample-summary";
import { welchTTest } from "./welch-t-test";

describe("welchTTest", () => {
  it("reproduces GrowthBook's two-sided absolute t-test case", () => {
    const result = welchTTest(sumsSummary(3407, 1396.87, 52377.9767), sumsSummary(3461, 2422.7, 134698.29))!;
    const close = (actual: number, expected: number) =>
      expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(1e-9, 1e-7 * Math.abs(expected)));
    close(result.expected, 0.29);
    close(result.standardError, 0.124783631587588);
    close(result.dof, 5841.74203209357);
    close(result.ci[0], 0.0453778925592901);
    close(result.ci[1], 0.53462210744071);
    close(result.pValue, 0.020158402643587);
  });

  it("needs two observations per arm", () => {
    expect(welchTTest(sumsSummary(1, 3, 9), sumsSummary(10, 50, 300))).toBeNull();
  });
});
