import { describe, expect, it } from "vitest";
import { findDemoSample } from "./demo-samples";
import { judgeOutcome, routingSplit } from "./demo-runner";
import type { ExperimentReport } from "./experiment-report";
import { parseRoutingDocument, routingDocumentYaml } from "./routing-document";

const ab = findDemoSample("ab-progressive")!;
const rollback = findDemoSample("rollback")!;
const V1 = { "sample-app-v1": 100, "sample-app-v2": 0 };
const V2 = { "sample-app-v1": 0, "sample-app-v2": 100 };
const report = (overrides: Partial<ExperimentReport>): ExperimentReport => ({
  name: "x",
  stage: "Completed",
  completedIterations: 10,
  totalIterations: 10,
  rolledBack: false,
  failed: false,
  ...overrides,
});

describe("routingSplit", () => {
  it("names destinations by the version on their port, in percent", () => {
    const table = parseRoutingDocument(
      routingDocumentYaml({ name: "s", routes: [{ host: "127.0.0.1", port: 4001, weight: 2 }, { host: "127.0.0.1", port: 4002, subset: "canary", weight: 1 }] }),
    );
    expect(routingSplit(table, (port) => (port === 4001 ? "sample-app-v1" : undefined))).toEqual({ "sample-app-v1": 66.7, canary: 33.3 });
  });
});

describe("judgeOutcome", () => {
  it("passes a promotion of the candidate, with or without a status to confirm it", () => {
    expect(judgeOutcome(ab, V2, undefined)).toEqual({ ok: true, message: "promoted sample-app-v2; routing: sample-app-v1 0% · sample-app-v2 100%" });
    expect(judgeOutcome(ab, V2, report({ winner: "sample-app-v2" })).message).toBe(
      "promoted sample-app-v2 after 10 iterations; routing: sample-app-v1 0% · sample-app-v2 100%",
    );
  });

  it("fails when traffic is not all on the expected version", () => {
    expect(judgeOutcome(ab, { "sample-app-v1": 5, "sample-app-v2": 95 }, undefined)).toEqual({
      ok: false,
      message: "expected the finish action to promote sample-app-v2 with 100% of traffic, but routing: sample-app-v1 5% · sample-app-v2 95%",
    });
    expect(judgeOutcome(rollback, V2, undefined).message).toMatch(/^expected the finish action to roll back to sample-app-v1/);
  });

  it("fails when the status disagrees with the routing", () => {
    expect(judgeOutcome(ab, V2, report({ winner: "sample-app-v1" })).message).toBe(
      "the routing promotes sample-app-v2, but the experiment's winner is sample-app-v1",
    );
    expect(judgeOutcome(rollback, V1, report({ rolledBack: false, message: "ExperimentCompleted: Experiment Completed" })).message).toBe(
      "traffic is back on sample-app-v1, but the status shows no rollback (ExperimentCompleted: Experiment Completed)",
    );
    expect(judgeOutcome(ab, V2, report({ failed: true, message: "ExperimentCompleted: Experiment failed" })).message).toMatch(/^the experiment failed: /);
    expect(judgeOutcome(ab, V2, report({ stage: "Running" })).message).toMatch(/^the experiment stopped at stage Running/);
    // A rollback whose action moved traffic to the candidate it was rolling back from.
    expect(judgeOutcome(rollback, V1, report({ rolledBack: true, versionRecommendedForPromotion: "sample-app-v2" })).message).toBe(
      "traffic went to sample-app-v1, but the status recommends sample-app-v2 for promotion",
    );
  });

  it("passes a rollback the status confirms", () => {
    expect(judgeOutcome(rollback, V1, report({ rolledBack: true, completedIterations: 0 }))).toEqual({
      ok: true,
      message: "rolled back to sample-app-v1 in iteration 1 of 10; routing: sample-app-v1 100% · sample-app-v2 0%",
    });
  });
});
