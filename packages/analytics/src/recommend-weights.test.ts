import { withDefaults } from "@iter8ts/types";
import type { WinnerAssessmentData } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { makeExperiment, threeVersions } from "./__fixtures__/experiment";
import { constrainWeights, currentWeights, explorationMix, recommendWeights } from "./recommend-weights";

const candidateBest: WinnerAssessmentData = { winnerFound: true, winner: "v2", bestVersions: ["v2"] };
const nobodyBest: WinnerAssessmentData = { winnerFound: false, bestVersions: [] };

/** The split as [name, value] pairs, which is what a user reads. */
function split(result: ReturnType<typeof recommendWeights>) {
  return result.data.map((w) => [w.name, w.value]);
}

describe("explorationMix", () => {
  it("puts 90 % on the best versions and spreads 10 % evenly", () => {
    expect(explorationMix(2, [1])).toEqual([5, 95]);
    expect(explorationMix(2, [])).toEqual([95, 5]);
    const three = explorationMix(3, [1]);
    expect(three[0]).toBeCloseTo(10 / 3, 10);
    expect(three[1]).toBeCloseTo(90 + 10 / 3, 10);
    expect(three[2]).toBeCloseTo(10 / 3, 10);
    expect(explorationMix(4, [1, 2])).toEqual([2.5, 47.5, 47.5, 2.5]);
  });

  it("falls back to the baseline when the best indices are out of range", () => {
    expect(explorationMix(2, [-1, 7])).toEqual([95, 5]);
  });
});

describe("constrainWeights", () => {
  const limits = { maxCandidateWeight: 100, maxCandidateWeightIncrement: 10 };

  it("limits a candidate's increase and gives the excess to the baseline", () => {
    expect(constrainWeights([5, 95], [100, 0], limits)).toEqual([90, 10]);
    expect(constrainWeights([5, 95], [50, 50], { maxCandidateWeight: 53, maxCandidateWeightIncrement: 2 })).toEqual([48, 52]);
  });

  it("does not limit a decrease", () => {
    expect(constrainWeights([95, 5], [20, 80], limits)).toEqual([95, 5]);
  });

  it("caps a candidate at maxCandidateWeight", () => {
    expect(constrainWeights([5, 95], [50, 50], { maxCandidateWeight: 60, maxCandidateWeightIncrement: 100 })).toEqual([40, 60]);
  });

  it("never takes a candidate below zero, whatever the current weights say", () => {
    expect(constrainWeights([5, 95], [100, -30], limits)).toEqual([100, 0]);
  });
});

describe("recommendWeights", () => {
  it("gives no weights to a Conformance experiment", () => {
    const exp = makeExperiment({ spec: { strategy: { testingPattern: "Conformance" }, versionInfo: { baseline: { name: "v1" } } } });
    const result = recommendWeights(exp, { winnerFound: true, winner: "v1", bestVersions: ["v1"] });
    expect(result.data).toEqual([]);
    expect(result.message).toBe("weight computation is not applicable to a conformance experiment");
  });

  it("without spec.strategy.weights, applies no caps ([5, 95] / [95, 5])", () => {
    const exp = makeExperiment({ status: { currentWeightDistribution: [{ name: "v1", value: 70 }, { name: "v2", value: 30 }] } });
    expect(split(recommendWeights(exp, candidateBest))).toEqual([["v1", 5], ["v2", 95]]);
    expect(split(recommendWeights(exp, nobodyBest))).toEqual([["v1", 95], ["v2", 5]]);
    expect(recommendWeights(exp, candidateBest).message).toBe("Error: ; Warning: ; Info: all ok");
  });

  it("walks a winning candidate up by 10 points per iteration with the default caps, then holds at 95", () => {
    let exp = withDefaults(makeExperiment());
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      const [baseline, candidate] = recommendWeights(exp, candidateBest).data;
      seen.push(candidate!.value);
      exp = { ...exp, status: { currentWeightDistribution: [baseline!, candidate!] } };
    }
    expect(seen).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 95, 95]);
  });

  it("sends a losing candidate straight back to 5 %", () => {
    const exp = withDefaults(
      makeExperiment({ status: { currentWeightDistribution: [{ name: "v1", value: 20 }, { name: "v2", value: 80 }] } }),
    );
    expect(split(recommendWeights(exp, nobodyBest))).toEqual([["v1", 95], ["v2", 5]]);
  });

  it("holds a candidate at maxCandidateWeight", () => {
    const exp = makeExperiment({
      spec: { strategy: { testingPattern: "Canary", weights: { maxCandidateWeight: 60, maxCandidateWeightIncrement: 10 } } },
      status: { currentWeightDistribution: [{ name: "v1", value: 50 }, { name: "v2", value: 50 }] },
    });
    expect(split(recommendWeights(exp, candidateBest))).toEqual([["v1", 40], ["v2", 60]]);
  });

  it("matches current weights by version name, not by list position", () => {
    // The controller appends a computed baseline weight last; position matching read it as the candidate's.
    const exp = withDefaults(
      makeExperiment({ status: { currentWeightDistribution: [{ name: "v2", value: 10 }, { name: "v1", value: 90 }] } }),
    );
    expect(split(recommendWeights(exp, candidateBest))).toEqual([["v1", 80], ["v2", 20]]);
  });

  it("reads a short weight list: the one unlisted version holds the rest of 100", () => {
    const exp = withDefaults(makeExperiment({ status: { currentWeightDistribution: [{ name: "v2", value: 30 }] } }));
    expect(currentWeights(exp)).toEqual([70, 30]);
    expect(split(recommendWeights(exp, candidateBest))).toEqual([["v1", 60], ["v2", 40]]);
  });

  it("assumes 0 for several unlisted candidates and says so", () => {
    const exp = withDefaults(
      makeExperiment({
        spec: { strategy: { testingPattern: "A/B/N" }, versionInfo: threeVersions },
        status: { currentWeightDistribution: [{ name: "v1", value: 100 }] },
      }),
    );
    const result = recommendWeights(exp, { winnerFound: true, winner: "v3", bestVersions: ["v3"] });
    expect(split(result)).toEqual([["v1", 87], ["v2", 3], ["v3", 10]]);
    expect(result.message).toBe(
      "Error: ; Warning: status.currentWeightDistribution has no weight for version v2; assuming 0, " +
        "status.currentWeightDistribution has no weight for version v3; assuming 0; Info: ",
    );
  });

  it("starts from all traffic on the baseline when no weights were observed yet", () => {
    const exp = withDefaults(makeExperiment({ spec: { strategy: { testingPattern: "A/B/N" }, versionInfo: threeVersions } }));
    expect(currentWeights(exp)).toEqual([100, 0, 0]);
    // mix 3.33 / 93.33 / 3.33 → v2 capped at 10 → 86.67 / 10 / 3.33 → 87 / 10 / 3.
    expect(split(recommendWeights(exp, { winnerFound: true, winner: "v2", bestVersions: ["v2"] }))).toEqual([
      ["v1", 87],
      ["v2", 10],
      ["v3", 3],
    ]);
  });

  it("splits the exploitation share between tied best versions", () => {
    const exp = makeExperiment({
      spec: { strategy: { testingPattern: "A/B/N" }, versionInfo: { baseline: { name: "a" }, candidates: [{ name: "b" }, { name: "c" }, { name: "d" }] } },
    });
    const result = recommendWeights(exp, { winnerFound: false, bestVersions: ["b", "c"] });
    expect(split(result)).toEqual([["a", 3], ["b", 48], ["c", 47], ["d", 2]]);
  });

  it("uses the winner when bestVersions was dropped (as Iter8's status does)", () => {
    const exp = makeExperiment();
    expect(split(recommendWeights(exp, { winnerFound: true, winner: "v2" }))).toEqual([["v1", 5], ["v2", 95]]);
  });

  it("still recommends weights for FixedSplit and BlueGreen, noting that FixedSplit keeps its split", () => {
    const fixed = makeExperiment({ spec: { strategy: { testingPattern: "Canary", deploymentPattern: "FixedSplit" } } });
    const result = recommendWeights(fixed, candidateBest);
    expect(split(result)).toEqual([["v1", 5], ["v2", 95]]);
    expect(result.message).toContain("FixedSplit experiments keep their split");
    const blueGreen = withDefaults(makeExperiment({ spec: { strategy: { testingPattern: "Canary", deploymentPattern: "BlueGreen" } } }));
    expect(split(recommendWeights(blueGreen, candidateBest))).toEqual([["v1", 90], ["v2", 10]]);
  });

  it("reads the winner from status when none is passed", () => {
    const exp = makeExperiment({
      status: { analysis: { winnerAssessment: { provenance: "p", timestamp: "t", data: candidateBest } } },
    });
    expect(split(recommendWeights(exp))).toEqual([["v1", 5], ["v2", 95]]);
  });

  it("reports a missing versionInfo instead of throwing", () => {
    const exp = makeExperiment({ spec: { versionInfo: undefined } });
    const result = recommendWeights(exp, candidateBest);
    expect(result.data).toEqual([]);
    expect(result.message).toContain("spec.versionInfo is missing");
  });
});
