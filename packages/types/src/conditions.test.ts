import { describe, expect, it } from "vitest";
import { conditionOf, isConditionTrue } from "./conditions";

describe("conditionOf and isConditionTrue", () => {
  const status = {
    conditions: [
      { type: "Completed", status: "True" },
      { type: "Failed", status: "False" },
    ],
  } as const;

  it("finds a condition by type and reads its status", () => {
    expect(conditionOf(status, "Failed")?.status).toBe("False");
    expect(isConditionTrue(status, "Completed")).toBe(true);
    expect(isConditionTrue(status, "Failed")).toBe(false);
  });

  it("answers false for a missing condition or a missing status", () => {
    expect(isConditionTrue(status, "TargetAcquired")).toBe(false);
    expect(conditionOf(undefined, "Completed")).toBeUndefined();
    expect(isConditionTrue({}, "Completed")).toBe(false);
  });
});
