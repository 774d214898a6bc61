import { describe, expect, it } from "vitest";
import { srmExpectedCounts, srmTest, srmTestPeriods } from "./srm";

describe("srmTest", () => {
  it("flags 1000 vs 1200 units at a 50/50 split (GrowthBook's case)", () => {
    const result = srmTest([1000, 1200], [0.5, 0.5]);
    expect(result.chiSquare).toBeCloseTo(18.1818181818182, 10);
    expect(result.dof).toBe(1);
    expect(Math.abs(result.pValue / 2.00786561242648e-5 - 1)).toBeLessThan(1e-8);
    expect(result.status).toBe("mismatch");
  });

  it("accepts counts that fit the weights", () => {
    const result = srmTest([4980, 5020], [50, 50]);
    expect(result.status).toBe("ok");
    expect(result.pValue).toBeGreaterThan(0.5);
  });

  it("treats traffic on a 0-weight version as a mismatch and leaves it out of the dof", () => {
    const result = srmTest([990, 10, 0], [100, 0, 0]);
    expect(result.status).toBe("mismatch");
    expect(result.zeroWeightTraffic).toEqual([1]);
    expect(result.pValue).toBe(0);
    expect(result.dof).toBe(0);
    expect(srmTest([1000, 0, 0], [100, 0, 0]).status).toBe("ok");
  });

  it("says when there are too few units to judge", () => {
    expect(srmTest([3, 4], [50, 50]).status).toBe("insufficient-data");
    expect(srmTest([0, 0], [50, 50])).toMatchObject({ status: "insufficient-data", pValue: 1 });
  });
});

describe("srmTestPeriods", () => {
  const periods = [
    { units: 2000, weights: [0.95, 0.05] },
    { units: 4000, weights: [0.85, 0.15] },
    { units: 6000, weights: [0.7, 0.3] },
  ];

  it("accumulates expected counts over weight periods", () => {
    expect(srmExpectedCounts(periods, 2)).toEqual([9500, 2500]);
    const result = srmTestPeriods(periods, [9460, 2540]);
    expect(result.chiSquare).toBeCloseTo(0.808421052631579, 12);
    expect(result.pValue).toBeCloseTo(0.368587479074664, 12);
    expect(result.status).toBe("ok");
  });

  it("avoids the false alarm of testing cumulative counts against the latest weights", () => {
    const naive = srmTest([9460, 2540], [0.7, 0.3]);
    expect(Math.abs(naive.pValue / 5.70519673683696e-99 - 1)).toBeLessThan(1e-6);
    expect(naive.status).toBe("mismatch");
  });

  it("catches traffic in a period when the version's weight was 0", () => {
    const result = srmTestPeriods(
      [
        { units: 1000, weights: [100, 0], counts: [995, 5] },
        { units: 1000, weights: [90, 10], counts: [905, 95] },
      ],
      [1900, 100],
    );
    expect(result.zeroWeightTraffic).toEqual([1]);
    expect(result.status).toBe("mismatch");
  });
});
