import { describe, expect, it } from "vitest";
import { withDefaults, type Experiment } from "@iter8ts/types";
import { findRollbackViolations } from "./rollback-check";

function exp(deploymentPattern: "Progressive" | "BlueGreen", rollback?: boolean): Experiment {
  return withDefaults({
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "e", namespace: "shop" },
    spec: {
      target: "app",
      strategy: { testingPattern: "Canary", deploymentPattern },
      criteria: {
        objectives: [
          { metric: "error-rate", upperLimit: "0.01", ...(rollback === undefined ? {} : { rollback_on_failure: rollback }) },
          { metric: "default/latency", upperLimit: 100 },
        ],
      },
    },
  });
}

describe("findRollbackViolations", () => {
  it("rolls back when any version, the baseline too, fails an objective marked rollback_on_failure", () => {
    expect(findRollbackViolations(exp("Progressive", true), { v1: [false, true], v2: [true, true] })).toEqual([
      { objective: 0, metric: "shop/error-rate", versions: ["v1"] },
    ]);
  });

  it("ignores objectives not marked, unless the pattern is BlueGreen", () => {
    const assessments = { v1: [true, false], v2: [true, false] };
    expect(findRollbackViolations(exp("Progressive"), assessments)).toEqual([]);
    expect(findRollbackViolations(exp("BlueGreen"), assessments)).toEqual([{ objective: 1, metric: "default/latency", versions: ["v1", "v2"] }]);
    expect(findRollbackViolations(exp("BlueGreen", false), { v1: [false, true] })).toEqual([]);
  });

  it("does not treat a missing assessment as a failure", () => {
    expect(findRollbackViolations(exp("BlueGreen"), { v1: [] })).toEqual([]);
    expect(findRollbackViolations(exp("BlueGreen"), undefined)).toEqual([]);
  });
});
