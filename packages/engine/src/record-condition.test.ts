import { describe, expect, it } from "vitest";
import { conditionOf, type ExperimentStatus } from "@iter8ts/types";
import { initialConditions, recordCondition, RecordKind } from "./record-condition";

describe("recordCondition", () => {
  it("writes status.message as 'reason: message', or the reason alone for an empty message", () => {
    const status: ExperimentStatus = { conditions: initialConditions("t0") };
    recordCondition(status, RecordKind.Progress, "StageAdvanced", "Advanced to Running", "t1");
    expect(status.message).toBe("StageAdvanced: Advanced to Running");
    recordCondition(status, RecordKind.Target, "TargetAcquired", "", "t2");
    expect(status.message).toBe("TargetAcquired");
  });

  it("progress and completion share the Completed condition; failures set Failed=True", () => {
    const status: ExperimentStatus = { conditions: initialConditions("t0") };
    recordCondition(status, RecordKind.Progress, "IterationUpdate", "Completed Iteration 1", "t1");
    expect(conditionOf(status, "Completed")).toMatchObject({ status: "False", reason: "IterationUpdate" });
    recordCondition(status, RecordKind.Failed, "MetricUnavailable", "Unable to find metric default/x", "t2");
    recordCondition(status, RecordKind.Completed, "ExperimentCompleted", "Experiment failed", "t3");
    expect(status.conditions).toEqual([
      { type: "Completed", status: "True", reason: "ExperimentCompleted", message: "Experiment failed", lastTransitionTime: "t3" },
      { type: "Failed", status: "True", reason: "MetricUnavailable", message: "Unable to find metric default/x", lastTransitionTime: "t2" },
      { type: "TargetAcquired", status: "False", lastTransitionTime: "t0" },
    ]);
  });

  it("reports a change only when status, reason or message differ, but always refreshes the time", () => {
    const status: ExperimentStatus = { conditions: initialConditions("t0") };
    expect(recordCondition(status, RecordKind.Progress, "HandlerLaunched", "Loop handler 'loop' launched", "t1")).toEqual({
      reason: "HandlerLaunched",
      message: "Loop handler 'loop' launched",
      type: "Normal",
    });
    expect(recordCondition(status, RecordKind.Progress, "HandlerLaunched", "Loop handler 'loop' launched", "t2")).toBeUndefined();
    expect(status.conditions?.[0]?.lastTransitionTime).toBe("t2");
    expect(recordCondition(status, RecordKind.Failed, "HandlerFailed", "Loop actions failed", "t3")?.type).toBe("Warning");
  });

  it("adds a condition missing from a hand-written status", () => {
    const status: ExperimentStatus = {};
    recordCondition(status, RecordKind.Target, "TargetAcquired", "", "t1");
    expect(status.conditions).toEqual([{ type: "TargetAcquired", status: "True", reason: "TargetAcquired", message: "", lastTransitionTime: "t1" }]);
  });
});
