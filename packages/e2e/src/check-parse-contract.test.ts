import { describe, expect, it } from "vitest";
import { checkParseContract } from "./check-parse-contract";
import type { FuzzCase } from "./fuzz-corpus";
import { loadSample } from "./load-sample";

const { experiment, metrics } = loadSample("knative");
const fuzz = (kind: FuzzCase["kind"], input: unknown): FuzzCase => ({ id: "t#0", index: 0, kind, stack: "knative", base: "knative", changes: [], input, planted: [] });

describe("checkParseContract", () => {
  it("accepts a valid document and keeps its value for the engine", () => {
    const verdict = checkParseContract(fuzz("Experiment", experiment));
    expect(verdict).toMatchObject({ accepted: true, issues: [], violations: [] });
    expect(verdict.schemaValue).toBeDefined();
  });

  it("tells documents the schema accepts but the rules reject from those the schema rejects", () => {
    const rules = structuredClone(experiment);
    rules.spec.versionInfo!.candidates = [];
    const ruled = checkParseContract(fuzz("Experiment", rules));
    expect(ruled.accepted).toBe(false);
    expect(ruled.schemaValue).toBeDefined();
    expect(ruled.issues.map((i) => i.path)).toEqual(["spec.versionInfo.candidates"]);
    const schema = checkParseContract(fuzz("Metric", { ...metrics[0], spec: { ...metrics[0]!.spec, type: "Histogram" } }));
    expect(schema).toMatchObject({ accepted: false, violations: [] });
    expect(schema.schemaValue).toBeUndefined();
    expect(schema.issues.map((i) => i.path)).toContain("spec.type");
  });

  it("holds for broken text: no throw, issues about the document", () => {
    for (const text of ["a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n", "spec: [", "", "[1, 2]"]) {
      const verdict = checkParseContract(fuzz("Experiment", text));
      expect(verdict.violations, JSON.stringify(text)).toEqual([]);
      expect(verdict.accepted).toBe(false);
      expect(verdict.issues.length).toBeGreaterThan(0);
    }
  });

  it("requires a planted value to be reported at its own field while it is still there", () => {
    const metric = structuredClone(metrics[0]!);
    const deep = `${"(".repeat(150)}.x${")".repeat(150)}`;
    metric.spec.jqExpression = deep;
    const planted = { segments: ["spec", "jqExpression"], value: deep, reportedBy: "parse" as const };
    expect(checkParseContract({ ...fuzz("Metric", metric), planted: [planted] }).violations).toEqual([]);
    // Moved away by a later mutation: nothing is required of it.
    expect(checkParseContract({ ...fuzz("Metric", metrics[0]), planted: [planted] }).violations).toEqual([]);
    const limit = structuredClone(experiment);
    limit.spec.criteria!.objectives![0]!.upperLimit = "1e309";
    const quantity = { segments: ["spec", "criteria", "objectives", 0, "upperLimit"], value: "1e309", reportedBy: "parse" as const };
    expect(checkParseContract({ ...fuzz("Experiment", limit), planted: [quantity] })).toMatchObject({ accepted: false, violations: [] });
  });

  it("finds no raw control character in the issues of a document that has one in a key", () => {
    const hostile = structuredClone(experiment);
    (hostile.spec as Record<string, unknown>)["metrics\u009b"] = [];
    expect(checkParseContract(fuzz("Experiment", hostile)).violations).toEqual([]);
  });
});
