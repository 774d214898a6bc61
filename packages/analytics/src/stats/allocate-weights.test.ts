import { describe, expect, it } from "vitest";
import { withDefaults } from "@iter8ts/types";
import { statisticsExperiment } from "./__fixtures__/statistics-experiment";
import { allocateWeights, type WeightInputs } from "./allocate-weights";
import type { SrmEvidence } from "./statistics-analysis";
import { parseStrength } from "./strength";

const srm: SrmEvidence = {
  status: "ok",
  reason: "",
  threshold: 0.001,
  chiSquare: 0,
  dof: 1,
  pValue: 1,
  observed: {},
  expected: {},
  zeroWeightTraffic: [],
};

function weights(overrides: Partial<WeightInputs> & { pattern?: "A/B" | "Canary" | "Conformance"; maxCandidateWeight?: number }) {
  const experiment = withDefaults(statisticsExperiment({ pattern: overrides.pattern ?? "A/B" }));
  if (overrides.maxCandidateWeight !== undefined) experiment.spec.strategy.weights!.maxCandidateWeight = overrides.maxCandidateWeight;
  const versions = overrides.pattern === "Conformance" ? ["v1"] : ["v1", "v2"];
  return allocateWeights({
    experiment,
    versions,
    winner: { winnerFound: false, bestVersions: [] },
    reward: null,
    feasibility: new Map(),
    srm,
    strength: parseStrength({}),
    current: versions.length === 1 ? [100] : [50, 50],
    ...overrides,
  });
}

describe("allocateWeights", () => {
  it("gives the winner the exploitation share, within maxCandidateWeight", () => {
    const result = weights({ winner: { winnerFound: true, winner: "v2", bestVersions: ["v2"] }, maxCandidateWeight: 55 });
    // 94.1 wanted; +10 from 50 allows 60; maxCandidateWeight allows 55; the rest goes to v1.
    expect(result.data).toEqual([
      { name: "v1", value: 45 },
      { name: "v2", value: 55 },
    ]);
    expect(result.evidence.rule).toBe("winner");
  });

  it("in a Canary follows the candidate's probability of satisfying its objectives", () => {
    const infeasible = weights({
      pattern: "Canary",
      feasibility: new Map([
        ["v1", { probability: 1, status: "feasible" as const }],
        ["v2", { probability: 0, status: "infeasible" as const }],
      ]),
    });
    // All exploitation on v1: 94.1 / 5.9 after exploration and floor; decreases are not capped.
    expect(infeasible.data).toEqual([
      { name: "v1", value: 94 },
      { name: "v2", value: 6 },
    ]);
    const likely = weights({
      pattern: "Canary",
      feasibility: new Map([
        ["v1", { probability: 1, status: "feasible" as const }],
        ["v2", { probability: 0.8, status: "undecided" as const }],
      ]),
    });
    expect(likely.evidence).toMatchObject({ rule: "feasibility", allocation: { v1: 0.19999999999999996, v2: 0.8 } });
    // 0.01 + 0.98 (0.05 + 0.9 · 0.8) = 0.7646 → 76.46, capped at 50 + 10.
    expect(likely.evidence.mixed["v2"]).toBeCloseTo(76.46, 10);
    expect(likely.data.map((w) => w.value)).toEqual([40, 60]);
  });

  it("freezes the current weights on a sample ratio mismatch", () => {
    const result = weights({ srm: { ...srm, status: "mismatch", reason: "traffic reached v2 while its weight was 0" } });
    expect(result.data.map((w) => w.value)).toEqual([50, 50]);
    expect(result.evidence).toMatchObject({ rule: "frozen-srm", allocation: {} });
  });

  it("recommends nothing for Conformance", () => {
    const result = weights({ pattern: "Conformance" });
    expect(result.data).toEqual([]);
    expect(result.evidence.rule).toBe("not-applicable");
  });
});
