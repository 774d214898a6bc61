import { afterEach, describe, expect, it } from "vitest";
import { ExpressionPool } from "./expression-pool";
import { JqEvaluator } from "./jq-evaluator";
import { JsonataEvaluator } from "./jsonata-evaluator";
import { judge } from "./value-extractor";

const pools: ExpressionPool[] = [];
function pool(options: ConstructorParameters<typeof ExpressionPool>[0] = {}): ExpressionPool {
  const p = new ExpressionPool(options);
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** Runs `work` while a 20 ms interval counts its ticks: the ticks show the event loop kept turning. */
async function whileTicking<T>(work: () => Promise<T>): Promise<{ result: T; ticks: number }> {
  let ticks = 0;
  const interval = setInterval(() => ticks++, 20);
  try {
    const result = await work();
    return { result, ticks };
  } finally {
    clearInterval(interval);
  }
}

const RECURSIVE_JSONATA = "($f := function($x){ $x > 0 ? $f($x) : 0 }; $f(1))";

describe("ExpressionPool", () => {
  it("stops jq's last(range(1e12)) at the 1 s time limit while the event loop keeps ticking", async () => {
    const jq = new JqEvaluator({ pool: pool() });
    const { result, ticks } = await whileTicking(() => jq.evaluate("last(range(1e12))", "{}", {}));
    expect(result).toEqual({ kind: "limit", limit: "time", value: "1 s", flag: "--expression-timeout", remembered: false });
    expect(ticks).toBeGreaterThan(10);
    expect(judge(result, "spec.jqExpression")).toEqual({
      ok: false,
      code: "expression_limit",
      message: "spec.jqExpression ran longer than its time limit of 1 s and was stopped; simplify it, or ask the operator to raise the controller's --expression-timeout",
    });
  });

  it("stops a JSONata function that recurses for ever at the time limit while the event loop keeps ticking", async () => {
    const jsonata = new JsonataEvaluator({ pool: pool() });
    const { result, ticks } = await whileTicking(() => jsonata.evaluate(RECURSIVE_JSONATA, {}));
    expect(result).toMatchObject({ kind: "limit", limit: "time", value: "1 s" });
    expect(ticks).toBeGreaterThan(10);
  });

  it("stops jq when its WebAssembly memory would pass the memory limit", async () => {
    const jq = new JqEvaluator({ pool: pool({ limits: { memoryBytes: 32 * 1024 * 1024, timeoutMs: 20_000 } }) });
    const result = await jq.evaluate("[range(1e8)] | length", "null", null);
    expect(result).toEqual({ kind: "limit", limit: "memory", value: "32 MiB", flag: "--expression-memory", remembered: false });
  });

  it("stops JSONata when its heap passes the memory limit", async () => {
    const jsonata = new JsonataEvaluator({ pool: pool({ limits: { memoryBytes: 32 * 1024 * 1024, timeoutMs: 60_000 } }) });
    const result = await jsonata.evaluate('$count([1..10000000].{"n": $string($)})', {});
    expect(result).toMatchObject({ kind: "limit", limit: "memory", value: "32 MiB" });
  });

  it("does not count a worker's start against the time limit: a cold pool with a 40 ms limit still evaluates", async () => {
    // Starting Node and loading jq's WebAssembly takes longer than 40 ms (70–90 ms on an idle machine); only the
    // evaluation itself is timed, so a metric never fails (and is never remembered as a breach)
    // because a fresh worker was slow to start on a busy machine.
    const p = pool({ size: 1, limits: { timeoutMs: 40 } });
    expect(await new JqEvaluator({ pool: p, fastPath: false }).evaluate(".x + 1", '{"x":1}', { x: 1 })).toEqual({ kind: "number", value: 2 });
    const cold = pool({ size: 1, limits: { timeoutMs: 40 } });
    expect(await new JsonataEvaluator({ pool: cold }).evaluate("x * 2", { x: 21 })).toEqual({ kind: "number", value: 42 });
  });

  it("replaces a stopped worker, so later expressions (of any kind) still run", async () => {
    const p = pool({ size: 1, limits: { timeoutMs: 300 } });
    const jq = new JqEvaluator({ pool: p, fastPath: false });
    const jsonata = new JsonataEvaluator({ pool: p });
    expect((await jq.evaluate("last(range(1e12))", "{}", {})).kind).toBe("limit");
    expect(await jq.evaluate(".x + 1", '{"x":1}', { x: 1 })).toEqual({ kind: "number", value: 2 });
    expect((await jsonata.evaluate(RECURSIVE_JSONATA, {})).kind).toBe("limit");
    expect(await jsonata.evaluate("x * 2", { x: 21 })).toEqual({ kind: "number", value: 42 });
    expect(p.workers).toBe(1);
  });

  it("refuses an expression that broke a limit moments ago without running it, and runs it again after the cooldown", async () => {
    let now = 0;
    const p = pool({ limits: { timeoutMs: 300 }, cooldownMs: 60_000, now: () => now });
    const jq = new JqEvaluator({ pool: p });
    expect(await jq.evaluate("last(range(1e12))", "{}", {})).toMatchObject({ kind: "limit", remembered: false });
    // Four versions queried at once: none costs the pool another 300 ms.
    const again = await Promise.all([1, 2, 3, 4].map(() => jq.evaluate("last(range(1e12))", "{}", {})));
    expect(again.every((o) => o.kind === "limit" && o.remembered)).toBe(true);
    expect(judge(again[0]!, "spec.jqExpression")).toMatchObject({ message: expect.stringContaining("(it did so moments ago, so it was not run again)") });
    now = 60_001;
    expect(await jq.evaluate("last(range(1e12))", "{}", {})).toMatchObject({ kind: "limit", remembered: false });
  });

  it("leaves a worker to other tenants while one tenant's expressions run to their limit", async () => {
    const p = pool({ size: 2, limits: { timeoutMs: 1_000 } });
    const jq = new JqEvaluator({ pool: p, fastPath: false });
    const order: string[] = [];
    // team-a queries four slow expressions at once (distinct, so none is refused from memory).
    const slow = [1, 2, 3, 4].map((i) => jq.evaluate(`last(range(1e12)) + ${i}`, "{}", {}, { group: "team-a" }).then((o) => (order.push("team-a"), o)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fine = await jq.evaluate(".x + 1", '{"x":1}', { x: 1 }, { group: "team-b" });
    order.push("team-b");
    expect(fine).toEqual({ kind: "number", value: 2 });
    // team-b's expression ran on the worker team-a could not take, before any of team-a's ended at its limit.
    expect(order).toEqual(["team-b"]);
    expect((await Promise.all(slow)).every((o) => o.kind === "limit")).toBe(true);
  });

  it("keeps jq's and JSONata's answers: numbers, NaN, empty, other values and errors", async () => {
    const p = pool();
    const jq = new JqEvaluator({ pool: p, fastPath: false });
    const jsonata = new JsonataEvaluator({ pool: p });
    expect(await jq.evaluate(".a", '{"a":"x"}', { a: "x" })).toEqual({ kind: "other", value: "x" });
    expect(await jq.evaluate("empty", "{}", {})).toEqual({ kind: "empty" });
    expect(await jq.evaluate("nan", "{}", {})).toEqual({ kind: "nan" });
    expect(await jq.evaluate("error(\"boom\")", "{}", {})).toEqual({ kind: "error", message: "boom" });
    expect(await jsonata.evaluate("a / 0", { a: 1 })).toEqual({ kind: "infinite" });
    expect(await jsonata.evaluate("$number(\"x\")", { a: 1 })).toMatchObject({ kind: "error" });
    expect(await jsonata.evaluate("missing", { a: 1 })).toEqual({ kind: "empty" });
    expect(await jsonata.evaluate("[a, 2]", { a: 1 })).toEqual({ kind: "number", value: 1 });
    expect(await jsonata.evaluate("function($x){$x}", { a: 1 })).toMatchObject({ kind: "other" });
  });
});
