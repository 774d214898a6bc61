import { describe, expect, it } from "vitest";
import { analyze } from "../analyze";
import { lookTime, REQUESTS, statisticsExperiment } from "./__fixtures__/statistics-experiment";
import { rollbackAssessments } from "./rollback-assessments";

describe("rollbackAssessments", () => {
  it("is false only where an objective is violated, not where it is undecided", () => {
    const exp = statisticsExperiment({
      pattern: "Canary",
      current: { v1: 50, v2: 50 },
      objectives: [{ metric: "default/error-rate", upperLimit: "0.01" }, { metric: "default/cpu-cores", upperLimit: 2 }],
    });
    const result = analyze(
      exp,
      {
        [REQUESTS]: { v1: { value: 300 }, v2: { value: 300 } },
        // 1 error in 300 is undecided against 1%; v2's 3 cores break the point check.
        "default/error-rate": { v1: { value: 1 / 300 }, v2: { value: 1 / 300 } },
        "default/cpu-cores": { v1: { value: 1 }, v2: { value: 3 } },
      },
      { now: lookTime(1) },
    );
    expect(result.versionAssessments.data).toEqual({ v1: [false, true], v2: [false, false] });
    expect(rollbackAssessments(result.statistics)).toEqual({ v1: [true, true], v2: [true, false] });
  });

  it("is undefined without a statistics part", () => {
    expect(rollbackAssessments(undefined)).toBeUndefined();
  });
});
