import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readExperimentReport } from "./experiment-report";

const SPEC = `apiVersion: iter8.tools/v2alpha2
kind: Experiment
metadata:
  name: exp
  namespace: demo
spec:
  target: demo/app
  strategy:
    testingPattern: A/B
  duration:
    iterationsPerLoop: 5
    maxLoops: 2
  versionInfo:
    baseline: {name: v1}
    candidates: [{name: v2}]
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "iter8ts-report-test-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const read = async (text: string) => {
  await writeFile(join(dir, "experiment.yaml"), text);
  return readExperimentReport(dir, { file: "experiment.yaml", name: "exp", namespace: "demo" });
};

describe("readExperimentReport", () => {
  it("reads stage, iterations, message, recommendation and winner", async () => {
    const status = `status:
  stage: Completed
  completedIterations: 10
  message: "ExperimentCompleted: Experiment Completed"
  versionRecommendedForPromotion: v2
  conditions:
  - {type: Completed, status: "True", reason: ExperimentCompleted, message: Experiment Completed}
  - {type: Failed, status: "False"}
  analysis:
    winnerAssessment: {provenance: p, timestamp: "2024-01-01T00:00:00Z", data: {winnerFound: true, winner: v2}}
`;
    expect(await read(SPEC + status)).toEqual({
      name: "exp",
      stage: "Completed",
      completedIterations: 10,
      totalIterations: 10,
      message: "ExperimentCompleted: Experiment Completed",
      versionRecommendedForPromotion: "v2",
      winner: "v2",
      rolledBack: false,
      failed: false,
    });
  });

  it("sees a rollback in the status's conclusion, and a failure in the conditions", async () => {
    const rolledBack = await read(`${SPEC}status:\n  completedIterations: 1\n  conclusion: {outcome: RolledBack, reason: "Rolled back."}\n`);
    expect(rolledBack).toMatchObject({ rolledBack: true, completedIterations: 1 });
    const completed = await read(`${SPEC}status:\n  conclusion: {outcome: Completed, reason: "Completed."}\n  message: "ExperimentCompleted: Experiment Completed"\n`);
    expect(completed?.rolledBack).toBe(false);
    const failed = await read(`${SPEC}status:\n  conditions:\n  - {type: Failed, status: "True", reason: MetricUnavailable, message: Unable to find metric demo/x}\n`);
    expect(failed?.failed).toBe(true);
  });

  it("returns nothing when there is no status for the experiment", async () => {
    expect(await read(SPEC)).toBeUndefined();
    expect(await read(SPEC.replace("name: exp", "name: other") + "status: {stage: Completed}\n")).toBeUndefined();
    expect(await readExperimentReport(dir, { file: "missing.yaml", name: "exp", namespace: "demo" })).toBeUndefined();
  });
});
