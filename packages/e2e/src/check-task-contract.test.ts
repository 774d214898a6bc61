import { describe, expect, it } from "vitest";
import { checkTaskContract } from "./check-task-contract";
import type { FuzzCase } from "./fuzz-corpus";
import { loadSample } from "./load-sample";
import type { Planted } from "./mutate-document";

const { experiment } = loadSample("istio");
const fuzz = (input: unknown, planted: Planted[] = []): FuzzCase => ({ id: "t#0", index: 0, kind: "Experiment", stack: "istio", base: "istio", changes: [], input, planted });

describe("checkTaskContract", () => {
  it("passes the quickstart's actions", () => {
    expect(checkTaskContract(fuzz(experiment), experiment)).toEqual([]);
  });

  it("accepts a planted template when its task reports it, and flags one nobody reports", () => {
    const deep = structuredClone(experiment);
    const text = `{{ ${"(".repeat(150)}.promote${")".repeat(150)} }}`;
    deep.spec.strategy.actions = { finish: [{ task: "common/exec", with: { cmd: "echo", args: [text] } }] };
    const planted: Planted = { segments: ["spec", "strategy", "actions", "finish", 0, "with", "args", 0], value: text, reportedBy: "tasks" };
    expect(checkTaskContract(fuzz(deep, [planted]), deep)).toEqual([]);
    // Not a template input of common/exec: validation rightly says nothing, and the check tells.
    deep.spec.strategy.actions = { finish: [{ task: "common/exec", with: { cmd: text } }] };
    const cmd: Planted = { ...planted, segments: ["spec", "strategy", "actions", "finish", 0, "with", "cmd"] };
    expect(checkTaskContract(fuzz(deep, [cmd]), deep)).toEqual([expect.stringMatching(/^the cmd planted at spec\.strategy\.actions\.finish\[0\]\.with\.cmd \(314 characters\) is not reported at spec\.strategy\.actions\.finish\[0\]$/)]);
  });
});
