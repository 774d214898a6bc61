import { describe, expect, it } from "vitest";
import { loadSample } from "./load-sample";
import { failureCulprit, readsSloppily } from "./failure-culprit";

const { experiment } = loadSample("istio");

describe("failureCulprit", () => {
  it("finds the metric, version, field or object a failure names", () => {
    expect(failureCulprit(experiment, { reason: "MetricUnavailable", message: "Unable to find metric iter8-istio/mean-latency" })).toBe("iter8-istio/mean-latency");
    expect(failureCulprit(experiment, { reason: "InvalidExperiment", message: "Invalid number of candidates for Canary experiment" })).toBe("candidates");
    expect(
      failureCulprit(experiment, {
        reason: "WeightRedistributionFailed",
        message: "Failure redistributing weights: cannot write the weight of version \"productpage-v2\" at .spec.http[0].route[1].weight",
      }),
    ).toBe(".spec.http[0].route[1].weight");
  });

  it("takes a failed action's culprit from the action's own message", () => {
    const report = { reason: "HandlerFailed", message: "Finish actions failed" };
    expect(failureCulprit(experiment, report)).toBeUndefined();
    expect(failureCulprit(experiment, { ...report, actionMessage: 'action "finish", task 2 (common/exec): with.cmd must be a string' })).toBe("task 2 (");
  });

  it("finds nothing in a message that names nothing", () => {
    expect(failureCulprit(experiment, { reason: "AnalyticsServiceError", message: "Call to analytics engine failed" })).toBeUndefined();
  });
});

describe("readsSloppily", () => {
  it("spots values stringified by accident", () => {
    expect(readsSloppily("with.constructor repeats with.function Object() { [native code] }")).toBe(true);
    expect(readsSloppily("metric undefined not found")).toBe(true);
    expect(readsSloppily("got [object Object]")).toBe(true);
    expect(readsSloppily('must be a string (got an object)')).toBe(false);
  });
});
