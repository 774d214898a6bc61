import { describe, expect, it } from "vitest";
import { JsonataEvaluator } from "./jsonata-evaluator";

describe("JsonataEvaluator limits", () => {
  it("refuses an expression that nests too deep or runs too long, naming the limit", async () => {
    const jsonata = new JsonataEvaluator();
    expect(await jsonata.evaluate(`${"(".repeat(50_000)}x${")".repeat(50_000)}`, { x: 1 })).toEqual({
      kind: "compile_error",
      message: "JSONata expression nests deeper than 100 levels; flatten it (fewer brackets inside one another)",
    });
    expect(await jsonata.evaluate(`x${"+1".repeat(3_000)}`, { x: 1 })).toEqual({
      kind: "compile_error",
      message: "JSONata expression is 6,001 characters long, more than the 2,048 allowed; shorten it",
    });
  });

  it("evaluates expressions as long and deep as the limits allow", async () => {
    const jsonata = new JsonataEvaluator();
    expect(await jsonata.evaluate(`x${"+1".repeat(1_023)}`, { x: 1 })).toEqual({ kind: "number", value: 1_024 });
    expect(await jsonata.evaluate(`${"(".repeat(100)}x${")".repeat(100)}`, { x: 1 })).toEqual({ kind: "number", value: 1 });
  });
});
