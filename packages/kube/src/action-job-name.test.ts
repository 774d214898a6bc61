import { isDnsLabel } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { actionJobName, labelValue } from "./action-job-name";

describe("actionJobName", () => {
  it("joins the experiment name and the run id when that is a valid Job name", () => {
    expect(actionJobName("quickstart-exp", "3f2a9c1b7d4e-loop-2")).toBe("quickstart-exp-3f2a9c1b7d4e-loop-2");
  });

  it("shortens long names to 63 characters, keeping the run id and ending in a hash", () => {
    const experiment = "a-very-long-experiment-name-that-a-team-chose-for-its-canary-release-of-reviews";
    const name = actionJobName(experiment, "3f2a9c1b7d4e-finish");
    expect(name.length).toBeLessThanOrEqual(63);
    expect(isDnsLabel(name)).toBe(true);
    expect(name).toContain("3f2a9c1b7d4e-finish");
    expect(name).toMatch(/-[0-9a-f]{8}$/);
    expect(actionJobName(experiment, "3f2a9c1b7d4e-start")).not.toBe(name);
  });

  it("gives different runs of one experiment different names, even when shortened", () => {
    const experiment = "x".repeat(70);
    const names = new Set(["a-start", "a-loop-1", "a-loop-2", "b-start"].map((run) => actionJobName(experiment, run)));
    expect(names.size).toBe(4);
    for (const name of names) expect(isDnsLabel(name)).toBe(true);
  });

  it("cleans characters a Job name cannot hold", () => {
    const name = actionJobName("exp.v2", "Run_ID-start");
    expect(isDnsLabel(name)).toBe(true);
    expect(name).toMatch(/^exp-v2-run-id-start-[0-9a-f]{8}$/);
  });
});

describe("labelValue", () => {
  it("keeps valid values and shortens long ones with a hash", () => {
    expect(labelValue("quickstart-exp")).toBe("quickstart-exp");
    const long = labelValue("e".repeat(100));
    expect(long).toHaveLength(63);
    expect(long).toMatch(/^e+-[0-9a-f]{8}$/);
    expect(labelValue("e".repeat(100))).not.toBe(labelValue("e".repeat(101)));
  });
});
