import { describe, expect, it } from "vitest";
import { RAW_CONTROL } from "../__fixtures__/hostile-text";
import { parseDebugPriority, parseIter8Logs, renderDebugLogs, selectDebugLogs } from "./debug-logs";

const target = { name: "cart-ab", namespace: "shop" };
const log = (priority: unknown, message: unknown, precedence: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ isIter8Log: true, experimentName: "cart-ab", experimentNamespace: "shop", source: "task-runner", priority, message, precedence, ...extra });

describe("parseIter8Logs", () => {
  it("keeps this experiment's Iter8Log lines and skips task output, other experiments and malformed lines", () => {
    const text = [
      "plain output of a script",
      log(3, "action finish started with 1 task", 2),
      `  ${log(1, "task 1 (run) failed: exit code 7", 2)}  `,
      log(1, "someone else's", 0, { experimentName: "other" }),
      log(1, "another namespace's", 0, { experimentNamespace: "team-b" }),
      log(4, "priority out of range", 0),
      log("1", "priority as a string", 0),
      log(2, 42, 0),
      JSON.stringify({ isIter8Log: false, experimentName: "cart-ab", experimentNamespace: "shop", priority: 1, message: "not a log" }),
      "{ not json",
      log(2, "no precedence", undefined),
      "",
    ].join("\n");
    expect(parseIter8Logs(text, target)).toEqual([
      { source: "task-runner", priority: 3, message: "action finish started with 1 task", precedence: 2 },
      { source: "task-runner", priority: 1, message: "task 1 (run) failed: exit code 7", precedence: 2 },
      { source: "task-runner", priority: 2, message: "no precedence", precedence: 0 },
    ]);
  });
});

describe("selectDebugLogs", () => {
  const logs = [
    { source: "task-runner", priority: 3 as const, message: "finish progress", precedence: 2 },
    { source: "task-runner", priority: 1 as const, message: "finish error", precedence: 2 },
    { source: "task-runner", priority: 2 as const, message: "start warning", precedence: 0 },
    { source: "task-runner", priority: 1 as const, message: "start error", precedence: 0 },
  ];

  it("keeps logs at or above the priority, ordered by precedence and, within one, as read", () => {
    expect(selectDebugLogs(logs, 1).map((l) => l.message)).toEqual(["start error", "finish error"]);
    expect(selectDebugLogs(logs, 2).map((l) => l.message)).toEqual(["start warning", "start error", "finish error"]);
    expect(selectDebugLogs(logs, 3).map((l) => l.message)).toEqual(["start warning", "start error", "finish progress", "finish error"]);
  });
});

describe("renderDebugLogs", () => {
  it("prints Iter8's layout, with control characters escaped", () => {
    const text = renderDebugLogs({ name: "cart\u001b[2J", namespace: "shop" }, [
      { source: "task-runner", priority: 1, message: "task 1 (run) stdout: \u001b]0;owned\u0007\r\nfake line\u202e", precedence: 0 },
    ]);
    expect(text).toBe(
      "Debugging experiment cart\\u001b[2J in namespace shop\n" + "source: task-runner priority: 1 message: task 1 (run) stdout: \\u001b]0;owned\\u0007\\r\\nfake line\\u202e\n",
    );
    expect(text).not.toMatch(RAW_CONTROL);
  });
});

describe("parseDebugPriority", () => {
  it("accepts 1, 2 and 3, defaults to 1, and refuses anything else naming the flag", () => {
    expect([parseDebugPriority(undefined), parseDebugPriority("1"), parseDebugPriority("2"), parseDebugPriority(" 3 ")]).toEqual([1, 1, 2, 3]);
    for (const bad of ["0", "4", "high", "1.5", ""]) {
      expect(parseDebugPriority(bad)).toEqual({ error: `-p/--priority must be 1 (errors), 2 (and warnings) or 3 (everything), not ${JSON.stringify(bad)}` });
    }
  });
});
