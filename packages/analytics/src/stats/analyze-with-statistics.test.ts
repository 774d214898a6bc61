import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { analyze } from "../analyze";
import type { MetricValues } from "../metric-values";
import {
  afterLook,
  conversions,
  CONVERSION,
  lookTime,
  REQUESTS,
  statisticsExperiment,
} from "./__fixtures__/statistics-experiment";
import { groupSequentialBoundaries, spentAlpha } from "./group-sequential";
import { StatisticsAnalysisSchema, type GroupSequentialState } from "./statistics-analysis";
import { topTwoThompson } from "./thompson-allocation";

const even = { v1: 50, v2: 50 };
/**
 * The always-valid design at the levels these single-look cases were written for (two-sided 0.1
 * for one candidate). The default group-sequential design spends almost nothing at look 1 of 15,
 * so a single look can decide only under the always-valid test.
 */
const AV = { design: "always-valid", alpha: 0.05, baselineAlpha: 0.05 } as const;

function stats(result: ReturnType<typeof analyze>) {
  if (!result.statistics) throw new Error("no statistics part in the result");
  return result.statistics.data;
}

describe("analyze in the statistics mode: A/B", () => {
  it("declares a clear winner with its evidence and moves traffic within the Iter8 caps", () => {
    const result = analyze(statisticsExperiment({ current: even, strength: AV }), conversions({ v1: [1000, 10000], v2: [1300, 10000] }), {
      now: lookTime(1),
    });
    expect(result.winnerAssessment.data).toEqual({ winnerFound: true, winner: "v2", bestVersions: ["v2"] });
    expect(result.versionAssessments.data).toEqual({});
    const data = stats(result);
    expect(data.winner.rule).toBe("winner");
    expect(data.winner.probabilityBest["v2"]).toBeGreaterThan(0.9999999);
    // P(v2 > v1) ≈ 1, so choosing v1 loses E[v2] − E[v1] = 1301/10002 − 1001/10002.
    expect(data.winner.expectedLoss["v1"]).toBeCloseTo(300 / 10002, 9);
    // The loss threshold is 0.0025 × the baseline's posterior mean 1001/10002.
    expect(data.winner.lossThreshold).toBeCloseTo((0.0025 * 1001) / 10002, 15);
    // Exploitation all on v2: 5 / 95 after 10% exploration, 5.9 / 94.1 after the 1% floor,
    // then v2 may rise only 10 points from 50.
    expect(data.weights.rule).toBe("winner");
    expect(data.weights.capped["v1"]).toBeCloseTo(40, 10);
    expect(data.weights.capped["v2"]).toBeCloseTo(60, 10);
    expect(data.weights.mixed["v2"]).toBeCloseTo(94.1, 10);
    expect(result.weights.data).toEqual([
      { name: "v1", value: 40 },
      { name: "v2", value: 60 },
    ]);
  });

  it("runs the always-valid test of the candidate against the baseline from its formulas", () => {
    const result = analyze(statisticsExperiment({ current: even, strength: AV }), conversions({ v1: [1000, 10000], v2: [1300, 10000] }), {
      now: lookTime(1),
    });
    const test = stats(result).winner.sequential["v2"]!;
    // Absolute difference 0.03; one candidate, alpha 0.05, so the two-sided level is 0.1; ρ²
    // tuned at N* = 20000; τ² = V · n · ρ² with n = 20000. The p-value uses the pooled variance
    // under the null, V₀ = p̄(1 − p̄)(2/10⁴) with p̄ = 0.115; the interval the larger of V₀ and
    // the unpooled V = 0.1·0.9/10⁴ + 0.13·0.87/10⁴.
    const l = -2 * Math.log(0.1);
    const rho2 = (l + Math.log(l + 1)) / 20000;
    const v0 = 0.115 * 0.885 * (2 / 10000);
    const tau20 = v0 * 20000 * rho2;
    const logLambda = 0.5 * Math.log(v0 / (v0 + tau20)) + (tau20 * 0.03 * 0.03) / (2 * v0 * (v0 + tau20));
    expect(test.estimate).toBeCloseTo(0.03, 15);
    expect(test.alpha).toBe(0.1);
    expect(test.pValue / Math.exp(-logLambda)).toBeCloseTo(1, 10);
    const v = Math.max(v0, (0.1 * 0.9) / 10000 + (0.13 * 0.87) / 10000);
    const tau2 = v * 20000 * rho2;
    const radius = Math.sqrt(((v * (v + tau2)) / tau2) * (Math.log1p(tau2 / v) - 2 * Math.log(0.1)));
    expect(test.lower).toBeCloseTo(0.03 - radius, 12);
    expect(test.upper).toBeCloseTo(0.03 + radius, 12);
    expect(test.favours).toBe("candidate");
  });

  it("waits while P(best) is below the confidence level, allocating by top-two Thompson", () => {
    const result = analyze(statisticsExperiment({ current: even }), conversions({ v1: [1000, 10000], v2: [1030, 10000] }), {
      now: lookTime(1),
    });
    expect(result.winnerAssessment.data).toEqual({ winnerFound: false, bestVersions: [] });
    const data = stats(result);
    expect(data.winner.rule).toBe("probability-best-below-confidence");
    expect(data.winner.reason).toMatch(/^v2 leads with P\(best\) = 0\.7\d+ < 0\.95$/);
    const p = [data.winner.probabilityBest["v1"]!, data.winner.probabilityBest["v2"]!];
    const psi = topTwoThompson(p, 0.75);
    expect(data.weights.rule).toBe("thompson");
    expect(data.weights.allocation["v1"]).toBeCloseTo(psi[0]!, 15);
    expect(data.weights.allocation["v2"]).toBeCloseTo(psi[1]!, 15);
    // 0.75 p₂ + 0.25 p₁ mixed and floored is above 60, so the +10 cap binds.
    expect(result.weights.data).toEqual([
      { name: "v1", value: 40 },
      { name: "v2", value: 60 },
    ]);
  });

  it("names practically equivalent versions in bestVersions and declares no winner", () => {
    const result = analyze(
      statisticsExperiment({ current: even }),
      conversions({ v1: [50000, 500000], v2: [50000, 500000] }),
      { now: lookTime(1) },
    );
    const data = stats(result);
    expect(data.winner.probabilityBest["v1"]).toBeCloseTo(0.5, 10);
    // Each loss is sd(v2 − v1)·φ(0) ≈ √(2·0.09/5·10⁵)/√(2π) ≈ 2.39e-4, under the 2.5e-4 threshold.
    expect(data.winner.expectedLoss["v1"]).toBeCloseTo(Math.sqrt((2 * 0.09) / 500000) / Math.sqrt(2 * Math.PI), 6);
    expect(result.winnerAssessment.data).toEqual({ winnerFound: false, bestVersions: ["v1", "v2"] });
  });

  it("needs minSamples observations for the winner and the baseline", () => {
    const result = analyze(
      statisticsExperiment({ current: { v1: 99, v2: 1 }, strength: { minSamples: 150 } }),
      conversions({ v1: [990, 9900], v2: [60, 100] }),
      { now: lookTime(1) },
    );
    expect(stats(result).winner).toMatchObject({
      rule: "min-samples",
      reason: "v2 has 100 of the 150 observations needed",
    });
    expect(result.winnerAssessment.data.winnerFound).toBe(false);
  });

  it("does not declare a winner while a version has no reward data", () => {
    const result = analyze(statisticsExperiment({ current: { v1: 100 } }), conversions({ v1: [1000, 10000], v2: [0, 0] }), {
      now: lookTime(1),
    });
    expect(stats(result).winner).toMatchObject({ rule: "min-samples", reason: "no reward observations yet for v2" });
    // v2 gets exploration only, within the +10 cap.
    expect(result.weights.data).toEqual([
      { name: "v1", value: 94 },
      { name: "v2", value: 6 },
    ]);
  });

  it("prefers the lower value when the reward is lower-is-better", () => {
    const result = analyze(
      statisticsExperiment({ current: even, direction: "Low", strength: AV }),
      conversions({ v1: [1300, 10000], v2: [1000, 10000] }),
      { now: lookTime(1) },
    );
    expect(result.winnerAssessment.data.winner).toBe("v2");
    expect(stats(result).winner.sequential["v2"]?.favours).toBe("candidate");
  });

  it("declares the baseline once the always-valid test settles against the candidate", () => {
    const result = analyze(statisticsExperiment({ current: even, strength: AV }), conversions({ v1: [1300, 10000], v2: [1000, 10000] }), {
      now: lookTime(1),
    });
    expect(result.winnerAssessment.data).toEqual({ winnerFound: true, winner: "v1", bestVersions: ["v1"] });
    expect(stats(result).winner.sequential["v2"]?.favours).toBe("baseline");
  });

  it("waits for the always-valid test even when P(best) and the loss allow a winner", () => {
    // z ≈ 2.2: P(best) ≈ 0.986 but the always-valid p-value is not yet below 0.1.
    const result = analyze(statisticsExperiment({ current: even, strength: AV }), conversions({ v1: [1000, 10000], v2: [1095, 10000] }), {
      now: lookTime(1),
      });
    const data = stats(result);
    expect(data.winner.probabilityBest["v2"]).toBeGreaterThan(0.95);
    expect(data.winner.rule).toBe("sequential-not-significant");
    expect(data.winner.sequential["v2"]!.pValue).toBeGreaterThan(0.1);
    const off = analyze(
      statisticsExperiment({ current: even, strength: { sequential: false } }),
      conversions({ v1: [1000, 10000], v2: [1095, 10000] }),
      { now: lookTime(1) },
    );
    expect(off.winnerAssessment.data.winner).toBe("v2");
    expect(stats(off).winner.sequential).toEqual({});
  });

  it("explains a reward without an uncertainty model", () => {
    const exp = statisticsExperiment({ current: even, reward: "default/user-engagement" });
    const values: MetricValues = {
      [REQUESTS]: { v1: { value: 5000 }, v2: { value: 5000 } },
      "default/user-engagement": { v1: { value: 31.5 }, v2: { value: 44.1 } },
    };
    const result = analyze(exp, values, { now: lookTime(1) });
    expect(stats(result).winner.rule).toBe("reward-without-model");
    expect(result.winnerAssessment.message).toContain('declare strength.metrics["default/user-engagement"] as proportion or mean');
    expect(stats(result).weights.rule).toBe("baseline");
    // Declared as a mean with a known spread, the same reward is compared.
    const declared = analyze(
      statisticsExperiment({
        current: even,
        reward: "default/user-engagement",
        strength: { metrics: { "user-engagement": { model: "mean", stddev: 20 } } },
      }),
      values,
      { now: lookTime(1) },
    );
    expect(declared.winnerAssessment.data.winner).toBe("v2");
  });
});

describe("analyze in the statistics mode: state across iterations", () => {
  it("keeps the running minimum of the always-valid p-value", () => {
    let exp = statisticsExperiment({ current: even, strength: AV });
    const first = analyze(exp, conversions({ v1: [1000, 10000], v2: [1300, 10000] }), { now: lookTime(1) });
    exp = afterLook(exp, first, 1);
    exp.status!.currentWeightDistribution = [
      { name: "v1", value: 50 },
      { name: "v2", value: 50 },
    ];
    // The second look alone is much weaker evidence.
    const second = analyze(exp, conversions({ v1: [2050, 20000], v2: [2350, 20000] }), { now: lookTime(2) });
    const before = stats(first).state.sequential.tests["v2"]!;
    const after = stats(second).state.sequential.tests["v2"]!;
    expect(after.looks).toBe(2);
    expect(after.pValue).toBe(before.pValue);
    expect(after.lower).toBeGreaterThanOrEqual(before.lower!);
    expect(after.upper).toBeLessThanOrEqual(before.upper!);
  });

  it("holds a winner when P(best) later dips, and revokes it when it violates an objective", () => {
    const objectives = [{ metric: "default/error-rate", upperLimit: "0.01" }];
    const errorRate = (v1: [number, number], v2: [number, number]): MetricValues => ({
      "default/error-rate": {
        v1: { value: v1[0] / v1[1], sampleSize: v1[1] },
        v2: { value: v2[0] / v2[1], sampleSize: v2[1] },
      },
    });
    let exp = statisticsExperiment({ current: even, objectives, strength: AV });
    const first = analyze(exp, { ...conversions({ v1: [1000, 10000], v2: [1300, 10000] }), ...errorRate([10, 10000], [12, 10000]) }, {
      now: lookTime(1),
    });
    expect(first.winnerAssessment.data.winner).toBe("v2");
    exp = afterLook(exp, first, 1);
    expect(first.weights.data.map((w) => w.value)).toEqual([40, 60]);
    // 16000 more requests at 40/60 in which v2 is only slightly ahead: P(best) alone would not
    // decide now.
    const counts = { v1: [1700, 16400], v2: [2090, 19600] } as Record<string, [number, number]>;
    const second = analyze(exp, { ...conversions(counts), ...errorRate([16, 16400], [20, 19600]) }, { now: lookTime(2) });
    expect(stats(second).winner.probabilityBest["v2"]).toBeLessThan(0.95);
    expect(stats(second).winner).toMatchObject({ rule: "winner-held", winner: "v2" });
    expect(stats(second).winner.reason).toBe("v2 was found the winner at look 1 and nothing has overturned it");
    expect(stats(second).state.decision).toEqual({ winner: "v2", look: 1 });
    // Then, 10000 requests later at 30/70, v2's error rate has climbed past its limit.
    exp = afterLook(exp, second, 2);
    expect(second.weights.data.map((w) => w.value)).toEqual([30, 70]);
    const third = analyze(exp, { ...conversions({ v1: [2000, 19400], v2: [2800, 26600] }), ...errorRate([19, 19400], [400, 26600]) }, {
      now: lookTime(3),
    });
    expect(third.versionAssessments.data["v2"]).toEqual([false]);
    expect(stats(third).versions.find((v) => v.version === "v2")?.status).toBe("infeasible");
    expect(third.winnerAssessment.data.winner).not.toBe("v2");
    expect(stats(third).state.decision?.winner).not.toBe("v2");
  });

  it("gives the same analysis from a status that went through JSON", () => {
    let exp = statisticsExperiment({ current: even });
    const first = analyze(exp, conversions({ v1: [1000, 10000], v2: [1030, 10000] }), { now: lookTime(1) });
    exp = afterLook(exp, first, 1);
    const values = conversions({ v1: [1990, 20000], v2: [2090, 20000] });
    const direct = analyze(exp, values, { now: lookTime(2) });
    const viaJson = analyze(JSON.parse(JSON.stringify(exp)) as Experiment, values, { now: lookTime(2) });
    expect(viaJson).toEqual(direct);
    expect(JSON.parse(JSON.stringify(direct))).toEqual(direct);
    expect(StatisticsAnalysisSchema.parse(direct.statistics)).toEqual(direct.statistics);
  });

  it("starts afresh, saying why, when the versions change", () => {
    const exp = statisticsExperiment({ current: even });
    const first = analyze(exp, conversions({ v1: [1000, 10000], v2: [1030, 10000] }), { now: lookTime(1) });
    const renamed = afterLook(exp, first, 1);
    renamed.spec.versionInfo!.candidates = [{ name: "v3" }];
    renamed.status!.currentWeightDistribution = [
      { name: "v1", value: 50 },
      { name: "v3", value: 50 },
    ];
    const second = analyze(renamed, conversions({ v1: [1000, 10000], v3: [1030, 10000] }), { now: lookTime(2) });
    expect(stats(second).state.looks).toBe(1);
    expect(second.statistics?.message).toContain("the versions changed (v1, v2 → v1, v3); the statistics start afresh");
  });
});

describe("analyze in the statistics mode: traffic against weights", () => {
  it("blocks the winner and freezes weights when a 0-weight version receives traffic", () => {
    const result = analyze(statisticsExperiment({ current: { v1: 100 } }), conversions({ v1: [1000, 10000], v2: [1300, 10000] }), {
      now: lookTime(1),
    });
    expect(result.winnerAssessment.data.winnerFound).toBe(false);
    expect(stats(result).winner).toMatchObject({ rule: "sample-ratio-mismatch", leader: "v2" });
    expect(stats(result).srm).toMatchObject({ status: "mismatch", pValue: 0, zeroWeightTraffic: ["v2"] });
    expect(stats(result).weights.rule).toBe("frozen-srm");
    expect(result.weights.data).toEqual([
      { name: "v1", value: 100 },
      { name: "v2", value: 0 },
    ]);
  });

  it("accounts traffic period by period as the weights change", () => {
    const periods: [Record<string, number>, [number, number]][] = [
      [{ v1: 95, v2: 5 }, [1900, 100]],
      [{ v1: 85, v2: 15 }, [3400, 600]],
      [{ v1: 70, v2: 30 }, [4200, 1800]],
    ];
    let exp = statisticsExperiment({ current: { v1: 95, v2: 5 }, strength: { sequential: false } });
    const total = [0, 0];
    periods.forEach(([weights, [n1, n2]], i) => {
      exp.status!.currentWeightDistribution = [
        { name: "v1", value: weights["v1"]! },
        { name: "v2", value: weights["v2"]! },
      ];
      total[0]! += n1;
      total[1]! += n2;
      const result = analyze(exp, conversions({ v1: [total[0]! / 10, total[0]!], v2: [total[1]! / 10, total[1]!] }), {
        now: lookTime(i + 1),
      });
      expect(stats(result).srm.status).toBe("ok");
      exp = afterLook(exp, result, i + 1);
    });
    const srm = stats(exp.status!.analysis as never as ReturnType<typeof analyze>).srm;
    // Expected: 2000·0.95 + 4000·0.85 + 6000·0.70 = 9500 for v1, 2500 for v2 — what arrived.
    expect(srm.expected).toEqual({ v1: 9500, v2: 2500 });
    expect(srm.observed).toEqual({ v1: 9500, v2: 2500 });
    // Against the latest weights alone (70/30) the same totals would look badly mismatched.
  });

  it("reports the check as unavailable without request counts", () => {
    const exp = statisticsExperiment({ current: even, strength: AV });
    delete exp.spec.criteria!.requestCount;
    const values = conversions({ v1: [1000, 10000], v2: [1300, 10000] });
    delete values[REQUESTS];
    const result = analyze(exp, values, { now: lookTime(1) });
    expect(stats(result).srm.status).toBe("unavailable");
    expect(stats(result).srm.reason).toMatch(/set criteria\.requestCount/);
    // The reward's own sample sizes still allow a decision.
    expect(result.winnerAssessment.data.winner).toBe("v2");
  });
});

describe("analyze in the statistics mode: invalid settings", () => {
  it("decides nothing, keeps the weights and names the field at fault", () => {
    const result = analyze(
      statisticsExperiment({ current: { v1: 70, v2: 30 }, strength: { confidence: 2 } }),
      conversions({ v1: [1400, 14000], v2: [1300, 6000] }),
      { now: lookTime(1) },
    );
    expect(result.winnerAssessment.data).toEqual({ winnerFound: false, bestVersions: [] });
    expect(result.weights.data).toEqual([
      { name: "v1", value: 70 },
      { name: "v2", value: 30 },
    ]);
    for (const part of [result.versionAssessments, result.winnerAssessment, result.weights]) {
      expect(part.message).toContain("spec.criteria.strength.confidence: must be below 1");
    }
    expect(result.statistics).toBeUndefined();
  });
});

describe("analyze without strength", () => {
  it("keeps the Iter8 v2 rules and adds no statistics", () => {
    const exp = statisticsExperiment({ current: even });
    delete exp.spec.criteria!.strength;
    const result = analyze(exp, conversions({ v1: [1000, 10000], v2: [1010, 10000] }), { now: lookTime(1) });
    expect(result.winnerAssessment.data.winner).toBe("v2");
    expect(result.statistics).toBeUndefined();
    expect(result.aggregatedMetrics.data[CONVERSION]).toBeDefined();
  });
});

describe("analyze in the statistics mode: odd inputs", () => {
  it("never throws, whatever the values and the status hold", () => {
    const odd: MetricValues[] = [
      {},
      { [REQUESTS]: { v1: { value: -5 }, v2: { value: Number.NaN } }, [CONVERSION]: { v1: { value: 2 }, v2: { value: -1 } } },
      { [CONVERSION]: { v1: { value: 0.1, sampleSize: -3 }, v2: { value: 0.2, sampleSize: 0 } } },
      { [REQUESTS]: { v1: { value: 1e9 } }, [CONVERSION]: { v1: { value: 0, sampleSize: 1e9 }, v2: { error: "timeout" } } },
      conversions({ v1: [0, 10000], v2: [0, 10000] }),
      conversions({ v1: [10000, 10000], v2: [10000, 10000] }),
    ];
    const statuses: unknown[] = [
      undefined,
      { currentWeightDistribution: [{ name: "v1", value: -20 }, { name: "v2", value: 120 }] },
      { analysis: { statistics: { data: { state: { schemaVersion: 7 } } } } },
      { analysis: { statistics: "garbage" }, currentWeightDistribution: [] },
    ];
    for (const values of odd) {
      for (const status of statuses) {
        for (const strength of [{}, { confidence: 0.99, sequential: false }, { weird: true }]) {
          const exp = statisticsExperiment({ current: { v1: 50, v2: 50 }, strength });
          if (status !== undefined) exp.status = { ...exp.status, ...(status as object) };
          const result = analyze(exp, values, { now: lookTime(1) });
          expect(result.weights.data.reduce((sum, w) => sum + w.value, 0)).toBe(100);
          expect(JSON.parse(JSON.stringify(result))).toEqual(result);
        }
      }
    }
  });
});

describe("analyze in the statistics mode: A/B/N", () => {
  it("shares alpha between the candidates and picks the best of three", () => {
    const exp = statisticsExperiment({ pattern: "A/B/N", versions: ["v1", "v2", "v3"], current: { v1: 34, v2: 33, v3: 33 }, strength: AV });
    const result = analyze(exp, conversions({ v1: [1020, 10200], v2: [1000, 9900], v3: [1300, 9900] }), { now: lookTime(1) });
    const data = stats(result);
    // Each one-sided claim at 0.05 / 2 candidates, i.e. two-sided confidence sequences at 0.05.
    expect(data.state.sequential.alpha).toBeCloseTo(0.05, 15);
    expect(data.winner.sequential["v3"]?.favours).toBe("candidate");
    expect(data.winner.sequential["v2"]?.favours).toBeNull();
    const p = data.winner.probabilityBest;
    expect(p["v1"]! + p["v2"]! + p["v3"]!).toBeCloseTo(1, 10);
    expect(result.winnerAssessment.data).toEqual({ winnerFound: true, winner: "v3", bestVersions: ["v3"] });
    // Wanted: 0.01 + 0.97 (0.1/3 + 0.9 [0, 0, 1]) → [4.23, 4.23, 91.53]. v3 may gain only 10
    // points (33 → 43); its excess 48.53 goes back to the baseline: [52.77, 4.23, 43] → [53, 4, 43].
    expect(data.weights.capped["v1"]).toBeCloseTo(100 * (0.01 + 0.97 * (0.1 / 3)) + 100 * (0.01 + 0.97 * (0.1 / 3 + 0.9)) - 43, 10);
    expect(result.weights.data).toEqual([
      { name: "v1", value: 53 },
      { name: "v2", value: 4 },
      { name: "v3", value: 43 },
    ]);
  });
});

describe("analyze in the statistics mode: the carried state", () => {
  /** Five looks at 100/0, then the weights moved to 50/50, with the state carried or not. */
  function laterLook(carry: "carried" | "dropped" | "stale") {
    let exp = statisticsExperiment({ current: { v1: 100, v2: 0 } });
    let kept: Experiment = exp;
    for (let look = 1; look <= 5; look++) {
      const result = analyze(exp, conversions({ v1: [200 * look, 2000 * look], v2: [0, 0] }), { now: lookTime(look) });
      exp = afterLook(exp, result, look);
      // The routers held 100/0 meanwhile (say the rollout had not started).
      exp.status = { ...exp.status, currentWeightDistribution: [{ name: "v1", value: 100 }, { name: "v2", value: 0 }] };
      if (look === 1) kept = exp;
    }
    exp.status = { ...exp.status, currentWeightDistribution: [{ name: "v1", value: 50 }, { name: "v2", value: 50 }] };
    if (carry === "dropped") {
      const analysis = { ...exp.status.analysis } as Record<string, unknown>;
      delete analysis["statistics"];
      exp.status = { ...exp.status, analysis: analysis as NonNullable<Experiment["status"]>["analysis"] };
    }
    if (carry === "stale") {
      exp.status = { ...exp.status, analysis: { ...exp.status.analysis, statistics: kept.status?.analysis?.["statistics" as never] } as never };
    }
    // 2,000 more requests at 50/50: traffic so far is 11,000 / 1,000.
    return analyze(exp, conversions({ v1: [1100, 11000], v2: [100, 1000] }), { now: lookTime(6) });
  }

  it("checks traffic period by period when the state is carried over", () => {
    const result = laterLook("carried");
    expect(stats(result).srm.status).toBe("ok");
    expect(result.statistics?.message ?? "").not.toMatch(/carried state|missing/);
    expect(stats(result).state.completedIterations).toBe(5);
  });

  it("names a missing state instead of blaming traffic, and keeps the weights moving", () => {
    const result = laterLook("dropped");
    const data = stats(result);
    expect(data.srm.status).toBe("unavailable");
    expect(data.srm.reason).toMatch(/^status\.analysis\.statistics\.data\.state is missing although 5 iterations have completed/);
    expect(result.statistics?.message).toContain("status.analysis.statistics.data.state is missing");
    expect(data.weights.rule).not.toBe("frozen-srm");
  });

  it("names a stale state (written looks ago) as inconsistent", () => {
    const result = laterLook("stale");
    const data = stats(result);
    expect(data.srm.status).toBe("unavailable");
    expect(data.srm.reason).toMatch(
      /^the carried state is inconsistent: it was written at completed iteration 0, but 5 iterations have completed now \(expected 1\)/,
    );
  });
});

describe("analyze in the statistics mode: the group-sequential design", () => {
  /** Looks 1…n at 50/50 with 10,000 requests per version per look, the state carried through JSON. */
  function looks(n: number, rates: [number, number], edit?: (exp: Experiment, look: number) => void) {
    let exp = statisticsExperiment({ current: even });
    const results: ReturnType<typeof analyze>[] = [];
    for (let look = 1; look <= n; look++) {
      edit?.(exp, look);
      const result = analyze(
        exp,
        conversions({ v1: [rates[0] * 10000 * look, 10000 * look], v2: [rates[1] * 10000 * look, 10000 * look] }),
        { now: lookTime(look) },
      );
      results.push(result);
      exp = JSON.parse(JSON.stringify(afterLook(exp, result, look))) as Experiment;
      exp.status!.currentWeightDistribution = [
        { name: "v1", value: 50 },
        { name: "v2", value: 50 },
      ];
    }
    return { results, exp };
  }

  it("is the default: spends alpha over the planned looks and names the design", () => {
    // z = 0.03 / √(0.115 · 0.885 · 2/10⁴) ≈ 6.65 at look 1 of 15 (the default duration): the
    // O'Brien–Fleming-like boundary there is above 10, so even this effect waits.
    const [first] = looks(1, [0.1, 0.13]).results;
    const data = stats(first!);
    const test = data.winner.sequential["v2"]!;
    expect(test.design).toBe("group-sequential");
    expect(test.groupSequential).toMatchObject({ spending: "obrien-fleming", look: 1, plannedLooks: 15, alphaUpper: 0.009, alphaLower: 0.001 });
    expect(test.groupSequential!.z).toBeCloseTo(0.03 / Math.sqrt(0.115 * 0.885 * (2 / 10000)), 10);
    const [bound] = groupSequentialBoundaries({ spending: "obrien-fleming", alphaUpper: 0.009, alphaLower: 0.001, plannedLooks: 15 }, [1]);
    expect(test.groupSequential!.upperBound).toBeCloseTo(bound!.upper, 12);
    expect(bound!.upper).toBeGreaterThan(10);
    expect(data.winner.rule).toBe("sequential-not-significant");
    expect(data.winner.reason).toMatch(/^v2 leads but its group-sequential z against the baseline is 6\.6\d* \(needs ≥ 10\.\d+ at look 1 of 15\)$/);
    expect(first!.statistics?.message).toContain("design: group-sequential (O'Brien-Fleming-like alpha spending over 15 planned looks, look 1)");
    expect(data.state.sequential.groupSequential?.tests["v2"]).toMatchObject({ looks: [1], crossed: null });
  });

  it("declares the winner at the first look whose z crosses the boundary, and records what it spent", () => {
    const { results } = looks(6, [0.1, 0.13]);
    const design = { spending: "obrien-fleming" as const, alphaUpper: 0.009, alphaLower: 0.001, plannedLooks: 15 };
    const bounds = groupSequentialBoundaries(design, [1, 2, 3, 4, 5, 6]);
    const z1 = 0.03 / Math.sqrt(0.115 * 0.885 * (2 / 10000));
    // Same rates at every look: z grows as √look.
    const crossing = bounds.findIndex((b, i) => z1 * Math.sqrt(i + 1) >= b.upper) + 1;
    expect(crossing).toBeGreaterThan(1);
    results.forEach((result, i) => {
      const look = i + 1;
      expect(result.winnerAssessment.data.winner).toBe(look >= crossing ? "v2" : undefined);
    });
    const state = stats(results[crossing - 1]!).state.sequential.groupSequential!;
    expect(state.tests["v2"]).toMatchObject({ looks: Array.from({ length: crossing }, (_, i) => i + 1), crossed: "upper" });
    expect(state.tests["v2"]!.spentUpper).toBeCloseTo(bounds[crossing - 1]!.spentUpper, 15);
    expect(state.tests["v2"]!.spentUpper).toBeCloseTo(spentAlpha("obrien-fleming", 0.009, crossing / 15), 12);
    // Crossing is final: later looks keep the test where it stopped.
    expect(stats(results[5]!).state.sequential.groupSequential!.tests["v2"]!.looks).toHaveLength(crossing);
  });

  it("hands over to the always-valid test when the planned looks change", () => {
    const { results } = looks(2, [0.1, 0.1], (exp, look) => {
      if (look === 2) exp.spec.duration = { ...exp.spec.duration, iterationsPerLoop: 30 };
    });
    const data = stats(results[1]!);
    expect(results[1]!.statistics?.message).toContain(
      "Warning: the planned looks changed (15 → 30: maxLoops × iterationsPerLoop); the always-valid test decides from now on",
    );
    expect(data.state.sequential.groupSequential?.abandoned).toMatch(/^the planned looks changed/);
    expect(data.winner.sequential["v2"]?.design).toBe("always-valid");
  });

  it("hands over to the always-valid test past the planned looks", () => {
    const { results } = looks(3, [0.1, 0.1], (exp) => {
      exp.spec.duration = { ...exp.spec.duration, iterationsPerLoop: 2 };
    });
    expect(results[1]!.statistics?.message).not.toContain("always-valid test decides");
    expect(results[2]!.statistics?.message).toContain("look 3 is past the 2 planned looks (maxLoops × iterationsPerLoop)");
    expect(stats(results[2]!).winner.sequential["v2"]?.design).toBe("always-valid");
  });

  it("checks the carried state: alpha spent must be what the design spends at its looks", () => {
    const { exp } = looks(2, [0.1, 0.1]);
    const state = (exp.status!.analysis as Record<string, { data: { state: { sequential: { groupSequential: GroupSequentialState } } } }>)[
      "statistics"
    ]!.data.state.sequential.groupSequential;
    state.tests["v2"]!.spentUpper = 0.004;
    const result = analyze(exp, conversions({ v1: [3000, 30000], v2: [3000, 30000] }), { now: lookTime(3) });
    expect(result.statistics?.message).toMatch(
      /the carried group-sequential state is inconsistent: v2: it records alpha spent 0\.004 \/ [\d.e-]+ where the design spends [\d.e-]+ \/ [\d.e-]+ at looks 1, 2; the always-valid test decides from now on/,
    );
    expect(stats(result).winner.sequential["v2"]?.design).toBe("always-valid");
  });

  it("hands over to the always-valid test when the carried state is lost, or the design starts late", () => {
    const { exp } = looks(2, [0.1, 0.1]);
    const analysis = { ...exp.status!.analysis } as Record<string, unknown>;
    delete analysis["statistics"];
    const lost = analyze({ ...exp, status: { ...exp.status, analysis } } as Experiment, conversions({ v1: [3000, 30000], v2: [3000, 30000] }), {
      now: lookTime(3),
    });
    expect(lost.statistics?.message).toContain(
      "the group-sequential state of the earlier looks is missing (the carried state could not be continued); the always-valid test decides from now on",
    );
    expect(stats(lost).winner.sequential["v2"]?.design).toBe("always-valid");
    // Two looks under the always-valid design, then the default design: its alpha for those looks is unknown.
    const { exp: late } = looks(2, [0.1, 0.1], (e) => {
      e.spec.criteria!.strength = { design: "always-valid" };
    });
    late.spec.criteria!.strength = {};
    const switched = analyze(late, conversions({ v1: [3000, 30000], v2: [3000, 30000] }), { now: lookTime(3) });
    expect(switched.statistics?.message).toContain("the group-sequential design was switched on after 2 looks without it");
  });

  it("uses the always-valid test when strength.design asks for it", () => {
    const result = analyze(statisticsExperiment({ current: even, strength: { design: "always-valid" } }), conversions({ v1: [1000, 10000], v2: [1300, 10000] }), {
      now: lookTime(1),
    });
    expect(result.statistics?.message).toContain("design: always-valid (strength.design)");
    expect(stats(result).state.sequential.groupSequential).toBeUndefined();
    expect(stats(result).winner.sequential["v2"]?.design).toBe("always-valid");
    // alpha + baselineAlpha = 0.01: the two-sided level of the confidence sequence.
    expect(stats(result).winner.sequential["v2"]?.alpha).toBeCloseTo(0.01, 15);
  });
});
