import { describe, expect, it } from "vitest";
import { inputLimitProblem, InputLimits, nestingDepth } from "./input-limits";
import { parseExperiment, parseMetric } from "./parse";

describe("nestingDepth", () => {
  it("counts brackets of every kind inside one another, and ignores closers without openers", () => {
    expect(nestingDepth("")).toBe(0);
    expect(nestingDepth(".data.result[0].value[1] | tonumber")).toBe(1);
    expect(nestingDepth("{{ (len (print .a)) }}")).toBe(4);
    expect(nestingDepth(")))(")).toBe(1);
    expect(nestingDepth("(".repeat(50_000))).toBe(50_000);
  });
});

describe("inputLimitProblem", () => {
  it("passes what real documents hold", () => {
    expect(inputLimitProblem("status.completedIterations > 3 and WinnerFound()", "expression", "if condition")).toBeUndefined();
    expect(inputLimitProblem("(".repeat(100) + ")".repeat(100), "expression", "jq expression")).toBeUndefined();
  });

  it("names the text and the limit it breaks", () => {
    expect(inputLimitProblem("(".repeat(101), "template", "template")).toBe("template nests deeper than 100 levels; flatten it (fewer brackets inside one another)");
    expect(inputLimitProblem("x".repeat(InputLimits.maxExpressionLength + 1), "expression", "jq expression")).toBe(
      "jq expression is 2,049 characters long, more than the 2,048 allowed; shorten it",
    );
    expect(inputLimitProblem(".a".repeat(600), "fieldPath", "field path")).toMatch(/^field path is 1,200 characters long, more than the 1,024 allowed/);
  });
});

describe("input limits in documents", () => {
  const deep = (open: string, inner: string, close: string, depth = 5_000) => open.repeat(depth) + inner + close.repeat(depth);

  it("reports a Metric's expressions and templates that nest too deep or run too long, naming each field", () => {
    const result = parseMetric({
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Metric",
      metadata: { name: "m", namespace: "ns" },
      spec: {
        urlTemplate: `http://prometheus/api?q=${"x".repeat(70_000)}`,
        jqExpression: deep("(", ".x", ")", 50_000),
        method: "POST",
        body: deep("{", "", "}"),
        params: [{ name: "query", value: deep("(", "x", ")") }],
      },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      "spec.jqExpression: jq expression nests deeper than 100 levels; flatten it (fewer brackets inside one another)",
      "spec.urlTemplate: URL template is 70,024 characters long, more than the 65,536 allowed; shorten it",
      "spec.body: body template nests deeper than 100 levels; flatten it (fewer brackets inside one another)",
      "spec.params[0].value: template nests deeper than 100 levels; flatten it (fewer brackets inside one another)",
    ]);
    expect(result.errors.every((e) => e.code === "input_limit")).toBe(true);
  });

  it("reports a JSONata expression that nests too deep", () => {
    const result = parseMetric({ metadata: { name: "m" }, spec: { urlTemplate: "http://x", jsonataExpression: "[".repeat(101) + "x" + "]".repeat(101) } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([expect.objectContaining({ path: "spec.jsonataExpression", message: expect.stringMatching(/^JSONata expression nests deeper than 100 levels/) })]);
  });

  it("reports a weight fieldPath that nests too deep", () => {
    const result = parseExperiment({
      metadata: { name: "e" },
      spec: {
        target: "t",
        strategy: { testingPattern: "Conformance" },
        versionInfo: { baseline: { name: "v1", weightObjRef: { kind: "VirtualService", name: "vs", fieldPath: `.spec${"[".repeat(200)}` } } },
      },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toContainEqual(
        expect.objectContaining({ path: "spec.versionInfo.baseline.weightObjRef.fieldPath", code: "input_limit", message: expect.stringMatching(/^field path nests deeper than 100 levels/) }),
      );
    }
  });
});
