import { describe, expect, it } from "vitest";
import { abExperiment, canaryExperiment, withField } from "./__fixtures__/documents";
import { ExperimentSchema } from "./experiment";
import { parseExperiment } from "./parse";

function errorsOf(input: unknown) {
  const result = parseExperiment(input);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe("Experiment schema", () => {
  it("accepts a complete Canary experiment and keeps every field", () => {
    const result = parseExperiment(canaryExperiment());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.spec.versionInfo?.candidates?.[0]?.weightObjRef?.fieldPath).toBe(".spec.traffic[1].percent");
    expect(result.value.spec.strategy.actions?.finish?.[0]?.with).toEqual({ cmd: "kubectl", args: ["apply", "-f", "promote.yaml"] });
  });

  it("reads A/B/n as A/B/N", () => {
    const result = parseExperiment(withField(abExperiment(), "spec.strategy.testingPattern", "A/B/n"));
    expect(result.ok && result.value.spec.strategy.testingPattern).toBe("A/B/N");
  });

  it.each([
    ["spec.strategy.testingPattern", "AB", 'must be one of Canary, A/B, A/B/N, Conformance (got "AB")'],
    ["spec.strategy.testingPattern", "canary", 'must be one of Canary, A/B, A/B/N, Conformance (got "canary")'],
    ["spec.strategy.deploymentPattern", "Gradual", 'must be one of FixedSplit, Progressive, BlueGreen (got "Gradual")'],
    ["spec.criteria.rewards[0].preferredDirection", "high", 'must be one of High, Low (got "high")'],
    ["status.stage", "Done", 'must be one of Waiting, Initializing, Running, Finishing, Completed (got "Done")'],
    ["status.conditions[0].type", "Ready", 'must be one of Completed, Failed, TargetAcquired (got "Ready")'],
    ["status.conditions[0].status", "true", 'must be one of True, False, Unknown (got "true")'],
    ["apiVersion", "iter8.tools/v2alpha1", 'must be "iter8.tools/v2alpha2" (got "iter8.tools/v2alpha1")'],
  ])("rejects %s = %j", (path, value, message) => {
    let doc = abExperiment();
    if (path.startsWith("status.conditions")) doc = withField(doc, "status.conditions", [{ type: "Completed", status: "False" }]);
    expect(errorsOf(withField(doc, path, value))).toEqual([`${path}: ${message}`]);
  });

  it.each(["FixedSplit", "Progressive", "BlueGreen"])("accepts deploymentPattern %s", (pattern) => {
    expect(errorsOf(withField(canaryExperiment(), "spec.strategy.deploymentPattern", pattern))).toEqual([]);
  });

  it.each([
    ["spec.strategy.weights.maxCandidateWeight", -1, "must be at least 0 (got -1)"],
    ["spec.strategy.weights.maxCandidateWeight", 101, "must be at most 100 (got 101)"],
    ["spec.strategy.weights.maxCandidateWeightIncrement", 101, "must be at most 100 (got 101)"],
    ["spec.strategy.weights.maxCandidateWeightIncrement", 2.5, "must be a whole number (got 2.5)"],
    ["spec.duration.intervalSeconds", 0, "must be at least 1 (got 0)"],
    ["spec.duration.iterationsPerLoop", 0, "must be at least 1 (got 0)"],
    ["spec.duration.maxLoops", -3, "must be at least 1 (got -3)"],
    ["spec.duration.maxLoops", 2147483648, "must be at most 2147483647 (got 2147483648)"],
    ["spec.duration.intervalSeconds", "20", 'must be a number (got "20")'],
    ["status.completedIterations", -1, "must be at least 0 (got -1)"],
  ])("enforces the bounds of %s (%j)", (path, value, message) => {
    expect(errorsOf(withField(canaryExperiment(), path, value))).toEqual([`${path}: ${message}`]);
  });

  it.each([
    ["spec.strategy.weights.maxCandidateWeight", 0],
    ["spec.strategy.weights.maxCandidateWeight", 100],
    ["spec.strategy.weights.maxCandidateWeightIncrement", 0],
    ["spec.duration.intervalSeconds", 1],
    ["spec.duration.maxLoops", 2147483647],
  ])("accepts the bound %s = %j", (path, value) => {
    expect(errorsOf(withField(canaryExperiment(), path, value))).toEqual([]);
  });

  it.each([
    ["spec.target", "is required (a string)"],
    ["spec.strategy", "is required (an object)"],
    ["spec.strategy.testingPattern", "is required (one of Canary, A/B, A/B/N, Conformance)"],
    ["spec.versionInfo.baseline", "is required (an object)"],
    ["spec.versionInfo.baseline.name", "is required (a string)"],
    ["spec.criteria.objectives[0].metric", "is required (a string)"],
    ["metadata", "is required (an object)"],
    ["kind", 'is required ("Experiment")'],
  ])("requires %s", (path, message) => {
    const errors = errorsOf(withField(canaryExperiment(), path, undefined));
    expect(errors).toContain(`${path}: ${message}`);
  });

  it("requires both fields of a reward and of a version variable", () => {
    let doc = withField(abExperiment(), "spec.criteria.rewards[0].preferredDirection", undefined);
    doc = withField(doc, "spec.versionInfo.baseline.variables", [{ name: "ns" }]);
    expect(errorsOf(doc)).toEqual([
      "spec.versionInfo.baseline.variables[0].value: is required (a string)",
      "spec.criteria.rewards[0].preferredDirection: is required (one of High, Low)",
    ]);
  });

  it.each([
    ["spec.targt", 'did you mean "target"?'],
    ["spec.strategy.deploymentPatern", 'did you mean "deploymentPattern"?'],
    ["spec.criteria.objectives[0].rollbackOnFailure", 'did you mean "rollback_on_failure"?'],
    ["spec.duration.intervalSecond", 'did you mean "intervalSeconds"?'],
    ["spec.strategy.Actions", 'did you mean "actions"?'],
    ["spec.versionInfo.candidates[0].weightObjRef.fieldpath", 'did you mean "fieldPath"?'],
    ["spec.versionInfo.baseline.colour", "check its spelling and indentation"],
  ])("reports the unknown spec field %s", (path, hint) => {
    expect(errorsOf(withField(canaryExperiment(), path, "x"))).toEqual([`${path}: is not a known field; ${hint}`]);
  });

  it("keeps unknown fields of metadata and status", () => {
    let doc = withField(canaryExperiment(), "metadata.finalizers", ["example.com/keep"]);
    doc = withField(doc, "status.futureField", { anything: 1 });
    doc = withField(doc, "status.analysis.weights", {
      provenance: "test",
      timestamp: "2021-06-15T15:23:23Z",
      data: [{ name: "v1", value: 5, note: "extra" }],
    });
    const result = parseExperiment(doc);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.metadata.finalizers).toEqual(["example.com/keep"]);
    expect(result.value.status?.futureField).toEqual({ anything: 1 });
    expect(result.value.status?.analysis?.weights?.data[0]).toEqual({ name: "v1", value: 5, note: "extra" });
  });

  it("reads a completed status as the controller writes it, quantities included", () => {
    const status = {
      stage: "Completed",
      completedIterations: 15,
      initTime: "2021-06-15T15:20:18Z",
      conditions: [{ type: "Completed", status: "True", reason: "ExperimentCompleted", message: "Experiment Completed" }],
      currentWeightDistribution: [
        { name: "v1", value: 5 },
        { name: "v2", value: 95 },
      ],
      versionRecommendedForPromotion: "v2",
      analysis: {
        aggregatedMetrics: {
          provenance: "http://iter8-analytics.iter8-system:8080/v2/analytics_results",
          timestamp: "2021-06-15T15:23:23Z",
          message: "Error: ; Warning: ; Info: ",
          data: { "iter8-system/mean-latency": { data: { v1: { value: "13352538n" }, v2: { value: "0" } } } },
        },
        versionAssessments: { provenance: "p", timestamp: "t", data: { v1: [true], v2: [true] }, message: null },
        winnerAssessment: { provenance: "p", timestamp: "t", data: { winnerFound: true, winner: "v2" } },
      },
      metrics: [{ name: "iter8-system/mean-latency", metricObj: { spec: { urlTemplate: "http://p", jqExpression: ".x" } } }],
    };
    const result = parseExperiment(withField(canaryExperiment(), "status", status));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.status?.analysis?.aggregatedMetrics?.data["iter8-system/mean-latency"]?.data.v1?.value).toBe("13352538n");
    // Metric defaults apply to embedded metrics too.
    expect(result.value.status?.metrics?.[0]?.metricObj.spec).toMatchObject({ type: "Gauge", method: "GET" });
  });

  it("rejects a status quantity that is not a quantity", () => {
    const status = {
      analysis: {
        aggregatedMetrics: { provenance: "p", timestamp: "t", data: { m: { data: { v1: { value: "fast" } } } } },
      },
    };
    expect(errorsOf(withField(canaryExperiment(), "status", status))).toEqual([
      'status.analysis.aggregatedMetrics.data.m.data.v1.value: must be a Kubernetes quantity such as 50, "0.01", "250m", "1k" or "1Ki" (got "fast")',
    ]);
  });

  it("exposes the parsed type through ExperimentSchema", () => {
    const parsed = ExperimentSchema.parse(withField(abExperiment(), "spec.strategy.testingPattern", "A/B/n"));
    expect(parsed.spec.strategy.testingPattern).toBe("A/B/N");
  });
});
