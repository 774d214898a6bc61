import { describe, expect, it } from "vitest";
import { canaryExperiment, withField } from "./__fixtures__/documents";
import { EXPERIMENT_DEFAULTS, experimentNamespace, totalIterations, versionNames, withDefaults } from "./defaults";
import { ExperimentSchema, type Experiment } from "./experiment";

function experiment(patch: (doc: Record<string, unknown>) => Record<string, unknown> = (d) => d): Experiment {
  return ExperimentSchema.parse(patch(canaryExperiment()));
}

describe("in-memory defaults", () => {
  it("fills weights, deployment pattern and duration the way the controller does", () => {
    const bare = experiment((d) => withField(withField(withField(d, "spec.duration", undefined), "spec.strategy.deploymentPattern", undefined), "spec.strategy.weights", undefined));
    const filled = withDefaults(bare);
    expect(filled.spec.strategy.deploymentPattern).toBe("Progressive");
    expect(filled.spec.strategy.weights).toEqual({ maxCandidateWeight: 100, maxCandidateWeightIncrement: 10 });
    expect(filled.spec.duration).toEqual({ intervalSeconds: 20, iterationsPerLoop: 15, maxLoops: 1 });
    expect(EXPERIMENT_DEFAULTS).toMatchObject({ intervalSeconds: 20, iterationsPerLoop: 15, maxLoops: 1 });
  });

  it("keeps values that are set and does not modify its input", () => {
    const original = experiment((d) => withField(withField(d, "spec.strategy.weights", { maxCandidateWeight: 60 }), "spec.duration.maxLoops", 3));
    const before = structuredClone(original);
    const filled = withDefaults(original);
    expect(filled.spec.strategy.weights).toEqual({ maxCandidateWeight: 60, maxCandidateWeightIncrement: 10 });
    expect(filled.spec.duration).toEqual({ intervalSeconds: 5, iterationsPerLoop: 4, maxLoops: 3 });
    expect(original).toEqual(before);
  });

  it("turns on rollback_on_failure for BlueGreen objectives that do not say otherwise", () => {
    const blueGreen = experiment((d) =>
      withField(withField(d, "spec.strategy.deploymentPattern", "BlueGreen"), "spec.criteria.objectives", [
        { metric: "a", upperLimit: 1 },
        { metric: "b", upperLimit: 1, rollback_on_failure: false },
      ]),
    );
    expect(withDefaults(blueGreen).spec.criteria?.objectives?.map((o) => o.rollback_on_failure)).toEqual([true, false]);
    expect(withDefaults(experiment()).spec.criteria?.objectives?.[0]?.rollback_on_failure).toBeUndefined();
  });

  it("counts iterations, names versions and finds the namespace", () => {
    expect(totalIterations(experiment((d) => withField(d, "spec.duration.maxLoops", 3)))).toBe(12);
    expect(totalIterations(experiment((d) => withField(d, "spec.duration", undefined)))).toBe(15);
    expect(versionNames(experiment())).toEqual(["v1", "v2"]);
    expect(versionNames(experiment((d) => withField(d, "spec.versionInfo", undefined)))).toEqual([]);
    expect(experimentNamespace(experiment())).toBe("default");
    expect(experimentNamespace(experiment((d) => withField(d, "metadata.namespace", "team-a")))).toBe("team-a");
    expect(experimentNamespace(experiment((d) => withField(d, "metadata.namespace", undefined)))).toBe("default");
  });
});

describe("withDefaults on hostile input", () => {
  it("shares deeply nested free-form JSON instead of copying it, and leaves the input alone", () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20_000; i++) deep = { next: deep };
    const input = {
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Experiment",
      metadata: { name: "deep", namespace: "default" },
      spec: {
        target: "app",
        strategy: { testingPattern: "Canary", deploymentPattern: "BlueGreen" },
        criteria: { strength: deep, objectives: [{ metric: "m", upperLimit: 1 }] },
      },
    } as Experiment;
    const before = JSON.stringify(input.spec.strategy) + JSON.stringify(input.spec.criteria?.objectives);
    const out = withDefaults(input);
    expect(out.spec.criteria?.strength).toBe(deep);
    expect(out.spec.criteria?.objectives?.[0]?.rollback_on_failure).toBe(true);
    expect(out.spec.duration).toEqual({ intervalSeconds: 20, iterationsPerLoop: 15, maxLoops: 1 });
    expect(JSON.stringify(input.spec.strategy) + JSON.stringify(input.spec.criteria?.objectives)).toBe(before);
    expect(input.spec.duration).toBeUndefined();
  });
});
