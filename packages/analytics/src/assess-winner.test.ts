import { describe, expect, it } from "vitest";
import { makeExperiment, threeVersions } from "./__fixtures__/experiment";
import { assessWinner, feasibleVersions } from "./assess-winner";

const revenue = (values: Record<string, number | string | null>) => ({
  "default/business-revenue": { data: Object.fromEntries(Object.entries(values).map(([v, value]) => [v, { value }])) },
});

function abn(direction: "High" | "Low" = "High", rewards?: { metric: string; preferredDirection: "High" | "Low" }[]) {
  return makeExperiment({
    spec: {
      strategy: { testingPattern: "A/B/N" },
      versionInfo: threeVersions,
      criteria: { rewards: rewards ?? [{ metric: "business-revenue", preferredDirection: direction }] },
    },
  });
}

describe("feasibleVersions", () => {
  it("treats every version as feasible when there are no assessments", () => {
    expect(feasibleVersions(["a", "b"], undefined)).toEqual(["a", "b"]);
    expect(feasibleVersions(["a", "b"], {})).toEqual(["a", "b"]);
  });

  it("keeps versions whose checks all pass, and reports versions left out", () => {
    const missing: string[] = [];
    expect(feasibleVersions(["a", "b", "c"], { a: [true, true], b: [true, false] }, (v) => missing.push(v))).toEqual(["a"]);
    expect(missing).toEqual(["c"]);
  });
});

describe("assessWinner — Conformance", () => {
  const exp = makeExperiment({ spec: { strategy: { testingPattern: "Conformance" }, versionInfo: { baseline: { name: "v1" } } } });

  it("declares the baseline the winner when it satisfies all objectives", () => {
    const result = assessWinner(exp, { v1: [true] });
    expect(result.data).toEqual({ winnerFound: true, winner: "v1", bestVersions: ["v1"] });
    expect(result.message).toBe("Error: ; Warning: ; Info: baseline satisfies all objectives");
  });

  it("declares no winner otherwise, and says why", () => {
    const result = assessWinner(exp, { v1: [true, false] });
    expect(result.data).toEqual({ winnerFound: false, bestVersions: [] });
    expect(result.message).toBe("Error: ; Warning: ; Info: baseline does not satisfy all objectives");
  });
});

describe("assessWinner — Canary", () => {
  const exp = makeExperiment();

  it("prefers a feasible candidate", () => {
    const result = assessWinner(exp, { v1: [true], v2: [true] });
    expect(result.data).toEqual({ winnerFound: true, winner: "v2", bestVersions: ["v2"] });
    expect(result.message).toBe("Error: ; Warning: ; Info: candidate satisfies all objectives");
  });

  it("falls back to a feasible baseline", () => {
    const result = assessWinner(exp, { v1: [true], v2: [false] });
    expect(result.data).toEqual({ winnerFound: true, winner: "v1", bestVersions: ["v1"] });
    expect(result.message).toBe("Error: ; Warning: ; Info: baseline satisfies all objectives; candidate does not");
  });

  it("declares no winner when neither is feasible", () => {
    const result = assessWinner(exp, { v1: [false], v2: [false] });
    expect(result.data.winnerFound).toBe(false);
    expect(result.message).toBe("Error: ; Warning: ; Info: neither candidate nor baseline satisfies all objectives");
  });

  it("makes the candidate win when there are no objectives", () => {
    expect(assessWinner(exp, {}).data.winner).toBe("v2");
  });

  it("treats a version missing from the assessments as not feasible instead of crashing", () => {
    const result = assessWinner(exp, { v1: [true] });
    expect(result.data.winner).toBe("v1");
    expect(result.message).toContain("no version assessment for version v2");
  });

  it("reports a Canary without candidates", () => {
    const result = assessWinner(makeExperiment({ spec: { versionInfo: { baseline: { name: "v1" } } } }), {});
    expect(result.data.winnerFound).toBe(false);
    expect(result.message).toContain("Error: a Canary experiment needs one candidate");
  });
});

describe("assessWinner — A/B and A/B/N", () => {
  it("picks the feasible version with the highest reward", () => {
    const result = assessWinner(abn(), { v1: [true], v2: [true], v3: [true] }, revenue({ v1: "323.32", v2: "3343.2343", v3: "2326.2343" }));
    expect(result.data).toEqual({ winnerFound: true, winner: "v2", bestVersions: ["v2"] });
    expect(result.message).toBe("Error: ; Warning: ; Info: found unique winner");
  });

  it("picks the lowest reward when lower is preferred", () => {
    const result = assessWinner(abn("Low"), {}, revenue({ v1: 3, v2: 1, v3: 2 }));
    expect(result.data.winner).toBe("v2");
  });

  it("ignores a better reward of an infeasible version", () => {
    const result = assessWinner(abn(), { v1: [true], v2: [false], v3: [true] }, revenue({ v1: 323, v2: 3343, v3: 2326 }));
    expect(result.data.winner).toBe("v3");
  });

  it("warns about a feasible version without a reward value and still picks among the others", () => {
    const result = assessWinner(abn(), {}, revenue({ v1: 323, v3: 2326 }));
    expect(result.data.winner).toBe("v3");
    expect(result.message).toBe(
      "Error: ; Warning: reward value for feasible version v2 is not available; Info: found unique winner",
    );
  });

  it("declares no winner on a tie and names the tied versions", () => {
    const result = assessWinner(abn(), {}, revenue({ v1: 10, v2: 20, v3: "20" }));
    expect(result.data).toEqual({ winnerFound: false, bestVersions: ["v2", "v3"] });
    expect(result.message).toBe(
      "Error: ; Warning: ; Info: no unique winner; two or more feasible versions with same reward value",
    );
  });

  it("says so when no version is feasible", () => {
    const result = assessWinner(abn(), { v1: [false], v2: [false], v3: [false] }, revenue({ v1: 1, v2: 2, v3: 3 }));
    expect(result.data).toEqual({ winnerFound: false, bestVersions: [] });
    expect(result.message).toBe("Error: ; Warning: ; Info: no version satisfies all objectives");
  });

  it("warns when the experiment has no reward", () => {
    const exp = makeExperiment({ spec: { strategy: { testingPattern: "A/B" } } });
    const result = assessWinner(exp, {}, revenue({ v1: 1, v2: 2 }));
    expect(result.data.winnerFound).toBe(false);
    expect(result.message).toBe(
      "Error: ; Warning: No reward metric in experiment. Winner assessment cannot be computed for ab or abn experiments without reward metric.; Info: ",
    );
  });

  it("warns when the reward metric has no values", () => {
    const result = assessWinner(abn(), {}, { "default/request-count": { data: { v1: { value: 1 } } } });
    expect(result.data.winnerFound).toBe(false);
    expect(result.message).toBe("Error: ; Warning: reward metric values are not available; Info: ");
  });

  it("finds a qualified reward written without its namespace, and the other way round", () => {
    expect(assessWinner(abn(), {}, revenue({ v1: 1, v2: 3, v3: 2 })).data.winner).toBe("v2");
    const qualified = abn("High", [{ metric: "default/business-revenue", preferredDirection: "High" }]);
    expect(assessWinner(qualified, {}, { "business-revenue": revenue({ v1: 5, v2: 3, v3: 2 })["default/business-revenue"] }).data.winner).toBe("v1");
  });

  it("uses only the first reward and says the others are not used", () => {
    const exp = abn("High", [
      { metric: "business-revenue", preferredDirection: "High" },
      { metric: "clicks", preferredDirection: "High" },
    ]);
    const result = assessWinner(exp, {}, revenue({ v1: 1, v2: 3, v3: 2 }));
    expect(result.data.winner).toBe("v2");
    expect(result.message).toContain("only the first reward (business-revenue) decides the winner; clicks is not used");
  });
});

describe("assessWinner — missing pieces", () => {
  it("reports a missing versionInfo instead of throwing", () => {
    const result = assessWinner(makeExperiment({ spec: { versionInfo: undefined } }), {});
    expect(result.data).toEqual({ winnerFound: false, bestVersions: [] });
    expect(result.message).toContain("spec.versionInfo is missing");
  });

  it("reads assessments and metrics from status by default", () => {
    const exp = makeExperiment({
      spec: {
        strategy: { testingPattern: "A/B" },
        criteria: { rewards: [{ metric: "business-revenue", preferredDirection: "High" }] },
      },
      status: {
        analysis: {
          aggregatedMetrics: { provenance: "p", timestamp: "t", data: revenue({ v1: 2, v2: 1 }) },
          versionAssessments: { provenance: "p", timestamp: "t", data: { v1: [true], v2: [true] } },
        },
      },
    });
    expect(assessWinner(exp).data.winner).toBe("v1");
  });
});
