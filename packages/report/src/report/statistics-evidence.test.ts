import { describe, expect, it } from "vitest";
import {
  alwaysValidEvidence,
  groupSequentialEvidence,
  objectiveEvidence,
  rewardEvidence,
  srmEvidence,
  statisticsAnalysis,
  statisticsState,
  versionEvidence,
  weightsEvidence,
  winnerEvidence,
} from "./__fixtures__/statistics-evidence";
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
        sequential: null,
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
        sequential: { design: "always-valid", alwaysValidReason: null, groupSequential: null, pValue: 0.003, interval: [0.1, 0.9], alpha: 0.05, looks: 6, favours: "candidate" },
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

  it("gives each candidate's design: the group-sequential look, z, boundaries and spent alpha, or the always-valid test and why it decides", () => {
    const winner = winnerEvidence({
      sequential: {
        v2: groupSequentialEvidence(
          { spending: "pocock", z: 2.1, look: 7, plannedLooks: 20, upperBound: 2.44, lowerBound: -2.44, spentUpper: 0.0061, spentLower: 0.0061 },
          { pValue: 0.2, lower: -0.001, upper: 0.02, looks: 7 },
        ),
      },
    });
    const design = { spending: "pocock" as const, alphaUpper: 0.025, alphaLower: 0.025, plannedLooks: 20, tests: {} };
    const gs = readStatisticsEvidence({ statistics: statisticsAnalysis({ winner, versions: [versionEvidence("v1"), versionEvidence("v2")], state: statisticsState(design) }) })!;
    expect(gs.versions[0]!.sequential).toBeNull();
    expect(gs.versions[1]!.sequential).toEqual({
      design: "group-sequential",
      alwaysValidReason: null,
      groupSequential: { spending: "pocock", look: 7, plannedLooks: 20, z: 2.1, upperBound: 2.44, lowerBound: -2.44, spentUpper: 0.0061, spentLower: 0.0061, alphaUpper: 0.025, alphaLower: 0.025 },
      pValue: 0.2,
      interval: [-0.001, 0.02],
      alpha: 0.1,
      looks: 7,
      favours: null,
    });

    // The design stopped applying: the always-valid test decides, and the state says why.
    const abandoned = { ...design, abandoned: "look 21 is past the 20 planned looks (maxLoops × iterationsPerLoop)" };
    const av = winnerEvidence({ sequential: { v2: alwaysValidEvidence({ pValue: 0.004, lower: 0.002, upper: 0.03, looks: 21, favours: "candidate" }) } });
    const taken = readStatisticsEvidence({ statistics: statisticsAnalysis({ winner: av, versions: [versionEvidence("v2")], state: statisticsState(abandoned) }) })!;
    expect(taken.versions[0]!.sequential).toMatchObject({
      design: "always-valid",
      alwaysValidReason: "look 21 is past the 20 planned looks (maxLoops × iterationsPerLoop)",
      groupSequential: null,
      pValue: 0.004,
      interval: [0.002, 0.03],
      favours: "candidate",
    });
    // No design in the state: the experiment chose the always-valid test.
    const chosen = readStatisticsEvidence({ statistics: statisticsAnalysis({ winner: av, versions: [versionEvidence("v2")], state: statisticsState() }) })!;
    expect(chosen.versions[0]!.sequential!.alwaysValidReason).toBe("chosen by strength.design: always-valid");
  });
});
