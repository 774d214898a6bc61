import { describe, expect, it } from "vitest";
import { parseIter8Logs, selectDebugLogs } from "./iter8-logs";

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
