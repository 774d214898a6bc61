import { readEngineStatus, type DecisionRecord } from "@iter8ts/engine";
import { conditionOf, type Experiment } from "@iter8ts/types";
import { beforeAll, describe, expect, it } from "vitest";
import { statisticsAnalysis, winnerEvidence } from "./__fixtures__/statistics-evidence";
import { SIMULATED_VERSIONS, simulatedAbnExperiment, simulatedCanaryExperiment } from "./__fixtures__/simulated-experiment";
import { renderDescription } from "../describe/render-description";
import { summarizeExperiment } from "../describe/summarize-experiment";
import { extractReportData, readableAnalyticsMessage } from "./extract-report-data";
import { renderReportHtml } from "../html/render-report-html";

const decisionsOf = (e: Experiment): DecisionRecord[] => readEngineStatus(e.status).decisions ?? [];
const ys = (points: Array<{ y: number | null }>) => points.map((p) => p.y);

let abn: Experiment;
beforeAll(async () => {
  abn = await simulatedAbnExperiment();
});

describe("extractReportData from an engine run (A/B/N, Progressive, 12 iterations)", () => {
  it("has one point per iteration for every version, from status.decisions", () => {
    const data = extractReportData(abn);
    expect(data.source).toBe("decisions");
    expect(data.iterations).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(data.historyNote).toBeNull();
    for (const chart of [data.weights!, ...data.metrics]) {
      expect(chart.series.map((s) => s.name)).toEqual([...SIMULATED_VERSIONS]);
      for (const s of chart.series) expect(s.points.map((p) => p.x)).toEqual(data.iterations);
    }
  });

  it("plots the weights each iteration applied, which add up to 100", () => {
    const data = extractReportData(abn);
    expect(data.weights?.kind).toBe("applied");
    const decisions = decisionsOf(abn);
    for (const v of SIMULATED_VERSIONS) {
      const series = data.weights!.series.find((s) => s.name === v)!;
      expect(ys(series.points)).toEqual(decisions.map((d) => d.recommendedWeights!.find((w) => w.name === v)!.value));
    }
    data.iterations.forEach((_, i) => expect(data.weights!.series.reduce((sum, s) => sum + s.points[i]!.y!, 0)).toBe(100));
    // The winner gains traffic up to maxCandidateWeight.
    expect(data.weights!.series[2]!.points.at(-1)!.y).toBe(80);
  });

  it("orders metrics as the criteria name them and carries units, roles and objective limits", () => {
    const data = extractReportData(abn);
    expect(data.metrics.map((m) => [m.metric, m.units, m.roles])).toEqual([
      ["shop/request-count", "requests", ["request count"]],
      ["shop/conversion-rate", "ratio", ["reward (higher is better)"]],
      ["shop/mean-latency", "ms", ["objective 1"]],
      ["shop/error-rate", "ratio", ["objective 2"]],
    ]);
    expect(data.metrics[2]!.limits).toEqual([{ label: "upper limit", value: 250 }]);
    expect(data.metrics[3]!.limits).toEqual([{ label: "upper limit", value: 0.02 }]);
    const latency = data.metrics[2]!.series.find((s) => s.name === "checkout-v2")!;
    expect(ys(latency.points)).toEqual(decisionsOf(abn).map((d) => d.values!["shop/mean-latency"]!["checkout-v2"]!.value));
  });

  it("counts how often each version met each objective", () => {
    const data = extractReportData(abn);
    expect(data.objectives[0]).toMatchObject({
      index: 0,
      metric: "shop/mean-latency",
      satisfied: { "checkout-v1": true, "checkout-v2": false, "checkout-v3": true },
      history: { "checkout-v1": { met: 12, assessed: 12 }, "checkout-v2": { met: 0, assessed: 12 }, "checkout-v3": { met: 12, assessed: 12 } },
    });
  });

  it("names the winner, since when it has won, why, and the version recommended for promotion", () => {
    const data = extractReportData(abn);
    expect(data.winner.assessment).toEqual({ found: true, version: "checkout-v3" });
    expect(data.winner.since).toBe(2);
    expect(data.winner.explanation).toMatch(
      /^checkout-v3 has the best shop\/conversion-rate \([\d.]+, higher is better\) among the versions that meet every objective \(checkout-v1 and checkout-v3\)\. checkout-v2 does not meet objective 1 \(shop\/mean-latency ≤ 250\)\.$/,
    );
    expect(data.winner.analyticsMessage).toBe("Info: found unique winner");
    expect(data.versionRecommendedForPromotion).toBe("checkout-v3");
    expect(data.latestDecision).toMatchObject({ iteration: 12, loop: 2, outcome: "Continued", winner: "checkout-v3" });
    expect(data.decisions.map((d) => d.winner)).toEqual(["checkout-v1", ...Array<string>(11).fill("checkout-v3")]);
    // checkout-v2 breaks the latency objective (objective 1) in every iteration, so it never wins.
    expect(data.decisions.map((d) => d.unmetObjectives)).toEqual(Array(12).fill([{ version: "checkout-v2", objectives: [1] }]));
  });

  it("describes the overview and the outcome from the conditions", () => {
    const x = extractReportData(abn).experiment;
    expect(x).toMatchObject({
      name: "checkout-abn",
      namespace: "shop",
      target: "shop/checkout",
      testingPattern: "A/B/N",
      deploymentPattern: "Progressive",
      stage: "Completed",
      completedIterations: 12,
      totalIterations: 12,
      baseline: "checkout-v1",
      candidates: ["checkout-v2", "checkout-v3"],
      outcome: "Completed",
      outcomeText: "Completed after 12 iteration(s) with winner checkout-v3. checkout-v3 is recommended for promotion.",
    });
    expect(x.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(["Completed=True", "Failed=False", "TargetAcquired=True"]);
  });

  it("gives the same data for the same experiment", () => {
    expect(JSON.stringify(extractReportData(abn))).toBe(JSON.stringify(extractReportData(structuredClone(abn))));
  });
});

describe("extractReportData in other situations", () => {
  it("shows a rollback, with the iteration that broke the objective", async () => {
    const data = extractReportData(await simulatedCanaryExperiment({ breakAt: 4 }));
    expect(data.experiment.outcome).toBe("RolledBack");
    expect(data.experiment.completedIterations).toBe(3);
    expect(data.iterations).toEqual([1, 2, 3, 4]);
    expect(data.metrics[0]!.series[1]!.points.at(-1)).toEqual({ x: 4, y: 240 });
    expect(data.latestDecision).toMatchObject({ iteration: 4, outcome: "RolledBack" });
    expect(data.latestDecision!.reason).toContain("shop/mean-latency");
    // The rolled-back iteration applied no weights.
    expect(data.weights!.series[1]!.points.at(-1)!.y).toBeNull();
    // The candidate won iterations 1–3, yet the rollback promotes the baseline, and the page,
    // the status and the decision record say the same.
    expect(data.versionRecommendedForPromotion).toBe("checkout-v1");
    expect(data.latestDecision!.versionRecommendedForPromotion).toBe("checkout-v1");
    expect(data.decisions.slice(0, 3).map((d) => d.versionRecommendedForPromotion)).toEqual(["checkout-v2", "checkout-v2", "checkout-v2"]);
    expect(data.conclusion).toEqual({ outcome: "RolledBack", reason: data.experiment.outcomeText });
    expect(data.experiment.outcomeText).toBe(
      "Rolled back: objective 1 (shop/mean-latency) is not met by checkout-v2; the objective is marked rollback_on_failure. " +
        "The baseline checkout-v1, which served before the experiment, is recommended for promotion.",
    );
    const html = renderReportHtml(data);
    expect(html).toContain('<strong>Recommended for promotion:</strong> <span class="recommended">checkout-v1</span>');
    expect(html).toContain(`<p class="conclusion" data-outcome="RolledBack"><strong>Conclusion:</strong> Rolled back: objective 1`);
    const text = renderDescription(summarizeExperiment(await simulatedCanaryExperiment({ breakAt: 4 })));
    expect(text).toContain(`Version recommended for promotion: checkout-v1\nConclusion: ${data.experiment.outcomeText}\n`);
  });

  it("explains a Canary win by its objectives", async () => {
    const data = extractReportData(await simulatedCanaryExperiment());
    expect(data.winner.explanation).toBe("The candidate checkout-v2 meets every objective.");
    expect(data.rewards).toEqual([]);
  });

  it("shows recommended weights, said to be unapplied, under FixedSplit", async () => {
    const data = extractReportData(await simulatedAbnExperiment({ deploymentPattern: "FixedSplit" }));
    expect(data.weights?.kind).toBe("recommended");
    expect(data.weightsNote).toContain("FixedSplit");
    expect(data.weights!.series[0]!.points).toHaveLength(12);
  });

  it("falls back to the latest analysis, one point per version, when there are no decisions", () => {
    const e = structuredClone(abn);
    delete (e.status as Record<string, unknown>).decisions;
    const data = extractReportData(e);
    expect(data.source).toBe("analysis");
    expect(data.iterations).toEqual([12]);
    expect(data.historyNote).toMatch(/no decision history/);
    expect(data.weights).toEqual({
      kind: "observed",
      series: [
        { name: "checkout-v1", points: [{ x: 12, y: 17 }] },
        { name: "checkout-v2", points: [{ x: 12, y: 3 }] },
        { name: "checkout-v3", points: [{ x: 12, y: 80 }] },
      ],
    });
    const last = decisionsOf(abn).at(-1)!;
    const latency = data.metrics.find((m) => m.metric === "shop/mean-latency")!;
    expect(latency.series.map((s) => s.points[0]!.y)).toEqual(SIMULATED_VERSIONS.map((v) => last.values!["shop/mean-latency"]![v]!.value));
    expect(data.objectives[0]!.history).toBeNull();
  });

  it("says which iterations fell out of the bounded history", () => {
    const e = structuredClone(abn);
    (e.status as { decisions: unknown[] }).decisions.splice(0, 4);
    const data = extractReportData(e);
    expect(data.iterations[0]).toBe(5);
    expect(data.historyNote).toContain("iterations 1–4 are not shown");
  });

  it("takes an iteration's values from its last record that has them, and lists every attempt", () => {
    const e = structuredClone(abn);
    const decisions = (e.status as { decisions: DecisionRecord[] }).decisions;
    const at = decisions.findIndex((d) => d.iteration === 5);
    decisions.splice(at, 0, { iteration: 5, loop: 1, time: "2024-05-06T09:02:00.000Z", outcome: "Retrying", reason: "Attempt 1 of 6 failed in the metrics step; trying again in 2 s." });
    const data = extractReportData(e);
    expect(data.iterations).toHaveLength(12);
    expect(data.decisions).toHaveLength(13);
    expect(data.decisions[4]).toMatchObject({ iteration: 5, outcome: "Retrying" });
    expect(data.metrics[0]!.series[0]!.points[4]!.y).toBe(2000);
  });

  it("skips hand-edited decisions without an iteration", () => {
    const e = structuredClone(abn);
    (e.status as { decisions: unknown[] }).decisions.push({ iteration: "thirteen", outcome: "Continued" }, { reason: "no iteration" });
    expect(extractReportData(e).iterations).toHaveLength(12);
  });

  it("reports a failed experiment as Failed with its reason", () => {
    const e = structuredClone(abn);
    const failed = conditionOf(e.status, "Failed")!;
    Object.assign(failed, { status: "True", reason: "MetricUnavailable", message: "Unable to find metric shop/mean-latency" });
    conditionOf(e.status, "Completed")!.message = "Experiment failed";
    expect(extractReportData(e).experiment).toMatchObject({
      outcome: "Failed",
      outcomeText: "Failed (MetricUnavailable: Unable to find metric shop/mean-latency); Experiment failed",
    });
  });

  it("reports an experiment without status as not started, with nothing to plot", () => {
    const e = structuredClone(abn);
    delete e.status;
    const data = extractReportData(e);
    expect(data).toMatchObject({ source: "none", iterations: [], weights: null, metrics: [], decisions: [], latestDecision: null });
    expect(data.experiment.outcome).toBe("NotStarted");
    expect(data.winner).toEqual({ assessment: null, bestVersions: [], explanation: null, analyticsMessage: null, since: null });
  });

  it("uses the statistics mode's reason for the winner when the analysis carries one", () => {
    const e = structuredClone(abn);
    (e.status!.analysis as Record<string, unknown>).statistics = statisticsAnalysis({
      winner: winnerEvidence({ rule: "winner", reason: "checkout-v3 is best with probability 0.97 ≥ 0.95.", winner: "checkout-v3", leader: "checkout-v3", confidence: 0.95 }),
    });
    const data = extractReportData(e);
    expect(data.winner.explanation).toBe("checkout-v3 is best with probability 0.97 ≥ 0.95.");
    expect(data.statistics?.winner.rule).toBe("winner");
  });
});

describe("readableAnalyticsMessage", () => {
  it("drops the empty parts of an Iter8-style message", () => {
    expect(readableAnalyticsMessage("Error: ; Warning: ; Info: found unique winner")).toBe("Info: found unique winner");
    expect(readableAnalyticsMessage("Error: ; Warning: reward value for feasible version v2 is not available; Info: ")).toBe(
      "Warning: reward value for feasible version v2 is not available",
    );
    expect(readableAnalyticsMessage("Error: ; Warning: ; Info: ")).toBeNull();
    expect(readableAnalyticsMessage(undefined)).toBeNull();
  });
});
