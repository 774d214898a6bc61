import { describe, expect, it } from "vitest";
import type { Experiment, VersionDetail } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { applyWeights } from "./apply-weights";
import { WeightsError } from "./weights-error";

function service(name: string, percent: number): KubeObject {
  return { apiVersion: "serving.knative.dev/v1", kind: "Service", metadata: { name, namespace: "apps" }, spec: { traffic: [{ percent }] } };
}

function version(name: string, object?: string): VersionDetail {
  return object ? { name, weightObjRef: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: object, fieldPath: ".spec.traffic[0].percent" } } : { name };
}

function experiment(...versions: VersionDetail[]): Experiment {
  const [baseline, ...candidates] = versions;
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "exp", namespace: "apps" },
    spec: { target: "apps/app", strategy: { testingPattern: "A/B/N" }, versionInfo: { baseline: baseline as VersionDetail, candidates } },
  };
}

const key = (name: string) => ({ kind: "Service", namespace: "apps", name });
const percentOf = (client: InMemoryResourceClient, name: string): number => (client.peek(key(name))?.spec as { traffic: { percent: number }[] }).traffic[0]?.percent ?? Number.NaN;

describe("applyWeights", () => {
  it("writes one patch per object and reports each object", async () => {
    const client = new InMemoryResourceClient([service("a", 50), service("b", 50), service("c", 0)]);
    const result = await applyWeights(client, experiment(version("v1", "a"), version("v2", "b"), version("v3", "c")), [
      { name: "v1", value: 50 },
      { name: "v2", value: 20 },
      { name: "v3", value: 30 },
    ]);
    expect(result.ok).toBe(true);
    expect(result.outcomes.map((o) => [o.target.name, o.status])).toEqual([
      ["a", "unchanged"],
      ["b", "patched"],
      ["c", "patched"],
    ]);
    expect([percentOf(client, "a"), percentOf(client, "b"), percentOf(client, "c")]).toEqual([50, 20, 30]);
  });

  it("rescales recommendations that do not add up to 100 and says so", async () => {
    const client = new InMemoryResourceClient([service("a", 50), service("b", 50)]);
    const result = await applyWeights(client, experiment(version("v1", "a"), version("v2", "b")), [
      { name: "v1", value: 33.3 },
      { name: "v2", value: 33.3 },
    ]);
    expect(result.weights).toEqual([
      { name: "v1", value: 50 },
      { name: "v2", value: 50 },
    ]);
    expect(result.warnings[0]).toContain("rescaled to 50, 50");
    expect(percentOf(client, "a") + percentOf(client, "b")).toBe(100);
  });

  it("fails before writing anything when a version with a weightObjRef has no recommendation", async () => {
    const client = new InMemoryResourceClient([service("a", 50), service("b", 50)]);
    await expect(applyWeights(client, experiment(version("v1", "a"), version("v2", "b")), [{ name: "v1", value: 100 }])).rejects.toThrow(
      'no weight recommendation provided for version "v2", whose weight lives in .spec.traffic[0].percent of Service apps/b',
    );
    expect(client.calls.filter((c) => c.method === "patch")).toHaveLength(0);
  });

  it("does not need a recommendation for the version without a weightObjRef", async () => {
    const client = new InMemoryResourceClient([service("b", 0)]);
    const result = await applyWeights(client, experiment(version("v1"), version("v2", "b")), [{ name: "v2", value: 25 }]);
    expect(result.ok).toBe(true);
    expect(percentOf(client, "b")).toBe(25);
  });

  it("retries conflicts up to maxAttempts, then reports the object as failed", async () => {
    const client = new InMemoryResourceClient([service("a", 50), service("b", 50)]);
    client.failNextPatches(3, "conflict", key("a"));
    const result = await applyWeights(client, experiment(version("v1", "a"), version("v2", "b")), [
      { name: "v1", value: 40 },
      { name: "v2", value: 60 },
    ], { maxAttempts: 3 });
    expect(result.ok).toBe(false);
    const [a, b] = result.outcomes;
    expect(a).toMatchObject({ status: "failed", attempts: 3 });
    expect(a?.status === "failed" && a.error.code).toBe("patch_conflict");
    expect(a?.status === "failed" && a.error.message).toBe("gave up writing weights to Service apps/a after 3 attempts: it changed between every read and patch");
    // Objects are independent: the other one is still written.
    expect(b).toMatchObject({ status: "patched", attempts: 1 });
    expect([percentOf(client, "a"), percentOf(client, "b")]).toEqual([50, 60]);
  });

  it("reports a rejected patch to the caller instead of swallowing it", async () => {
    const client = new InMemoryResourceClient([service("a", 50), service("b", 50)]);
    client.failNextPatches(1, "forbidden", key("b"));
    const result = await applyWeights(client, experiment(version("v1", "a"), version("v2", "b")), [
      { name: "v1", value: 40 },
      { name: "v2", value: 60 },
    ]);
    expect(result.ok).toBe(false);
    const failed = result.outcomes.find((o) => o.status === "failed");
    expect(failed?.status === "failed" && failed.error).toBeInstanceOf(WeightsError);
    expect(failed?.status === "failed" && failed.error.message).toContain('could not write the weights of "v2" to Service apps/b: injected forbidden');
    expect(failed?.attempts).toBe(1);
  });

  it("stops when cancelled", async () => {
    const client = new InMemoryResourceClient([service("a", 50), service("b", 50)]);
    const controller = new AbortController();
    controller.abort();
    const result = await applyWeights(client, experiment(version("v1", "a"), version("v2", "b")), [
      { name: "v1", value: 40 },
      { name: "v2", value: 60 },
    ], { signal: controller.signal });
    expect(result.ok).toBe(false);
    expect(percentOf(client, "a")).toBe(50);
  });
});
