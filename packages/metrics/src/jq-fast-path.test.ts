import { seededRandom } from "@iter8ts/analytics";
import { describe, expect, it } from "vitest";
import { JqEvaluator } from "./jq-evaluator";
import { compileJqFastPath, runJqFastPath } from "./jq-fast-path";

// The expressions of the shipped samples and presets, plus other shapes in the subset.
const SAMPLE_EXPRESSIONS = [
  ".data.result[0].value[1] | tonumber",
  ".results[0] | .[] | tonumber",
  ".results[0].count | tonumber",
  ".data[0].d[0] | tonumber",
  ".aggregations.items_to_sell.avg_sales.value | tonumber",
];
const OTHER_EXPRESSIONS = [
  ".",
  ".data.status",
  '.["data"].result[-1].value[1]|tonumber',
  '."data".result[0]',
  ".data.result[] | .value[1] | tonumber",
  ".[0]",
  ".results.[0] | .[]",
  ".a.b.c",
];

const NUMBER_STRINGS = ["21.7639", "0", "-0", "1e5", "1.5E-3", "100000000000000000001", "0.1", "007", "+5", ".5", "nan", "NaN", "Infinity", "1e400", " 12", "12abc", "", "0x1F", "-12.50"];

function leaf(r: () => number): unknown {
  const pick = Math.floor(r() * 10);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
    case 3:
      return NUMBER_STRINGS[Math.floor(r() * NUMBER_STRINGS.length)];
    case 4:
      return "ok";
    case 5:
      return [];
    case 6:
      return {};
    default: {
      const n = (r() - 0.3) * 10 ** Math.floor(r() * 8);
      return r() < 0.3 ? Math.round(n) : n;
    }
  }
}

function variant(r: () => number, shape: unknown): unknown {
  // Replace parts of a well-formed answer with odd values, sometimes.
  if (r() < 0.15) return leaf(r);
  if (Array.isArray(shape)) {
    const items = shape.map((x) => variant(r, x));
    if (r() < 0.1) items.push(leaf(r));
    if (r() < 0.1) items.splice(0, 1);
    return items;
  }
  if (shape && typeof shape === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(shape)) if (r() > 0.08) out[k] = variant(r, v);
    if (r() < 0.1) out[r() < 0.5 ? "extra" : "3"] = leaf(r);
    return out;
  }
  return r() < 0.3 ? leaf(r) : shape;
}

const SHAPES: unknown[] = [
  { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1714557600.1, "21.7639"] }] } },
  { results: [{ average: 41.82, count: 80275388 }], metadata: { eventType: "PageView" } },
  { data: [{ t: 1582756200, d: [6.481, 2] }], start: 1, end: 2 },
  { aggregations: { items_to_sell: { doc_count: 3, avg_sales: { value: 128.33333333333334 } } } },
  [3, "4", { a: { b: { c: "7" } } }],
];

// Texts whose key order a JavaScript object would change: jq must see them as written.
const RAW_TEXTS = ['{"results":[{"2":5,"b":"1","1":7}]}', '{"results":[{"b":"9","10":1}]}', '{"data":{"result":[{"value":[1,"1e400"]}]}}'];

describe("jq fast path", () => {
  const jq = new JqEvaluator({ fastPath: false });

  it("compiles every sample expression, and declines expressions outside its subset", () => {
    for (const e of [...SAMPLE_EXPRESSIONS, ...OTHER_EXPRESSIONS]) expect(compileJqFastPath(e), e).toBeDefined();
    for (const e of ["..", ".a?", ".a | length", ".a[1:2]", "first(.[])", ".a // 0", '.["a]b"]', ".a | tonumber | . * 1000", "[.a]", "$x"]) {
      expect(compileJqFastPath(e), e).toBeUndefined();
    }
  });

  it("gives exactly jq's result wherever it answers, on many generated answers", async () => {
    // Deterministic, so a failure names an input that can be reproduced.
    const r = seededRandom("jq-fast-path");
    let compared = 0;
    let answered = 0;
    let sampleAnswered = 0;
    const inputs: string[] = [...RAW_TEXTS];
    for (let i = 0; i < 150; i++) inputs.push(JSON.stringify(variant(r, SHAPES[i % SHAPES.length])));
    for (const shape of SHAPES) inputs.push(JSON.stringify(shape));
    for (const text of inputs) {
      const parsed = JSON.parse(text) as unknown;
      for (const expression of [...SAMPLE_EXPRESSIONS, ...OTHER_EXPRESSIONS]) {
        compared++;
        const fast = runJqFastPath(compileJqFastPath(expression)!, parsed);
        if (!fast) continue;
        answered++;
        if (SAMPLE_EXPRESSIONS.includes(expression) && fast.kind === "number") sampleAnswered++;
        const truth = await jq.evaluateWithJq(expression, text);
        expect(fast, `${expression} on ${text}`).toEqual(truth);
      }
    }
    expect(compared).toBeGreaterThan(2000);
    // Enough answers to make the comparison mean something, and the sample expressions answered
    // natively on answers of their own shape (the common case the fast path exists for).
    expect(answered).toBeGreaterThan(300);
    expect(sampleAnswered).toBeGreaterThan(40);
  });

  it("answers the well-formed sample answers with their numbers", () => {
    const prom = runJqFastPath(compileJqFastPath(SAMPLE_EXPRESSIONS[0]!)!, SHAPES[0]);
    expect(prom).toEqual({ kind: "number", value: 21.7639 });
    const nr = runJqFastPath(compileJqFastPath(SAMPLE_EXPRESSIONS[1]!)!, SHAPES[1]);
    expect(nr).toEqual({ kind: "number", value: 41.82 });
  });

  it("leaves failures, NaN and out-of-range numbers to jq", () => {
    const p = compileJqFastPath(".a | tonumber")!;
    expect(runJqFastPath(p, { a: "nan" })).toBeUndefined();
    expect(runJqFastPath(p, { a: "abc" })).toBeUndefined();
    expect(runJqFastPath(p, { a: "1e400" })).toBeUndefined();
    expect(runJqFastPath(p, { a: null })).toBeUndefined();
    expect(runJqFastPath(compileJqFastPath(".a.b")!, { a: [1] })).toBeUndefined();
  });
});

describe("JqEvaluator", () => {
  const jq = new JqEvaluator();

  it("tells NaN, infinities, empty output, non-numbers, runtime and compile errors apart", async () => {
    const ev = (e: string, t: string) => jq.evaluate(e, t, JSON.parse(t));
    expect(await ev(".a | tonumber", '{"a":"NaN"}')).toEqual({ kind: "nan" });
    expect(await ev(".a | tonumber", '{"a":"-Infinity"}')).toEqual({ kind: "infinite" });
    expect(await ev(".a[]", '{"a":[]}')).toEqual({ kind: "empty" });
    expect(await ev(".a", '{"a":"ok"}')).toEqual({ kind: "other", value: "ok" });
    expect(await ev(".a", '{"a":null}')).toEqual({ kind: "other", value: null });
    const runtime = await ev(".data.result[0].value[1] | tonumber", '{"data":{"result":[]}}');
    expect(runtime).toEqual({ kind: "error", message: "null (null) cannot be parsed as a number" });
    const compile = await ev(".a |", "{}");
    expect(compile.kind).toBe("compile_error");
    expect(compile.kind === "compile_error" && compile.message).toContain("syntax error");
  });

  it("uses only the first output, like Iter8", async () => {
    expect(await jq.evaluate(".[] | tonumber", '["3", "x"]', ["3", "x"])).toEqual({ kind: "number", value: 3 });
    expect(await jq.evaluate("first(.[] | select(. > 2))", "[1, 5, 9]", [1, 5, 9])).toEqual({ kind: "number", value: 5 });
  });
});
