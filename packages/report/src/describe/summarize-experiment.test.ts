import { describe, expect, it } from "vitest";
import { abInput, canaryInput, experiment } from "../__fixtures__/experiments";
import { summarizeExperiment } from "./summarize-experiment";

describe("summarizeExperiment", () => {
  it("reports progress, versions, winner and conditions", () => {
    const s = summarizeExperiment(experiment(canaryInput()));
    expect(s).toMatchObject({
      name: "checkout-rollout",
      namespace: "shop",
      target: "shop/checkout",
      testingPattern: "Canary",
      deploymentPattern: "Progressive",
      stage: "Running",
      completedIterations: 4,
      totalIterations: 10,
      completed: false,
      failed: false,
      versions: ["checkout-v1", "checkout-v2"],
      winner: { found: true, version: "checkout-v2" },
      versionRecommendedForPromotion: "checkout-v2",
      analysis: { winnerAssessment: true, versionAssessments: true, aggregatedMetrics: true },
    });
  });

  it("keeps each value exactly as stored and as a number", () => {
    const s = summarizeExperiment(experiment(canaryInput()));
    const latency = s.metrics.find((m) => m.name === "iter8-system/mean-latency")!;
    expect(latency.units).toBe("milliseconds");
    expect(latency.values["checkout-v1"]).toEqual({ quantity: "212345678901n", value: 212.345678901 });
    expect(s.objectives[1]).toMatchObject({ metric: "iter8-system/error-rate", upperLimit: { quantity: "10m", value: 0.01 }, lowerLimit: null });
  });

  it("picks the best reward value in each reward's preferred direction", () => {
    const s = summarizeExperiment(experiment(abInput()));
    expect(s.rewards.map((r) => [r.metric, r.best])).toEqual([
      ["ml/revenue", ["model-b"]],
      ["ml/latency-p95", ["model-a"]],
    ]);
  });

  it("marks every version sharing the best value, and none without values", () => {
    const input = abInput();
    input.status!.analysis!.aggregatedMetrics!.data["ml/revenue"]!.data["model-a"]!.value = "44250m";
    delete input.status!.analysis!.aggregatedMetrics!.data["ml/latency-p95"];
    const s = summarizeExperiment(experiment(input));
    expect(s.rewards[0]!.best).toEqual(["model-a", "model-b"]);
    expect(s.rewards[1]!.best).toEqual([]);
    expect(s.rewards[1]!.values).toEqual({ "model-a": null, "model-b": null });
  });

  it("finds values whether a metric is named with or without the experiment's namespace", () => {
    const input = abInput();
    const data = input.status!.analysis!.aggregatedMetrics!.data;
    data["revenue"] = data["ml/revenue"]!;
    delete data["ml/revenue"];
    const s = summarizeExperiment(experiment(input));
    expect(s.rewards[0]!.values["model-b"]?.value).toBe(44.25);
    expect(s.metrics.map((m) => m.name)).toEqual(["ml/revenue", "ml/latency-p95", "ml/error-rate"]);
  });

  it("lists metrics analytics reports even when status.metrics does not name them", () => {
    const input = abInput();
    delete input.status!.metrics;
    const s = summarizeExperiment(experiment(input));
    expect(s.metrics.map((m) => [m.name, m.units])).toEqual([
      ["ml/revenue", null],
      ["ml/latency-p95", null],
      ["ml/error-rate", null],
    ]);
  });

  it("marks objectives unassessed for versions analytics has not assessed", () => {
    const input = canaryInput();
    input.status!.analysis!.versionAssessments!.data = { "checkout-v1": [false] };
    const s = summarizeExperiment(experiment(input));
    expect(s.objectives.map((o) => o.satisfied)).toEqual([
      { "checkout-v1": false, "checkout-v2": null },
      { "checkout-v1": null, "checkout-v2": null },
    ]);
  });

  it("fills in what a new experiment does not say yet", () => {
    const input = canaryInput();
    delete input.status;
    delete input.spec.strategy.deploymentPattern;
    delete input.metadata.namespace;
    const s = summarizeExperiment(experiment(input));
    expect(s).toMatchObject({
      namespace: "default",
      deploymentPattern: "Progressive",
      stage: null,
      completedIterations: 0,
      winner: null,
      versionRecommendedForPromotion: null,
      analysis: { winnerAssessment: false, versionAssessments: false, aggregatedMetrics: false },
      metrics: [],
    });
  });
});
