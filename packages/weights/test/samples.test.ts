// Reading and writing weights in the objects of each quickstart, through the public entry points.
import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { applyWeights, readObservedWeights } from "@iter8ts/weights";
import {
  inferenceServiceExperiment,
  istioExperiment,
  istioVirtualService,
  kfservingExperiment,
  kfservingInferenceService,
  kfservingRoutingRule,
  knativeExperiment,
  knativeService,
  seldonDeployment,
  seldonExperiment,
} from "./sample-objects";

const cases: { sample: string; experiment: Experiment; object: KubeObject; read: (o: KubeObject) => unknown }[] = [
  {
    sample: "Istio VirtualService",
    experiment: istioExperiment,
    object: istioVirtualService,
    read: (o) => (o.spec as { http: { route: { weight: number }[] }[] }).http[0]?.route.map((r) => r.weight),
  },
  {
    sample: "Knative Service",
    experiment: knativeExperiment,
    object: knativeService,
    read: (o) => (o.spec as { traffic: { percent: number }[] }).traffic.map((t) => t.percent),
  },
  {
    sample: "KFServing with a VirtualService",
    experiment: kfservingExperiment,
    object: kfservingRoutingRule,
    read: (o) => (o.spec as { http: { route: { weight: number }[] }[] }).http[0]?.route.map((r) => r.weight),
  },
  {
    sample: "SeldonDeployment",
    experiment: seldonExperiment,
    object: seldonDeployment,
    read: (o) => (o.spec as { predictors: { traffic: number }[] }).predictors.map((p) => p.traffic),
  },
];

describe.each(cases)("$sample", ({ experiment, object, read }) => {
  const [baseline, candidate] = [experiment.spec.versionInfo?.baseline.name as string, experiment.spec.versionInfo?.candidates?.[0]?.name as string];

  it("reads the current split and writes a new one in one guarded patch, leaving other fields alone", async () => {
    const client = new InMemoryResourceClient([object]);
    expect(await readObservedWeights(client, experiment)).toEqual([
      { name: baseline, value: 100 },
      { name: candidate, value: 0 },
    ]);

    const result = await applyWeights(client, experiment, [
      { name: baseline, value: 90 },
      { name: candidate, value: 10 },
    ]);
    expect(result.ok).toBe(true);
    expect(result.outcomes).toHaveLength(1);
    const stored = client.peek({ kind: object.kind, namespace: object.metadata.namespace as string, name: object.metadata.name }) as KubeObject;
    expect(read(stored)).toEqual([90, 10]);
    const { spec: _before, metadata: _m1, ...restBefore } = object;
    const { spec: _after, metadata: _m2, ...restAfter } = stored;
    expect(restAfter).toEqual(restBefore);
    expect(await readObservedWeights(client, experiment)).toEqual([
      { name: baseline, value: 90 },
      { name: candidate, value: 10 },
    ]);
    const patches = client.calls.filter((c) => c.method === "patch");
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({ outcome: "applied" });
  });

  it("survives a concurrent edit of the same object by re-reading and re-planning", async () => {
    const client = new InMemoryResourceClient([object]);
    const key = { kind: object.kind, namespace: object.metadata.namespace as string, name: object.metadata.name };
    // Someone else moves traffic between our read and our patch.
    client.editBeforeNextPatch(key, (o) => {
      o.metadata.labels = { edited: "yes" };
      const text = JSON.stringify(o.spec).replace(/"(weight|percent|traffic)":100/, '"$1":60').replace(/"(weight|percent|traffic)":0/, '"$1":40');
      o.spec = JSON.parse(text);
    });
    const result = await applyWeights(client, experiment, [
      { name: baseline, value: 80 },
      { name: candidate, value: 20 },
    ]);
    expect(result.ok).toBe(true);
    expect(result.outcomes[0]).toMatchObject({ status: "patched", attempts: 2, changes: [{ from: 60, to: 80 }, { from: 40, to: 20 }] });
    const stored = client.peek(key) as KubeObject;
    expect(read(stored)).toEqual([80, 20]);
    expect(stored.metadata.labels).toEqual({ edited: "yes" });
    expect(client.calls.filter((c) => c.method === "patch").map((c) => (c as { outcome: string }).outcome)).toEqual(["conflict", "applied"]);
  });
});

describe("KFServing InferenceService with canaryTrafficPercent", () => {
  it("derives the default model's share and patches only the canary's", async () => {
    const client = new InMemoryResourceClient([kfservingInferenceService]);
    expect(await readObservedWeights(client, inferenceServiceExperiment)).toEqual([
      { name: "default", value: 100 },
      { name: "canary", value: 0 },
    ]);
    const result = await applyWeights(client, inferenceServiceExperiment, [
      { name: "default", value: 84 },
      { name: "canary", value: 16 },
    ]);
    expect(result.outcomes[0]).toMatchObject({
      status: "patched",
      operations: [
        { op: "test", path: "/spec/canaryTrafficPercent", value: 0 },
        { op: "replace", path: "/spec/canaryTrafficPercent", value: 16 },
      ],
    });
    expect(await readObservedWeights(client, inferenceServiceExperiment)).toEqual([
      { name: "default", value: 84 },
      { name: "canary", value: 16 },
    ]);
  });
});
