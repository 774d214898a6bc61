import { describe, expect, it } from "vitest";
import { RAW_CONTROL } from "../__fixtures__/hostile-text";
import { parseDebugPriority, renderDebugLogs } from "./debug-logs";

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
