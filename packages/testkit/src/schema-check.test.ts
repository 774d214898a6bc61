import { ExperimentSchema, MetricSchema } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { zodSchemaCheck } from "./schema-check";

const checkExperiment = zodSchemaCheck(ExperimentSchema);
const checkMetric = zodSchemaCheck(MetricSchema);

const experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "quickstart-exp" },
  spec: { target: "default/sample-app", strategy: { testingPattern: "A/B/n" }, duration: { intervalSeconds: 5, iterationsPerLoop: 10 } },
};

describe("schema checks of custom resources", () => {
  it("accepts a valid Experiment and keeps the user's spelling", () => {
    const result = checkExperiment(experiment);
    expect(result.errors).toEqual([]);
    expect(result.unknownFields).toEqual([]);
    expect((result.value.spec as { strategy: { testingPattern: string } }).strategy.testingPattern).toBe("A/B/n");
  });

  it("reports errors with the API server's field paths and wording", () => {
    const result = checkExperiment({
      ...experiment,
      spec: { strategy: { testingPattern: "Blue" }, duration: { intervalSeconds: 0, maxLoops: "two" } },
    });
    expect(result.errors).toEqual([
      { type: "FieldValueRequired", field: "spec.target", message: "Required value" },
      {
        type: "FieldValueNotSupported",
        field: "spec.strategy.testingPattern",
        message: expect.stringMatching(/^Unsupported value: "Blue": supported values: "Canary", "A\/B"/),
      },
      {
        type: "FieldValueInvalid",
        field: "spec.duration.intervalSeconds",
        message: "Invalid value: 0: spec.duration.intervalSeconds in body should be greater than or equal to 1",
      },
      {
        type: "FieldValueTypeInvalid",
        field: "spec.duration.maxLoops",
        message: 'Invalid value: "string": spec.duration.maxLoops in body must be of type number: "two"',
      },
    ]);
  });

  it("finds and removes unknown fields, nested ones included", () => {
    const result = checkExperiment({ ...experiment, spec: { ...experiment.spec, strategy: { testingPattern: "Canary", typo: 1 }, extra: true } });
    expect(result.unknownFields.sort()).toEqual(["spec.extra", "spec.strategy.typo"]);
    expect(result.errors).toEqual([]);
    expect(result.value.spec).not.toHaveProperty("extra");
  });

  it("fills Metric defaults the way CRD defaulting does", () => {
    const result = checkMetric({ apiVersion: "iter8.tools/v2alpha2", kind: "Metric", metadata: { name: "m" }, spec: { urlTemplate: "http://p" } });
    expect(result.errors).toEqual([]);
    expect(result.value.spec).toEqual({ urlTemplate: "http://p", type: "Gauge", method: "GET" });
  });
});
