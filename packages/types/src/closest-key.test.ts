import { describe, expect, it } from "vitest";
import { closestKey } from "./closest-key";

describe("closestKey", () => {
  const keys = ["testingPattern", "deploymentPattern", "actions", "weights", "rollback_on_failure", "run", "if"];

  it.each([
    ["testingpattern", "testingPattern"],
    ["TestingPattern", "testingPattern"],
    ["deploymentPatern", "deploymentPattern"],
    ["rollbackOnFailure", "rollback_on_failure"],
    ["rollback-on-failure", "rollback_on_failure"],
    ["weight", "weights"],
    ["action", "actions"],
    ["rn", "run"],
  ])("suggests %s → %s", (typo, key) => {
    expect(closestKey(typo, keys)).toBe(key);
  });

  it.each(["colour", "xyz", "deployment", ""])("suggests nothing for %j", (typo) => {
    expect(closestKey(typo, keys)).toBeUndefined();
  });
});
