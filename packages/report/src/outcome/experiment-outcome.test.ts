import type { ExperimentStatus } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { experimentOutcome } from "./experiment-outcome";

const completed = { type: "Completed", status: "True", reason: "ExperimentCompleted", message: "Experiment Completed" } as const;

describe("experimentOutcome", () => {
  it("reads how the experiment ends from status.conclusion, even while its finish action runs", () => {
    const rolledBack: ExperimentStatus = { stage: "Finishing", conclusion: { outcome: "RolledBack", reason: "Rolled back. The baseline v1 is recommended for promotion." } };
    expect(experimentOutcome(rolledBack)).toEqual({ outcome: "RolledBack", text: "Rolled back. The baseline v1 is recommended for promotion." });
    expect(experimentOutcome({ stage: "Completed", conditions: [completed], conclusion: { outcome: "Completed", reason: "Completed after 10 iteration(s)." } }).outcome).toBe("Completed");
    expect(experimentOutcome({ conclusion: { outcome: "Failed", reason: "Failed: metric x is unavailable." } }).outcome).toBe("Failed");
  });

  it("is Failed when the Failed condition is True, naming its reason", () => {
    const failed = { type: "Failed", status: "True", reason: "MetricUnavailable", message: "Unable to find metric demo/x" } as const;
    expect(experimentOutcome({ conditions: [failed] })).toEqual({ outcome: "Failed", text: "Failed (MetricUnavailable: Unable to find metric demo/x)" });
    expect(experimentOutcome({ conditions: [completed, failed] }).text).toBe("Failed (MetricUnavailable: Unable to find metric demo/x); Experiment Completed");
  });

  it("tells a rollback of the original controller (no conclusion) by its completion message or last decision", () => {
    expect(experimentOutcome({ conditions: [{ ...completed, message: "Experiment rolled back" }] }).outcome).toBe("RolledBack");
    expect(experimentOutcome({ conditions: [completed] })).toEqual({ outcome: "Completed", text: "Completed: Experiment Completed" });
  });

  it("is NotStarted without a stage and InProgress before the end", () => {
    expect(experimentOutcome(undefined).outcome).toBe("NotStarted");
    expect(experimentOutcome({ stage: "Running", message: "IterationUpdate: Completed Iteration 3" })).toEqual({ outcome: "InProgress", text: "In progress: stage Running (IterationUpdate: Completed Iteration 3)" });
  });
});
