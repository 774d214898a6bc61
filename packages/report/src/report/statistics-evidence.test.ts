import { describe, expect, it } from "vitest";
import { objectiveEvidence, rewardEvidence, srmEvidence, statisticsAnalysis, versionEvidence, weightsEvidence, winnerEvidence } from "./__fixtures__/statistics-evidence";
import { readStatisticsEvidence } from "./statistics-evidence";

const statistics = statisticsAnalysis({
  winner: winnerEvidence({
    rule: "winner",
    reason: "v2 is best with probability 0.98",
    winner: "v2",
    leader: "v2",
    confidence: 0.95,
    probabilityBest: { v1: 0.02, v2: 0.98 },
    expectedLoss: { v1: 0.4, v2: 0.001 },
    sequential: { v2: { pValue: 0.003, favours: "candidate", lower: 0.1, upper: 0.9, estimate: 0.5, looks: 6, alpha: 0.05 } },
  }),
  versions: [
    versionEvidence("v1", { status: "feasible", feasibility: 0.99, sampleSize: 1200, reward: rewardEvidence({ value: 0.031, posteriorMean: 0.0312, interval: [0.028, 0.034] }) }),
    versionEvidence("v2", { status: "feasible", feasibility: 0.97, sampleSize: 1180 }),
  ],
  objectives: [
    objectiveEvidence({ objective: 0, metric: "default/error-rate", version: "v1", decision: "satisfied", probability: 0.999, interval: [0.001, 0.004], reason: "P(rate ≤ 0.01) = 0.999" }),
  ],
  srm: srmEvidence({ status: "ok", reason: "traffic matches the weights", pValue: 0.41 }),
  weights: weightsEvidence({ rule: "winner", reason: "exploitation goes to v2" }),
});

describe("readStatisticsEvidence", () => {
  it("is null for the Iter8 point-value analysis", () => {
    expect(readStatisticsEvidence({ winnerAssessment: {} })).toBeNull();
    expect(readStatisticsEvidence(undefined)).toBeNull();
    expect(readStatisticsEvidence({ statistics: { data: "not an object" } })).toBeNull();
  });

  it("reads the winner, per-version and per-objective evidence, the traffic check and the weights rule", () => {
    const evidence = readStatisticsEvidence({ statistics })!;
    expect(evidence.winner).toEqual({ rule: "winner", reason: "v2 is best with probability 0.98", leader: "v2", confidence: 0.95 });
    expect(evidence.versions).toEqual([
      {
        version: "v1",
        status: "feasible",
        feasibility: 0.99,
        sampleSize: 1200,
        probabilityBest: 0.02,
        expectedLoss: 0.4,
        rewardMean: 0.0312,
        rewardInterval: [0.028, 0.034],
        sequentialPValue: null,
        favours: null,
      },
      {
        version: "v2",
        status: "feasible",
        feasibility: 0.97,
        sampleSize: 1180,
        probabilityBest: 0.98,
        expectedLoss: 0.001,
        rewardMean: null,
        rewardInterval: null,
        sequentialPValue: 0.003,
        favours: "candidate",
      },
    ]);
    expect(evidence.objectives).toEqual([
      { objective: 0, metric: "default/error-rate", version: "v1", decision: "satisfied", probability: 0.999, interval: [0.001, 0.004], reason: "P(rate ≤ 0.01) = 0.999" },
    ]);
    expect(evidence.srm).toEqual({ status: "ok", reason: "traffic matches the weights", pValue: 0.41 });
    expect(evidence.weights).toEqual({ rule: "winner", reason: "exploitation goes to v2" });
  });

  it("leaves out each part that does not match the analytics' schema instead of failing", () => {
    const { data } = statistics;
    const broken = { ...data, winner: { ...data.winner, reason: 42, confidence: "high" }, versions: [{ ...data.versions[0], feasibility: "1" }, data.versions[1], { status: "no version name" }] };
    const evidence = readStatisticsEvidence({ statistics: { ...statistics, data: { ...broken, objectives: [...data.objectives, { objective: "first", version: "v2" }], srm: { status: "ok" }, weights: null } } })!;
    expect(evidence.winner).toEqual({ rule: null, reason: null, leader: null, confidence: null });
    expect(evidence.versions.map((v) => v.version)).toEqual(["v2"]);
    expect(evidence.versions[0]).toMatchObject({ probabilityBest: null, sequentialPValue: null });
    expect(evidence.objectives).toHaveLength(1);
    expect(evidence.srm).toBeNull();
    expect(evidence.weights).toBeNull();
  });
});
