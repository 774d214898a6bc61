// What each sample's experiment decides on live traffic, analysed with @iter8ts/analytics the
// way the engine does every iteration: the stories the samples tell must come out of the data.
import { afterEach, describe, expect, it } from "vitest";
import { analyze, type AnalysisResult } from "@iter8ts/analytics";
import { queryMetrics } from "@iter8ts/metrics";
import type { Experiment, ExperimentStatus } from "@iter8ts/types";
import { startLiveSample, type LiveSample } from "./live-sample";

let live: LiveSample | undefined;
afterEach(async () => {
  await live?.run.close({ removeWorkdir: true });
  live = undefined;
});

const V1 = "sample-app-v1";
const V2 = "sample-app-v2";

/** One iteration's analysis of the live sample, with the given status. */
async function analyseNow(sample: LiveSample, status: ExperimentStatus): Promise<AnalysisResult> {
  const experiment: Experiment = { ...sample.experiment, status: { ...sample.experiment.status, ...status } };
  const { values, errors } = await queryMetrics(experiment, sample.metrics);
  // Only a version without requests may lack values (an empty answer holds no number).
  expect(errors.filter((e) => sample.served(e.version) > 0).map((e) => e.message)).toEqual([]);
  return analyze(experiment, values, { now: new Date() });
}

const split = (v1: number, v2: number) => ({ currentWeightDistribution: [{ name: V1, value: v1 }, { name: V2, value: v2 }] });
const weightOf = (result: AnalysisResult, version: string) => result.weights.data.find((w) => w.name === version)?.value;

describe("ab-progressive", () => {
  it("starts shifting traffic to v2 and declares it the winner once it has data", async () => {
    live = await startLiveSample("ab-progressive", 100);
    await expect.poll(() => live!.served(V1), { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(30);

    // First iteration: all traffic on v1, so v2 meets no objective yet; exploration gives it 5%.
    const first = await analyseNow(live, split(100, 0));
    expect(first.versionAssessments.data[V2]).toEqual([false, false, false]);
    expect(first.winnerAssessment.data.winner).toBe(V1);
    expect(weightOf(first, V2)).toBe(5);

    await live.setWeights(50, 50);
    await expect.poll(() => live!.served(V2), { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(60);
    const later = await analyseNow(live, split(50, 50));
    expect(later.versionAssessments.data).toEqual({ [V1]: [true, true, true], [V2]: [true, true, true] });
    expect(later.winnerAssessment.data).toMatchObject({ winnerFound: true, winner: V2 });
    // maxCandidateWeightIncrement 20: the winner gains at most 20 points per iteration.
    expect(weightOf(later, V2)).toBe(70);
  });
});

describe("rollback", () => {
  it("finds the candidate breaking its rollback_on_failure objective from the first iteration", async () => {
    live = await startLiveSample("rollback", 100);
    await expect.poll(() => live!.served(V2), { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(10);
    const objectives = live.experiment.spec.criteria!.objectives!;
    expect(objectives[0]).toMatchObject({ metric: "demo/error-rate", rollback_on_failure: true });

    const result = await analyseNow(live, split(80, 20));
    expect(result.versionAssessments.data[V2]![0]).toBe(false);
    expect(result.versionAssessments.data[V1]).toEqual([true, true]);
    // With v2 out, the best version meeting every objective is the baseline: the finish action's
    // {{ .promote }} then names v1's routing.
    expect(result.winnerAssessment.data).toMatchObject({ winnerFound: true, winner: V1 });
  });
});

describe("statistics", () => {
  it("declares v2 the winner on evidence within the sample's iterations, moving traffic as it goes", async () => {
    live = await startLiveSample("statistics", 100);
    let weights: [number, number] = [50, 50];
    let status: ExperimentStatus = split(...weights);
    let result: AnalysisResult | undefined;
    const looks: string[] = [];
    // The sample runs 10 iterations; each look here sees at least as much data as one of them.
    for (let look = 1; look <= 10; look++) {
      await new Promise((r) => setTimeout(r, 600));
      result = await analyseNow(live, status);
      expect(result.statistics, "statistics mode is on").toBeDefined();
      looks.push(result.winnerAssessment.message ?? "");
      if (result.winnerAssessment.data.winnerFound) break;
      weights = [weightOf(result, V1)!, weightOf(result, V2)!];
      await live.setWeights(...weights);
      status = { ...split(...weights), analysis: { ...status.analysis, ...result } as ExperimentStatus["analysis"] };
    }
    expect(result!.winnerAssessment.data, looks.join("\n")).toMatchObject({ winnerFound: true, winner: V2 });
    expect(result!.weights.message).toMatch(/^Error: ; /);
  });
});
