import { describe, expect, it } from "vitest";
import { JqEvaluator } from "./jq-evaluator";

const answer = { x: 1 };
const text = JSON.stringify(answer);

describe("JqEvaluator limits", () => {
  it.each([
    ["50,000 nested parentheses", `${"(".repeat(50_000)}.x${")".repeat(50_000)}`, /^jq expression nests deeper than 100 levels; /],
    ["3,000 chained operators", `.x${"+1".repeat(3_000)}`, /^jq expression is 6,002 characters long, more than the 2,048 allowed; /],
  ])("refuses %s as a compile error, on the fast path and in jq", async (_what, expression, message) => {
    for (const fastPath of [true, false]) {
      const jq = new JqEvaluator({ fastPath });
      expect(await jq.evaluate(expression, text, answer)).toEqual({ kind: "compile_error", message: expect.stringMatching(message) });
    }
  });

  it("runs the longest and deepest expressions the limits allow, and stays usable after them", async () => {
    const jq = new JqEvaluator({ fastPath: false });
    const longest = [
      `.x${"+1".repeat(1_023)}`,
      `${"-".repeat(2_046)}.x`,
      `${"[".repeat(100)}.x${"]".repeat(100)}${"|.[0]".repeat(100)}`,
      `${"if . then ".repeat(146)}.x${" end".repeat(146)}`,
      `.x${" as $a |".repeat(200)} .`,
      `${"(".repeat(100)}.x${")".repeat(100)}${" + 1".repeat(450)}`,
    ];
    for (const expression of longest) {
      expect(expression.length).toBeLessThanOrEqual(2_048);
      const outcome = await jq.evaluate(expression, text, answer);
      expect(["number", "other", "error", "compile_error"], `${expression.slice(0, 30)}: ${JSON.stringify(outcome).slice(0, 200)}`).toContain(outcome.kind);
      expect(JSON.stringify(outcome)).not.toMatch(/memory access out of bounds|call stack/);
    }
    expect(await jq.evaluate(".x", text, answer)).toEqual({ kind: "number", value: 1 });
  });
});
