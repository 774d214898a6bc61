import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { ResourceWeightWriter } from "./resource-weight-writer";
import { WeightsError } from "./weights-error";

const service: KubeObject = {
  apiVersion: "serving.knative.dev/v1",
  kind: "Service",
  metadata: { name: "sample-app", namespace: "default" },
  spec: { traffic: [{ percent: 100 }, { percent: 0 }] },
};

const experiment: Experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "quickstart-exp", namespace: "default" },
  spec: {
    target: "default/sample-app",
    strategy: { testingPattern: "A/B" },
    versionInfo: {
      baseline: { name: "v1", weightObjRef: { kind: "Service", name: "sample-app", fieldPath: ".spec.traffic[0].percent" } },
      candidates: [{ name: "v2", weightObjRef: { kind: "Service", name: "sample-app", fieldPath: ".spec.traffic[1].percent" } }],
    },
  },
};

describe("ResourceWeightWriter", () => {
  it("observes and applies weights", async () => {
    const client = new InMemoryResourceClient([service]);
    const writer = new ResourceWeightWriter(client);
    await writer.apply(experiment, [
      { name: "v1", value: 70 },
      { name: "v2", value: 30 },
    ]);
    expect(await writer.observe(experiment)).toEqual([
      { name: "v1", value: 70 },
      { name: "v2", value: 30 },
    ]);
  });

  it("throws when an object could not be written, rather than only logging", async () => {
    const client = new InMemoryResourceClient([service]);
    client.failNextPatches(2, "conflict");
    const writer = new ResourceWeightWriter(client, { maxAttempts: 2 });
    const error = await writer.apply(experiment, [{ name: "v1", value: 70 }, { name: "v2", value: 30 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as WeightsError).code).toBe("patch_conflict");
    expect((error as WeightsError).message).toBe("gave up writing weights to Service default/sample-app after 2 attempts: it changed between every read and patch");
  });
});
