import { describe, expect, it } from "vitest";
import { compareRewards, decideWinner, type WinnerInputs } from "./decide-winner";
import type { VersionFeasibility } from "./objective-evidence";
import type { Observation } from "./observe-metrics";
import { betaPosterior } from "./posterior";
import { proportionSummary } from "./sample-summary";
import type { SequentialEvidence, SrmEvidence } from "./statistics-analysis";
import { parseStrength } from "./strength";

const versions = ["v1", "v2"];
const strength = parseStrength({});
const srmOk: SrmEvidence = {
  status: "ok",
  reason: "traffic matches",
  threshold: 0.001,
  chiSquare: 0.1,
  dof: 1,
  pValue: 0.75,
  observed: {},
  expected: {},
  zeroWeightTraffic: [],
};
const rate = (k: number, n: number): Observation => ({
  model: "proportion",
  value: k / n,
  sampleSize: n,
  posterior: betaPosterior(k, n),
  summary: proportionSummary(n, k),
});
const feasible = (...statuses: VersionFeasibility["status"][]) =>
  new Map(versions.map((v, i) => [v, { probability: statuses[i] === "feasible" ? 1 : 0.5, status: statuses[i]! }]));
const settled = (favours: SequentialEvidence["favours"]): Record<string, SequentialEvidence> => ({
  v2: { pValue: favours ? 0.001 : 0.5, lower: null, upper: null, estimate: 0.01, looks: 3, alpha: 0.1, favours },
});

function inputs(overrides: Partial<WinnerInputs> & { observations?: Observation[] }): WinnerInputs {
  const observations = overrides.observations ?? [rate(1000, 10000), rate(1300, 10000)];
  const feasibility = overrides.feasibility ?? feasible("feasible", "feasible");
  return {
    pattern: "A/B",
    versions,
    feasibility,
    sampleSizes: observations.map((o) => o.sampleSize),
    reward: compareRewards(versions, "default/conversion-rate", "High", observations, feasibility),
    sequential: settled("candidate"),
    srm: srmOk,
    strength,
    ...overrides,
  };
}

describe("decideWinner", () => {
  it("declares the leader when every check passes", () => {
    const { data, evidence } = decideWinner(inputs({}));
    expect(data).toEqual({ winnerFound: true, winner: "v2", bestVersions: ["v2"] });
    expect(evidence.rule).toBe("winner");
    expect(evidence.reason).toMatch(/^v2: P\(best\) = 1 ≥ 0\.95, expected loss .* ≤ 0\.0002502, always-valid test settled$/);
  });

  it("puts a sample ratio mismatch first", () => {
    const srm = { ...srmOk, status: "mismatch" as const, reason: "traffic reached v2 while its weight was 0" };
    expect(decideWinner(inputs({ srm })).evidence).toMatchObject({ rule: "sample-ratio-mismatch", reason: srm.reason });
  });

  it("needs the leader to be feasible", () => {
    const { evidence } = decideWinner(inputs({ feasibility: feasible("feasible", "undecided") }));
    expect(evidence.rule).toBe("leader-not-feasible");
    expect(evidence.reason).toMatch(/^v2 leads \(P\(best\) = 1\) but P\(all objectives hold\) = 0\.5 < 0\.95$/);
  });

  it("excludes infeasible versions from the comparison", () => {
    // With the candidate out, the baseline is the only feasible version and wins as in Iter8.
    const result = decideWinner(inputs({ feasibility: feasible("feasible", "infeasible"), sequential: settled(null) }));
    expect(result.evidence.probabilityBest).toEqual({ v1: 1 });
    expect(result.data).toEqual({ winnerFound: true, winner: "v1", bestVersions: ["v1"] });
    expect(decideWinner(inputs({ feasibility: feasible("infeasible", "infeasible") })).evidence.rule).toBe("no-contenders");
  });

  it("refuses a winner whose expected loss is above the threshold", () => {
    // 20/200 against 32/200: P(best) ≈ 0.96 but the posteriors are wide, so the loss is too.
    const { evidence } = decideWinner(inputs({ observations: [rate(20, 200), rate(32, 200)] }));
    expect(evidence.probabilityBest["v2"]).toBeGreaterThan(0.95);
    expect(evidence.expectedLoss["v2"]).toBeGreaterThan(evidence.lossThreshold!);
    expect(evidence.rule).toBe("expected-loss-above-threshold");
  });

  it("asks A/B experiments for a reward", () => {
    const { evidence } = decideWinner(inputs({ reward: null }));
    expect(evidence).toMatchObject({ rule: "no-reward", reason: "A/B and A/B/N experiments need a reward in criteria.rewards" });
  });

  it("holds an earlier winner until the always-valid test turns against it", () => {
    const weaker = [rate(1000, 10000), rate(1010, 10000)];
    const held = decideWinner(inputs({ observations: weaker, sequential: settled(null), held: { winner: "v2", look: 2 } }));
    expect(held.evidence.rule).toBe("winner-held");
    expect(held.data.winner).toBe("v2");
    const turned = decideWinner(inputs({ observations: weaker, sequential: settled("baseline"), held: { winner: "v2", look: 2 } }));
    expect(turned.data.winnerFound).toBe(false);
  });

  it("does not let the baseline win against a candidate that has barely been tried", () => {
    // The baseline leads with 9,961 requests; the candidate has 39 and no conversion yet.
    const sequential = { v2: { ...settled("baseline")["v2"]!, estimate: -0.07 } };
    const barely = decideWinner(inputs({ observations: [rate(1992, 9961), rate(0, 39)], sequential }));
    expect(barely.data.winnerFound).toBe(false);
    expect(barely.evidence).toMatchObject({ rule: "min-samples", reason: "v2 has 39 of the 150 observations needed" });
  });

  it("needs minConversions conversions and non-conversions in every compared version of a proportion", () => {
    // 200 requests each, none converted on the candidate: enough requests, too few conversions.
    const sequential = { v2: { ...settled("baseline")["v2"]!, estimate: -0.1 } };
    const none = decideWinner(inputs({ observations: [rate(100, 1000), rate(0, 200)], sequential }));
    expect(none.data.winnerFound).toBe(false);
    expect(none.evidence).toMatchObject({
      rule: "min-samples",
      reason: "v2 has 0 conversions and 200 non-conversions (each needs 5 of both)",
    });
    const lenient = { ...strength, minConversions: 0 };
    expect(decideWinner(inputs({ observations: [rate(100, 1000), rate(0, 200)], sequential, strength: lenient })).data.winner).toBe("v1");
  });

  it("applies the Canary rule with minSamples", () => {
    const canary = (sizes: number[], statuses: VersionFeasibility["status"][]) =>
      decideWinner({ ...inputs({}), pattern: "Canary", reward: null, sampleSizes: sizes, feasibility: feasible(...statuses) });
    expect(canary([5000, 5000], ["feasible", "feasible"]).data.winner).toBe("v2");
    expect(canary([5000, 100], ["feasible", "feasible"]).evidence).toMatchObject({
      rule: "min-samples",
      reason: "v2 has 100 of the 150 observations needed",
    });
    expect(canary([5000, 5000], ["feasible", "infeasible"]).data.winner).toBe("v1");
    expect(canary([5000, 5000], ["feasible", "undecided"]).evidence.rule).toBe("undecided");
  });

  it("keeps a winner through one SRM alarm and revokes it at the second in a row", () => {
    const alarm = (consecutiveAlarms: number, zeroWeightTraffic: string[] = []) => ({
      ...srmOk,
      status: "mismatch" as const,
      reason: "traffic does not match the weights in force",
      consecutiveAlarms,
      zeroWeightTraffic,
    });
    const held = { winner: "v2", look: 3 };
    expect(decideWinner(inputs({ srm: alarm(1), held })).evidence.rule).toBe("winner-held");
    expect(decideWinner(inputs({ srm: alarm(2), held })).evidence.rule).toBe("sample-ratio-mismatch");
    // Traffic where the weight was 0 is no chance: it revokes at once.
    expect(decideWinner(inputs({ srm: alarm(1, ["v1"]), held })).evidence.rule).toBe("sample-ratio-mismatch");
    // No new winner is called on an alarm.
    expect(decideWinner(inputs({ srm: alarm(1) })).data.winnerFound).toBe(false);
  });
});
