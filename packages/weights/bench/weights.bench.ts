// Speed of the pure weight code and of a full read-plan-patch round over the in-memory client.
import { bench, describe } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { parseFieldPath, type KubeObject } from "@iter8ts/resources";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { applyWeights, planWeightPatch, readObservedWeights } from "@iter8ts/weights";

const routes = 10;
const virtualService: KubeObject = {
  apiVersion: "networking.istio.io/v1beta1",
  kind: "VirtualService",
  metadata: { name: "vs", namespace: "default", resourceVersion: "1" },
  spec: { http: [{ route: Array.from({ length: routes }, (_, i) => ({ destination: { host: `v${i}` }, weight: i === 0 ? 100 : 0 })) }] },
};
const versions = Array.from({ length: routes }, (_, i) => ({
  name: `v${i}`,
  weightObjRef: { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", name: "vs", fieldPath: `.spec.http[0].route[${i}].weight` },
}));
const experiment: Experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "exp", namespace: "default" },
  spec: { target: "t", strategy: { testingPattern: "A/B/N" }, versionInfo: { baseline: versions[0] as (typeof versions)[number], candidates: versions.slice(1) } },
};
const assignments = versions.map((v) => ({ version: v.name, fieldPath: parseFieldPath(v.weightObjRef.fieldPath), weight: 10 }));
let flip = false;

describe("weights", () => {
  bench("parseFieldPath .metadata.annotations['iter8.tools/x'].spec.http[0].route[1].weight", () => {
    parseFieldPath(".metadata.annotations['iter8.tools/x'].spec.http[0].route[1].weight");
  });
  bench(`planWeightPatch, ${routes} routes of one VirtualService`, () => {
    planWeightPatch(virtualService, assignments);
  });
  const client = new InMemoryResourceClient([virtualService]);
  bench(`readObservedWeights, ${routes} versions, in-memory client`, async () => {
    await readObservedWeights(client, experiment);
  });
  bench(`applyWeights, ${routes} versions, in-memory client (alternating splits)`, async () => {
    flip = !flip;
    await applyWeights(
      client,
      experiment,
      versions.map((v, i) => ({ name: v.name, value: flip ? 10 : i === 0 ? 100 : 0 })),
    );
  });
});
