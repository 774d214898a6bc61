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

  it("after the first read, plans against the last patch's answer and reads the observed weights from it: one request per object", async () => {
    const client = new InMemoryResourceClient([service]);
    const writer = new ResourceWeightWriter(client);
    const observe1 = await writer.apply(experiment, [{ name: "v1", value: 70 }, { name: "v2", value: 30 }]);
    expect(await observe1()).toEqual([{ name: "v1", value: 70 }, { name: "v2", value: 30 }]);
    expect(client.calls.map((c) => c.method)).toEqual(["get", "patch"]);

    client.calls.length = 0;
    const observe2 = await writer.apply(experiment, [{ name: "v1", value: 40 }, { name: "v2", value: 60 }]);
    expect(await observe2()).toEqual([{ name: "v1", value: 40 }, { name: "v2", value: 60 }]);
    // Unchanged weights are confirmed with a test-only patch, whose answer is the object as stored now.
    const observe3 = await writer.apply(experiment, [{ name: "v1", value: 40 }, { name: "v2", value: 60 }]);
    expect(await observe3()).toEqual([{ name: "v1", value: 40 }, { name: "v2", value: 60 }]);
    expect(client.calls.map((c) => c.method)).toEqual(["patch", "patch"]);
    expect(client.calls[1]).toMatchObject({ operations: [{ op: "test", path: "/spec/traffic/0/percent", value: 40 }, { op: "test", path: "/spec/traffic/1/percent", value: 60 }] });
  });

  it("reads the object again when someone changed a weight since the last patch, and reports what it holds", async () => {
    const client = new InMemoryResourceClient([service]);
    const writer = new ResourceWeightWriter(client);
    await writer.apply(experiment, [{ name: "v1", value: 70 }, { name: "v2", value: 30 }]);
    // Another writer moves the traffic; the remembered object is now out of date.
    const current = client.peek({ kind: "Service", namespace: "default", name: "sample-app" })!;
    client.put({ ...current, spec: { traffic: [{ percent: 90 }, { percent: 10 }] } });
    client.calls.length = 0;
    const observe = await writer.apply(experiment, [{ name: "v1", value: 90 }, { name: "v2", value: 10 }]);
    expect(await observe()).toEqual([{ name: "v1", value: 90 }, { name: "v2", value: 10 }]);
    // The stale plan's tests fail (a conflict), the object is read, and nothing needs changing.
    expect(client.calls.map((c) => c.method)).toEqual(["patch", "get", "patch"]);
  });

  it("with rememberObjects 0 reads before every patch and after it (the earlier pattern)", async () => {
    const client = new InMemoryResourceClient([service]);
    const writer = new ResourceWeightWriter(client, { rememberObjects: 0 });
    for (const value of [70, 40]) {
      const observe = await writer.apply(experiment, [{ name: "v1", value }, { name: "v2", value: 100 - value }]);
      expect(await observe()).toEqual([{ name: "v1", value }, { name: "v2", value: 100 - value }]);
    }
    expect(client.calls.map((c) => c.method)).toEqual(["get", "patch", "get", "get", "patch", "get"]);
  });
});
