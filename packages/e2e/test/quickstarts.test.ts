// Each cluster quickstart of samples/ run end to end on in-memory ports: the real engine,
// analytics, metrics (mock levels), weights (patches of the sample's routing objects) and tasks
// (the finish action's `kubectl apply` in a real shell, against the same objects).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeObject } from "@iter8ts/resources";
import { readManifests } from "@iter8ts/testkit";
import { totalIterations, withDefaults } from "@iter8ts/types";
import { loadSample, QUICKSTART_EXPECTATIONS, QUICKSTART_STACKS, QuickstartOutcome, quickstartMessages, runQuickstart, type QuickstartRun } from "../src/index";

/** The table every quickstart suite asserts with, and the sample's own iteration count. */
function versionsOf(stack: (typeof QUICKSTART_STACKS)[number]) {
  return { ...QUICKSTART_EXPECTATIONS[stack], iterations: totalIterations(withDefaults(loadSample(stack).experiment)) };
}

/** What the sample's files say: its versions and the promotion manifest each `promote` variable names. */
function versionsInSample(stack: (typeof QUICKSTART_STACKS)[number]) {
  const { experiment, promoteFiles } = loadSample(stack);
  const info = experiment.spec.versionInfo!;
  const candidate = info.candidates![0]!;
  const promoteFileOf = (v: typeof candidate) => {
    const value = v.variables?.find((x) => x.name === "promote")?.value ?? "";
    return Object.keys(promoteFiles).find((f) => value.endsWith(`/${f}`) || value === f.replace(/\.ya?ml$/, ""));
  };
  return { baseline: info.baseline.name, candidate: candidate.name, baselineManifest: promoteFileOf(info.baseline), candidateManifest: promoteFileOf(candidate) };
}

/** The objects of a promotion manifest, as `Kind namespace/name` (kubectl's default namespace when it names none). */
function objectsOf(stack: (typeof QUICKSTART_STACKS)[number], manifest: string): string[] {
  const file = loadSample(stack).promoteFiles[manifest]!;
  return readManifests(readFileSync(file, "utf8"), file).map((o) => describeObject({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace ?? "default" }));
}

function weightOf(weights: readonly { name: string; value: number }[], version: string): number | undefined {
  return weights.find((w) => w.name === version)?.value;
}

function expectCompletedCleanly(run: QuickstartRun, iterations: number) {
  expect(run.messages).toEqual(quickstartMessages(iterations));
  const status = run.experiment.status!;
  expect(status.stage).toBe("Completed");
  expect(status.completedIterations).toBe(iterations);
  const conditions = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c]));
  expect(conditions.Completed).toMatchObject({ status: "True", reason: "ExperimentCompleted", message: "Experiment Completed" });
  expect(conditions.Failed?.status).toBe("False");
  expect(conditions.TargetAcquired?.status).toBe("True");
  expect(run.weightMismatches).toEqual([]);
  expect(run.iterations.map((i) => i.iteration)).toEqual(Array.from({ length: iterations }, (_, i) => i + 1));
  for (const i of run.iterations) {
    expect(i.routed.reduce((sum, w) => sum + w.value, 0), `iteration ${i.iteration}`).toBe(100);
    expect(i.routed, `iteration ${i.iteration}: objects hold what analytics recommended`).toEqual(i.recommended);
  }
  expect(run.actions.map((a) => [a.request.action, a.request.handler, a.result.ok])).toEqual([["finish", "Finish", true]]);
}

describe.each(QUICKSTART_STACKS)("quickstart %s", (stack) => {
  const v = versionsOf(stack);

  it("has a local promotion manifest for each version, as the table of quickstart expectations says", () => {
    expect(versionsInSample(stack)).toEqual(QUICKSTART_EXPECTATIONS[stack]);
    expect(v.baselineManifest).not.toBe(v.candidateManifest);
  });

  it("shifts traffic to a better candidate 10 points per iteration and promotes it", async () => {
    const run = await runQuickstart(stack, QuickstartOutcome.CandidateWins);
    expectCompletedCleanly(run, v.iterations);
    expect(run.iterations.map((i) => weightOf(i.routed, v.candidate))).toEqual(run.iterations.map((i) => Math.min(95, 10 * i.iteration)));
    expect(run.experiment.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: v.candidate });
    expect(run.experiment.status?.versionRecommendedForPromotion).toBe(v.candidate);
    expect(run.applied.map((a) => a.object)).toEqual(objectsOf(stack, v.candidateManifest));
    expect(run.served).toBe(v.candidate);
  });

  it("keeps the baseline when the candidate breaks its objectives, and promotes the baseline", async () => {
    const run = await runQuickstart(stack, QuickstartOutcome.CandidateFails);
    expectCompletedCleanly(run, v.iterations);
    const candidateWeights = run.iterations.map((i) => weightOf(i.routed, v.candidate) ?? NaN);
    expect(Math.max(...candidateWeights)).toBeLessThanOrEqual(10);
    expect(candidateWeights.at(-1)).toBe(5);
    const assessments = run.experiment.status?.analysis?.versionAssessments?.data ?? {};
    expect(assessments[v.candidate]?.every((ok) => !ok)).toBe(true);
    expect(assessments[v.baseline]?.every((ok) => ok)).toBe(true);
    expect(run.experiment.status?.versionRecommendedForPromotion).toBe(v.baseline);
    expect(run.applied.map((a) => a.object)).toEqual(objectsOf(stack, v.baselineManifest));
    expect(run.served).toBe(v.baseline);
  });
});
