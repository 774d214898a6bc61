import { describe, expect, it } from "vitest";
import { canaryExperiment } from "./__fixtures__/documents";
import { parseExperiment, parseExperimentSchema, parseMetric, readDocuments } from "./parse";

// One Experiment with ten different mistakes, one per line marked with its number.
const TEN_MISTAKES = `apiVersion: iter8.tools/v2alpha2
kind: Experiment
metadata:
  name: quickstart-exp
spec:
  target: default/sample-app
  strategy:
    testingPattern: canary                # 1 wrong case
    deploymentPatern: Progressive         # 2 misspelt field
    weights:
      maxCandidateWeightIncrement: 120    # 3 above 100
    actions:
      finish:
      - task: common/exec                 # 4 both task and run
        run: kubectl apply -f promote.yaml
  criteria:
    requestCount: Request Count           # 5 not a metric reference
    objectives:
    - metric: iter8-knative/mean-latency
      upperLimit: 0.5                     # 6 fractional number
    - metric: iter8-knative/error-rate
      upperLimit: lots                    # 7 not a quantity
  duration:
    intervalSeconds: 0                    # 8 below 1
  versionInfo:
    baseline:
      name: sample-app-v1
      weightObjRef:
        fieldPath: spec.traffic[0].percent  # 9 no leading dot
    candidates:
    - name: sample-app-v1                 # 10 duplicate name
`;

describe("parseExperiment", () => {
  it("finds each of ten mistakes, in file order, naming the field and its line", () => {
    const result = parseExperiment(TEN_MISTAKES);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.line} ${e.path}: ${e.message}`)).toEqual([
      '8 spec.strategy.testingPattern: must be one of Canary, A/B, A/B/N, Conformance (got "canary")',
      '9 spec.strategy.deploymentPatern: is not a known field; did you mean "deploymentPattern"?',
      "11 spec.strategy.weights.maxCandidateWeightIncrement: must be at most 100 (got 120)",
      "14 spec.strategy.actions.finish[0]: must set exactly one of task or run (both are set)",
      '17 spec.criteria.requestCount: must be a metric name or namespace/name, in lowercase letters, digits, "-" and "." (got "Request Count")',
      '20 spec.criteria.objectives[0].upperLimit: must be an integer or a quoted quantity: Kubernetes rejects the number 0.5 here, write "0.5"',
      '22 spec.criteria.objectives[1].upperLimit: must be a Kubernetes quantity such as 50, "0.01", "250m", "1k" or "1Ki" (got "lots")',
      "24 spec.duration.intervalSeconds: must be at least 1 (got 0)",
      '29 spec.versionInfo.baseline.weightObjRef.fieldPath: must start with "." as in .spec.http[0].route[0].weight (got "spec.traffic[0].percent")',
      '31 spec.versionInfo.candidates[0].name: "sample-app-v1" is also the name of another version; version names must be unique',
    ]);
    expect(result.errors.map((e) => e.code)).toEqual([
      "invalid_value",
      "unknown_field",
      "out_of_range",
      "task_kind",
      "reference",
      "fractional_quantity",
      "invalid_quantity",
      "out_of_range",
      "field_path",
      "duplicate_version_name",
    ]);
  });

  it("reads JSON text and objects the same way", () => {
    const json = JSON.stringify(canaryExperiment(), null, 2);
    const fromText = parseExperiment(json);
    const fromObject = parseExperiment(canaryExperiment());
    expect(fromText).toEqual(fromObject);
    expect(fromText.ok).toBe(true);
  });

  it("points a missing field at the line of its parent", () => {
    const result = parseExperiment("apiVersion: iter8.tools/v2alpha2\nkind: Experiment\nmetadata: {name: e}\nspec:\n  strategy: {testingPattern: Conformance}\n  versionInfo: {baseline: {name: b}}\n");
    expect(result.ok ? [] : result.errors).toEqual([{ path: "spec.target", message: "is required (a string)", code: "required", line: 4 }]);
  });

  it("reports text that is not YAML with its line", () => {
    const result = parseExperiment("apiVersion: iter8.tools/v2alpha2\nkind: Experiment\nspec:\n  target: [unclosed\n");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({ path: "(document)", code: "syntax" });
    expect(result.errors[0]?.message).toMatch(/^is not valid YAML or JSON: /);
    expect(result.errors[0]?.line).toBeGreaterThanOrEqual(4);
  });

  it("reports a YAML alias bomb as an issue instead of throwing", () => {
    const bomb = "a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
    for (const parse of [parseExperiment, parseMetric, parseExperimentSchema]) {
      const result = parse(bomb);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.errors).toEqual([{ path: "(document)", code: "syntax", message: expect.stringMatching(/^cannot be read as YAML or JSON: /), line: 1 }]);
    }
  });

  it("asks for exactly one document", () => {
    const text = `${JSON.stringify(canaryExperiment())}\n---\n${JSON.stringify(canaryExperiment())}\n`;
    expect(parseExperiment(text)).toEqual({
      ok: false,
      errors: [
        {
          path: "(document)",
          code: "document_count",
          message: "must hold exactly one document, found 2; use parseDocuments for multi-document files",
        },
      ],
    });
    expect(parseExperiment("")).toMatchObject({ ok: false, errors: [{ code: "document_count" }] });
  });

  it("leaves semantic rules out of the schema-only parser", () => {
    const doc = canaryExperiment();
    (doc.spec as { versionInfo: unknown }).versionInfo = { baseline: { name: "v1" } };
    expect(parseExperimentSchema(doc).ok).toBe(true);
    expect(parseExperiment(doc).ok).toBe(false);
  });
});

describe("parseMetric", () => {
  it("parses a metric from YAML text with defaults filled in", () => {
    const result = parseMetric(
      "apiVersion: iter8.tools/v2alpha2\nkind: Metric\nmetadata:\n  name: request-count\nspec:\n  type: Counter\n  urlTemplate: http://prom:9090/api/v1/query\n  jqExpression: .data.result[0].value[1] | tonumber\n",
    );
    expect(result.ok && result.value.spec).toEqual({
      type: "Counter",
      method: "GET",
      urlTemplate: "http://prom:9090/api/v1/query",
      jqExpression: ".data.result[0].value[1] | tonumber",
    });
  });
});

describe("readDocuments", () => {
  it("returns the values of every non-empty document", () => {
    expect(readDocuments("a: 1\n---\n---\nb: [2]\n")).toEqual({ ok: true, value: [{ a: 1 }, { b: [2] }] });
  });

  it("keeps quoted quantities as strings and bare ones as numbers", () => {
    expect(readDocuments('x: "0.01"\ny: 0.01\nz: 10m\n')).toEqual({ ok: true, value: [{ x: "0.01", y: 0.01, z: "10m" }] });
  });
});

describe("non-finite quantities", () => {
  const withLimit = (limit: string) => `apiVersion: iter8.tools/v2alpha2
kind: Experiment
metadata:
  name: e
spec:
  target: default/app
  strategy:
    testingPattern: Conformance
  criteria:
    objectives:
    - metric: default/mean-latency
      upperLimit: ${limit}
  versionInfo:
    baseline:
      name: v1
`;

  it.each([
    ['"1e309"', '"1e309"'],
    ["1e309", "1e309"],
    [".nan", ".nan"],
    ["-.inf", "-.inf"],
  ])("rejects upperLimit %s naming the field and the value as written", (written, shown) => {
    const result = parseExperiment(withLimit(written));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ path: "spec.criteria.objectives[0].upperLimit", code: "invalid_quantity", line: 12 });
    expect(result.errors[0]!.message).toMatch(new RegExp(`^${shown.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not a finite quantity; `));
    expect(result.errors[0]!.message).not.toContain("null");
  });

  it("rejects a non-finite quantity given as an object, and a non-finite number elsewhere", () => {
    const result = parseExperiment({
      spec: { target: "t", strategy: { testingPattern: "Conformance" }, criteria: { objectives: [{ metric: "m", lowerLimit: Number.NEGATIVE_INFINITY }] }, duration: { intervalSeconds: Number.NaN } },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual(expect.objectContaining({ path: "spec.criteria.objectives[0].lowerLimit", message: expect.stringMatching(/^-Infinity is not a finite quantity; /) }));
    expect(result.errors).toContainEqual(expect.objectContaining({ path: "spec.duration.intervalSeconds", message: expect.stringContaining("(got NaN)") }));
  });

  it("rejects a Metric's mock level that is not finite", () => {
    const result = parseMetric('apiVersion: iter8.tools/v2alpha2\nkind: Metric\nmetadata: {name: m}\nspec:\n  mock:\n  - name: v1\n    level: "1e400"\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([expect.objectContaining({ path: "spec.mock[0].level", message: expect.stringMatching(/^"1e400" is not a finite quantity; /) })]);
  });
});
