import { describe, expect, it } from "vitest";
import type { Experiment, ObjectReference, VersionDetail } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { applyWeights } from "./apply-weights";
import { readObservedWeights } from "./observed-weights";
import { ResourceWeightWriter } from "./resource-weight-writer";
import { ROUTING_WEIGHT_POLICY } from "./weight-ref-policy";
import { WeightsError } from "./weights-error";

const TOKEN = "c2VjcmV0LXRva2VuLTEyMzQ="; // base64 of a credential

const secret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "db-creds", namespace: "team-b" }, data: { token: TOKEN } };
const configMap: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "team-a" }, data: { weight: "40" } };

function vs(weights: unknown[]): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: { name: "vs", namespace: "team-a", resourceVersion: "1" },
    spec: { http: [{ route: weights.map((weight, i) => ({ destination: { host: `v${i}` }, weight })) }] },
  };
}

function experiment(baselineRef: ObjectReference, candidateRef?: ObjectReference): Pick<Experiment, "metadata" | "spec"> {
  const candidate: VersionDetail = candidateRef ? { name: "v2", weightObjRef: candidateRef } : { name: "v2" };
  return {
    metadata: { name: "exp", namespace: "team-a" },
    spec: { target: "team-a/app", strategy: { testingPattern: "Canary" }, versionInfo: { baseline: { name: "v1", weightObjRef: baselineRef }, candidates: [candidate] } },
  };
}

const route = (i: number): ObjectReference => ({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", name: "vs", fieldPath: `.spec.http[0].route[${i}].weight` });

async function failure(promise: Promise<unknown>): Promise<WeightsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WeightsError) return error;
    throw error;
  }
  throw new Error("expected a WeightsError");
}

describe("the routing weight policy", () => {
  it("refuses a weightObjRef to a Secret before reading it, naming the field, and never shows the Secret's value", async () => {
    const client = new InMemoryResourceClient([secret]);
    const writer = new ResourceWeightWriter(client, { policy: ROUTING_WEIGHT_POLICY });
    const ref = { apiVersion: "v1", kind: "Secret", namespace: "team-b", name: "db-creds", fieldPath: ".data.token" };
    const observed = await failure(writer.observe(experiment(route(0), ref) as Experiment));
    expect(observed.code).toBe("invalid_weight_ref");
    expect(observed.retryable).toBe(false);
    expect(observed.message).toMatch(
      /^spec\.versionInfo\.candidates\[0\]\.weightObjRef names Secret team-b\/db-creds, which is not a routing kind whose weights this controller reads or writes; spec\.versionInfo\.candidates\[0\]\.weightObjRef\.kind must be one of VirtualService \(networking\.istio\.io\), Service \(serving\.knative\.dev\)/,
    );
    expect(observed.message).not.toContain(TOKEN);
    const applied = await failure(writer.apply(experiment(route(0), ref) as Experiment, [{ name: "v1", value: 50 }, { name: "v2", value: 50 }]));
    expect(applied.code).toBe("invalid_weight_ref");
    expect(client.calls).toEqual([]);
  });

  it("refuses any other kind, also without an apiVersion", async () => {
    const client = new InMemoryResourceClient([configMap]);
    const error = await failure(
      readObservedWeights(client, experiment({ kind: "ConfigMap", name: "cm", fieldPath: ".data.weight" }), { policy: ROUTING_WEIGHT_POLICY }),
    );
    expect(error.message).toContain("spec.versionInfo.baseline.weightObjRef names ConfigMap team-a/cm, which is not a routing kind");
    expect(client.calls).toEqual([]);
  });

  it("refuses a routing kind of an unknown group", async () => {
    const error = await failure(
      readObservedWeights(new InMemoryResourceClient([]), experiment({ ...route(0), apiVersion: "example.com/v1" }), { policy: ROUTING_WEIGHT_POLICY }),
    );
    expect(error.message).toContain("names VirtualService team-a/vs (example.com), which is not a routing kind");
  });

  it("refuses a fieldPath outside .spec", async () => {
    const error = await failure(
      readObservedWeights(new InMemoryResourceClient([vs([100, 0])]), experiment({ ...route(0), fieldPath: ".metadata.labels.weight" }), { policy: ROUTING_WEIGHT_POLICY }),
    );
    expect(error.code).toBe("invalid_field_path");
    expect(error.message).toBe(
      'spec.versionInfo.baseline.weightObjRef.fieldPath ".metadata.labels.weight" is not under .spec; a weight is a field of the routing object\'s spec, e.g. .spec.http[0].route[1].weight',
    );
  });

  it("refuses an integer field under .spec that is not the kind's weight field", async () => {
    const error = await failure(
      readObservedWeights(new InMemoryResourceClient([vs([100, 0])]), experiment({ ...route(0), fieldPath: ".spec.http[0].route[0].destination.port.number" }), { policy: ROUTING_WEIGHT_POLICY }),
    );
    expect(error.code).toBe("invalid_field_path");
    expect(error.message).toBe(
      'spec.versionInfo.baseline.weightObjRef.fieldPath ".spec.http[0].route[0].destination.port.number" is not a weight field of VirtualService; its weight fields are named "weight", e.g. .spec.http[0].route[1].weight',
    );
  });

  it("reads and writes integer weights of a routing object", async () => {
    const client = new InMemoryResourceClient([vs([100, 0])]);
    const writer = new ResourceWeightWriter(client, { policy: ROUTING_WEIGHT_POLICY });
    const e = experiment(route(0), route(1)) as Experiment;
    expect(await writer.observe(e)).toEqual([{ name: "v1", value: 100 }, { name: "v2", value: 0 }]);
    await writer.apply(e, [{ name: "v1", value: 60 }, { name: "v2", value: 40 }]);
    expect(await writer.observe(e)).toEqual([{ name: "v1", value: 60 }, { name: "v2", value: 40 }]);
  });

  it("refuses a weight field holding anything but an integer, without showing it", async () => {
    const client = new InMemoryResourceClient([vs(["s3cr3t-42", 0])]);
    const read = await failure(readObservedWeights(client, experiment(route(0), route(1)), { policy: ROUTING_WEIGHT_POLICY }));
    expect(read.code).toBe("weight_not_integer");
    expect(read.message).toBe('the weight of version "v1" at .spec.http[0].route[0].weight of VirtualService team-a/vs holds a string, not a whole number; point fieldPath at a numeric weight field');
    const result = await applyWeights(client, experiment(route(0), route(1)), [{ name: "v1", value: 50 }, { name: "v2", value: 50 }], { policy: ROUTING_WEIGHT_POLICY });
    const outcome = result.outcomes[0];
    expect(outcome?.status).toBe("failed");
    const message = outcome?.status === "failed" ? outcome.error.message : "";
    expect(message).toContain("holds a string, not an integer");
    expect(message).not.toContain("s3cr3t");
  });

  it("creates an absent weight field under .spec, as the original does", async () => {
    const object = vs([100]);
    const client = new InMemoryResourceClient([object]);
    const result = await applyWeights(client, experiment(route(0), route(1)), [{ name: "v1", value: 70 }, { name: "v2", value: 30 }], { policy: ROUTING_WEIGHT_POLICY });
    expect(result.ok).toBe(false); // route[1] does not exist: an element cannot be created
    const withField = vs([100]);
    (withField.spec as { http: Array<{ route: Array<Record<string, unknown>> }> }).http[0]!.route.push({ destination: { host: "v1" } });
    const client2 = new InMemoryResourceClient([withField]);
    const created = await applyWeights(client2, experiment(route(0), route(1)), [{ name: "v1", value: 70 }, { name: "v2", value: 30 }], { policy: ROUTING_WEIGHT_POLICY });
    expect(created.ok).toBe(true);
  });
});
