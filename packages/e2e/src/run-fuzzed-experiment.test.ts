import { describe, expect, it } from "vitest";
import { loadSample } from "./load-sample";
import { reconcileBudget, runFuzzedExperiment, shortenForFuzz } from "./run-fuzzed-experiment";

const sample = loadSample("istio");

describe("runFuzzedExperiment", () => {
  it("runs a quickstart to the end within its budget", async () => {
    const outcome = await runFuzzedExperiment(sample.experiment, sample.metrics, sample.objects, "unit");
    expect(outcome.violations).toEqual([]);
    expect(outcome.message).toBe("ExperimentCompleted: Experiment Completed");
    expect(outcome.reconciles).toBeGreaterThan(0);
    expect(outcome.reconciles).toBeLessThanOrEqual(outcome.budget);
  });

  it("accepts a failure that names its field", async () => {
    const experiment = structuredClone(sample.experiment);
    experiment.spec.versionInfo!.candidates![0]!.weightObjRef!.fieldPath = ".spec.http[0].route[1].destination.host";
    const outcome = await runFuzzedExperiment(experiment, sample.metrics, sample.objects, "unit");
    expect(outcome.violations).toEqual([]);
    expect(outcome.failed).toMatchObject({ reason: "InvalidExperiment", culprit: ".spec.http[0].route[1].destination.host" });
  });

  it("fails an experiment whose routing weights add up to more than 100, naming the objects and the sum", async () => {
    const objects = structuredClone(sample.objects);
    const routing = objects.find((o) => o.kind === "VirtualService") as { spec: { http: { route: { weight: number }[] }[] } } | undefined;
    for (const route of routing!.spec.http[0]!.route) route.weight = 70;
    const outcome = await runFuzzedExperiment(sample.experiment, sample.metrics, objects, "unit");
    expect(outcome.violations).toEqual([]);
    expect(outcome.failed?.reason).toBe("InvalidExperiment");
    expect(outcome.failed?.message).toMatch(
      /^Specification of version weightObjectRef invalid: the observed weights add up to 140, not 100: "productpage-v1" 70 at \.spec\.http\[0\]\.route\[0\]\.weight of VirtualService bookinfo-iter8\/bookinfo, "productpage-v2" 70 at \.spec\.http\[0\]\.route\[1\]\.weight of VirtualService bookinfo-iter8\/bookinfo;/,
    );
  });

  it("finds the task at fault in a failed action", async () => {
    const experiment = structuredClone(sample.experiment);
    experiment.spec.strategy.actions = { finish: [{ task: "common/promote" }] };
    const outcome = await runFuzzedExperiment(experiment, sample.metrics, sample.objects, "unit");
    expect(outcome.violations).toEqual([]);
    expect(outcome.failed).toMatchObject({ reason: "HandlerFailed", message: "Finish actions failed", culprit: "task 1 (" });
    expect(outcome.failed?.actionMessage).toContain('unknown task "common/promote"');
  });

  it("reports an experiment whose metric is missing with the metric's name", async () => {
    const outcome = await runFuzzedExperiment(sample.experiment, sample.metrics.filter((m) => m.metadata?.name !== "error-rate"), sample.objects, "unit");
    expect(outcome.violations).toEqual([]);
    expect(outcome.failed).toMatchObject({ reason: "MetricUnavailable", culprit: "iter8-istio/error-rate" });
  });
});

describe("shortenForFuzz", () => {
  it("caps iterations and loops and keeps everything else", () => {
    const long = structuredClone(sample.experiment);
    long.spec.duration = { intervalSeconds: 2_000_000_000, iterationsPerLoop: 2_147_483_647, maxLoops: 100 };
    const short = shortenForFuzz(long);
    expect(short.spec.duration).toEqual({ intervalSeconds: 2_000_000_000, iterationsPerLoop: 2, maxLoops: 2 });
    expect(short.spec.versionInfo).toEqual(long.spec.versionInfo);
    expect(reconcileBudget(4, 2)).toBeGreaterThan(4);
  });
});
