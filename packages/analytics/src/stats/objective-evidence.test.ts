import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { analyze } from "../analyze";
import type { MetricValues } from "../metric-values";
import { lookTime, REQUESTS, statisticsExperiment } from "./__fixtures__/statistics-experiment";
import { studentTQuantile } from "./distributions";

const even = { v1: 50, v2: 50 };
const errorObjective = [{ metric: "default/error-rate", upperLimit: "0.01" }];

/** Request counts and an error-rate metric from `version → [errors, requests]`. */
function errors(byVersion: Record<string, [number, number]>): MetricValues {
  const entries = Object.entries(byVersion);
  return {
    [REQUESTS]: Object.fromEntries(entries.map(([v, [, n]]) => [v, { value: n }])),
    "default/error-rate": Object.fromEntries(entries.map(([v, [k, n]]) => [v, { value: k / n }])),
  };
}

/** I_x(a, b) for whole a, b as a binomial tail: P(Binomial(a + b − 1, x) ≥ a). */
function betaCdfByBinomial(x: number, a: number, b: number): number {
  const n = a + b - 1;
  let below = 0;
  let logTerm = n * Math.log1p(-x); // j = 0
  for (let j = 0; j < a; j++) {
    below += Math.exp(logTerm);
    logTerm += Math.log((n - j) / (j + 1)) + Math.log(x) - Math.log1p(-x);
  }
  return 1 - below;
}

function evidenceOf(result: ReturnType<typeof analyze>, version: string, objective = 0) {
  const found = result.statistics?.data.objectives.find((e) => e.version === version && e.objective === objective);
  if (!found) throw new Error(`no evidence for ${version}`);
  return found;
}

describe("objectives in the statistics mode: Canary", () => {
  it("promotes a candidate whose error rate is confidently below its limit", () => {
    const exp = statisticsExperiment({ pattern: "Canary", current: even, objectives: errorObjective });
    const result = analyze(exp, errors({ v1: [3, 5000], v2: [2, 5000] }), { now: lookTime(1) });
    const v2 = evidenceOf(result, "v2");
    // The sample size comes from criteria.requestCount; 2 errors → Beta(3, 4999).
    expect(v2).toMatchObject({ model: "proportion", sampleSize: 5000, decision: "satisfied", rule: "probability-at-least-confidence" });
    expect(v2.probability).toBeGreaterThan(1 - 1e-12);
    expect(v2.reason).toMatch(/^P\(default\/error-rate ≤ 0\.01\) = 1 ≥ 0\.95 from 5000 observations$/);
    expect(result.versionAssessments.data).toEqual({ v1: [true], v2: [true] });
    expect(result.winnerAssessment.data).toEqual({ winnerFound: true, winner: "v2", bestVersions: ["v2"] });
    expect(result.statistics?.data.weights.rule).toBe("winner");
  });

  it("falls back to the baseline when the candidate violates the objective", () => {
    const exp = statisticsExperiment({ pattern: "Canary", current: even, objectives: errorObjective });
    const result = analyze(exp, errors({ v1: [3, 5000], v2: [200, 5000] }), { now: lookTime(1) });
    expect(evidenceOf(result, "v2")).toMatchObject({ decision: "violated", rule: "probability-at-most-complement" });
    expect(result.versionAssessments.data).toEqual({ v1: [true], v2: [false] });
    expect(result.winnerAssessment.data.winner).toBe("v1");
    expect(result.statistics?.data.winner.reason).toBe(
      "baseline v1 satisfies all objectives with probability ≥ 0.95; candidate v2 violates an objective",
    );
  });

  it("leaves an objective undecided near its limit and allocates by the candidate's feasibility", () => {
    const exp = statisticsExperiment({ pattern: "Canary", current: even, objectives: errorObjective });
    const result = analyze(exp, errors({ v1: [3, 5000], v2: [45, 5000] }), { now: lookTime(1) });
    const v2 = evidenceOf(result, "v2");
    // 45 errors → Beta(46, 4956); P(rate ≤ 0.01) = P(Bin(5001, 0.01) ≥ 46) (mpmath: 0.7347451265511282).
    expect(v2.probability).toBeCloseTo(betaCdfByBinomial(0.01, 46, 4956), 11);
    expect(v2.probability).toBeCloseTo(0.7347451265511282, 11);
    expect(v2).toMatchObject({ decision: "undecided", rule: "probability-in-between" });
    // Undecided is not satisfied: the Iter8 boolean stays false.
    expect(result.versionAssessments.data["v2"]).toEqual([false]);
    expect(result.winnerAssessment.data.winnerFound).toBe(false);
    expect(result.statistics?.data.winner.rule).toBe("undecided");
    expect(result.statistics?.data.weights.rule).toBe("feasibility");
    expect(result.statistics?.data.weights.allocation["v2"]).toBe(v2.probability);
  });

  it("needs observations before deciding anything", () => {
    const exp = statisticsExperiment({ pattern: "Canary", current: { v1: 100 }, objectives: errorObjective });
    const values = errors({ v1: [0, 400] });
    values["default/error-rate"]!["v2"] = { value: null };
    values[REQUESTS]!["v2"] = { value: 0 };
    const result = analyze(exp, values, { now: lookTime(1) });
    expect(evidenceOf(result, "v2")).toMatchObject({ decision: "undecided", rule: "no-value" });
    expect(result.versionAssessments.message).toContain("Value for default/error-rate metric and v2 version is unavailable.");
    expect(result.winnerAssessment.data.winnerFound).toBe(false);
  });
});

describe("objectives in the statistics mode: Conformance", () => {
  it("validates the baseline and recommends no weights", () => {
    const exp = statisticsExperiment({ pattern: "Conformance", objectives: errorObjective });
    const result = analyze(exp, errors({ v1: [3, 5000] }), { now: lookTime(1) });
    expect(result.winnerAssessment.data).toEqual({ winnerFound: true, winner: "v1", bestVersions: ["v1"] });
    expect(result.weights).toMatchObject({ data: [], message: "weight computation is not applicable to a conformance experiment" });
  });

  it("waits for minSamples before validating", () => {
    const exp = statisticsExperiment({ pattern: "Conformance", objectives: errorObjective, strength: { minSamples: 10000 } });
    const result = analyze(exp, errors({ v1: [3, 5000] }), { now: lookTime(1) });
    expect(result.statistics?.data.winner).toMatchObject({ rule: "min-samples", reason: "v1 has 5000 of the 10000 observations needed" });
  });
});

describe("objectives in the statistics mode: builtin metrics from histograms", () => {
  // 1000 requests: 600 in 0–100 ms, 350 in 100–200 ms, 50 in 200–500 ms; 5 of them 503s.
  const histogram = {
    DurationHistogram: {
      Count: 1000,
      Max: 0.5,
      Sum: 100,
      Data: [
        { Start: 0, End: 0.1, Count: 600 },
        { Start: 0.1, End: 0.2, Count: 350 },
        { Start: 0.2, End: 0.5, Count: 50 },
      ],
    },
    RetCodes: { "200": 995, "503": 5 },
  };
  function withHistograms(objectives: { metric: string; upperLimit: number | string }[]): Experiment {
    const exp = statisticsExperiment({ pattern: "Conformance", objectives });
    delete exp.spec.criteria!.requestCount;
    exp.status!.analysis = {
      aggregatedBuiltinHists: { provenance: "test", timestamp: lookTime(0), data: { v1: histogram } },
    };
    return exp;
  }

  it("models the error rate with the exact error count", () => {
    const result = analyze(withHistograms([{ metric: "iter8-system/error-rate", upperLimit: "0.01" }]), {}, { now: lookTime(1) });
    const e = evidenceOf(result, "v1");
    // 5 errors of 1000 → Beta(6, 996): P(rate ≤ 0.01) = P(Bin(1001, 0.01) ≥ 6) (mpmath 0.9342350195088305).
    expect(e).toMatchObject({ model: "proportion", value: 0.005, sampleSize: 1000 });
    expect(e.probability).toBeCloseTo(0.9342350195088305, 12);
    expect(e.probability).toBeCloseTo(betaCdfByBinomial(0.01, 6, 996), 12);
    expect(e.decision).toBe("undecided");
  });

  it("checks a latency percentile as the share of requests beyond the limit", () => {
    const result = analyze(
      withHistograms([{ metric: "iter8-system/latency-95th-percentile", upperLimit: 300 }]),
      {},
      { now: lookTime(1) },
    );
    const e = evidenceOf(result, "v1");
    // Slower than 300 ms: two thirds of the 50 requests in 200–500 ms → 33.3 of 1000. p95 ≤ 300 ms
    // holds when at most 5% are slower: P = I_0.05(1 + 33.3, 1 + 966.7) (mpmath 0.9932244608254958).
    expect(e.model).toBe("exceedance");
    expect(e.probability).toBeCloseTo(0.9932244608254958, 11);
    expect(e.posteriorMean).toBeCloseTo((1 + 100 / 3) / 1002, 12);
    expect(e.decision).toBe("satisfied");
    expect(e.reason).toContain("share of requests slower than 300 ms (at most 0.05 allowed)");
  });

  it("models the mean latency with the spread the histogram implies", () => {
    const result = analyze(withHistograms([{ metric: "iter8-system/mean-latency", upperLimit: 150 }]), {}, { now: lookTime(1) });
    const e = evidenceOf(result, "v1");
    // Uniform within buckets: E[X²] = (600·0.01 + 350·0.07 + 50·0.39)/3/1000 s², mean 0.1 s.
    const variance = (((600 * 0.01 + 350 * 0.07 + 50 * 0.39) / 3 / 1000 - 0.01) * 1000) / 999;
    const scale = (1000 * Math.sqrt(variance)) / Math.sqrt(1000);
    const q = studentTQuantile(0.975, 999);
    expect(e).toMatchObject({ model: "mean", value: 100, sampleSize: 1000, decision: "satisfied" });
    expect(e.interval![0]).toBeCloseTo(100 - q * scale, 9);
    expect(e.interval![1]).toBeCloseTo(100 + q * scale, 9);
  });
});

describe("objectives in the statistics mode: point values", () => {
  it("checks a metric without an uncertainty model against its limits", () => {
    const exp = statisticsExperiment({ pattern: "Canary", current: even, objectives: [{ metric: "default/cpu-cores", upperLimit: 2 }] });
    const values: MetricValues = {
      [REQUESTS]: { v1: { value: 5000 }, v2: { value: 5000 } },
      "default/cpu-cores": { v1: { value: 1.5 }, v2: { value: 2.5 } },
    };
    const result = analyze(exp, values, { now: lookTime(1) });
    expect(evidenceOf(result, "v1")).toMatchObject({ model: "point", probability: 1, decision: "satisfied", rule: "point-within-limits" });
    expect(evidenceOf(result, "v2")).toMatchObject({ model: "point", probability: 0, decision: "violated", rule: "point-outside-limits" });
    expect(evidenceOf(result, "v2").reason).toBe("default/cpu-cores = 2.5 breaks default/cpu-cores ≤ 2 (point value, no uncertainty model)");
    expect(result.winnerAssessment.data.winner).toBe("v1");
  });

  it("multiplies objective probabilities into a version's feasibility", () => {
    const exp = statisticsExperiment({
      pattern: "Canary",
      current: even,
      objectives: [...errorObjective, { metric: "default/cpu-cores", upperLimit: 2 }],
    });
    const values = { ...errors({ v1: [3, 5000], v2: [45, 5000] }), "default/cpu-cores": { v1: { value: 1 }, v2: { value: 1 } } };
    const result = analyze(exp, values, { now: lookTime(1) });
    const v2 = result.statistics!.data.versions.find((v) => v.version === "v2")!;
    expect(v2.feasibility).toBeCloseTo(0.7347451265511282, 11);
    expect(v2.status).toBe("undecided");
  });
});
