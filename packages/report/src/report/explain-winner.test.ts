import { describe, expect, it } from "vitest";
import type { ExperimentSummary } from "../describe/summarize-experiment";
import { describeObjective, explainWinner } from "./explain-winner";

const q = (value: number) => ({ quantity: String(value), value });

function summary(over: Partial<ExperimentSummary>): ExperimentSummary {
  return {
    name: "exp",
    namespace: "default",
    target: "default/app",
    testingPattern: "Canary",
    deploymentPattern: "Progressive",
    stage: "Running",
    completedIterations: 3,
    totalIterations: 10,
    completed: false,
    failed: false,
    message: null,
    versions: ["v1", "v2"],
    winner: { found: true, version: "v2" },
    versionRecommendedForPromotion: "v2",
    conclusion: null,
    analysis: { winnerAssessment: true, versionAssessments: true, aggregatedMetrics: true },
    rewards: [],
    objectives: [],
    metrics: [],
    ...over,
  };
}

const latency = (satisfied: Record<string, boolean | null>) => ({
  metric: "default/mean-latency",
  lowerLimit: null,
  upperLimit: q(200),
  rollbackOnFailure: false,
  satisfied,
});
const errors = (satisfied: Record<string, boolean | null>) => ({
  metric: "default/error-rate",
  lowerLimit: q(0),
  upperLimit: q(0.01),
  rollbackOnFailure: false,
  satisfied,
});

describe("explainWinner", () => {
  it("is null before analytics assessed a winner", () => {
    expect(explainWinner(summary({ winner: null }))).toBeNull();
  });

  it("Canary: the candidate wins by meeting every objective", () => {
    expect(explainWinner(summary({ objectives: [latency({ v1: true, v2: true })] }))).toBe("The candidate v2 meets every objective.");
  });

  it("Canary: the baseline wins when the candidate fails an objective, which is named with its limits", () => {
    const s = summary({ winner: { found: true, version: "v1" }, objectives: [latency({ v1: true, v2: true }), errors({ v1: true, v2: false })] });
    expect(explainWinner(s)).toBe("The candidate v2 does not meet objective 2 (0 ≤ default/error-rate ≤ 0.01); the baseline v1 meets every objective.");
  });

  it("Canary: no winner when neither version meets every objective", () => {
    const s = summary({ winner: { found: false, version: null }, objectives: [latency({ v1: false, v2: false })] });
    expect(explainWinner(s)).toBe(
      "Neither version meets every objective: v1 does not meet objective 1 (default/mean-latency ≤ 200); v2 does not meet objective 1 (default/mean-latency ≤ 200).",
    );
  });

  it("Conformance: the baseline wins by meeting its objectives, or names what it fails", () => {
    const base = { testingPattern: "Conformance" as const, versions: ["v1"] };
    expect(explainWinner(summary({ ...base, winner: { found: true, version: "v1" }, objectives: [latency({ v1: true })] }))).toBe("v1 meets every objective.");
    expect(explainWinner(summary({ ...base, winner: { found: false, version: null }, objectives: [latency({ v1: false })] }))).toBe(
      "v1 does not meet objective 1 (default/mean-latency ≤ 200).",
    );
    expect(explainWinner(summary({ ...base, winner: { found: false, version: null }, objectives: [latency({ v1: null })] }))).toBe(
      "v1 has not been assessed against every objective.",
    );
  });

  it("A/B: the best reward among feasible versions, with its value and direction", () => {
    const s = summary({
      testingPattern: "A/B",
      winner: { found: true, version: "v1" },
      rewards: [{ metric: "default/revenue", preferredDirection: "High", values: { v1: q(31.5), v2: q(44.25) }, best: ["v2"] }],
      objectives: [latency({ v1: true, v2: false })],
    });
    expect(explainWinner(s)).toBe(
      "v1 has the best default/revenue (31.5, higher is better), and it is the only version that meets every objective. v2 does not meet objective 1 (default/mean-latency ≤ 200).",
    );
  });

  it("A/B/N: a tie for the best reward leaves no winner", () => {
    const s = summary({
      testingPattern: "A/B/N",
      versions: ["a", "b", "c"],
      winner: { found: false, version: null },
      rewards: [{ metric: "default/latency", preferredDirection: "Low", values: { a: q(10), b: q(10), c: q(12) }, best: ["a", "b"] }],
    });
    expect(explainWinner(s)).toBe("a and b tie for the best default/latency, so no single winner.");
  });

  it("A/B: no winner when no version meets every objective, or the reward is missing", () => {
    const ab = { testingPattern: "A/B" as const, winner: { found: false, version: null } };
    const reward = { metric: "default/revenue", preferredDirection: "High" as const, values: { v1: null, v2: null }, best: [] };
    expect(explainWinner(summary({ ...ab, rewards: [reward], objectives: [latency({ v1: false, v2: false })] }))).toMatch(/^No version meets every objective\. v1 does not meet/);
    expect(explainWinner(summary({ ...ab, rewards: [reward] }))).toBe("The default/revenue of the versions that meet every objective (v1 and v2) is not available.");
    expect(explainWinner(summary({ ...ab }))).toBe("An A/B experiment needs a reward to pick a winner.");
  });
});

describe("describeObjective", () => {
  it("writes the limits the objective has", () => {
    expect(describeObjective({ metric: "m", lowerLimit: q(5), upperLimit: null }, 2)).toBe("objective 3 (m ≥ 5)");
    expect(describeObjective({ metric: "m", lowerLimit: null, upperLimit: null }, 0)).toBe("objective 1 (m)");
  });
});
