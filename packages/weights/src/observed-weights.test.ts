import { describe, expect, it } from "vitest";
import type { Experiment, VersionDetail } from "@iter8ts/types";
import { ResourceError, type KubeObject } from "@iter8ts/resources";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { deriveObservedWeights, readObservedWeights, weightFromField } from "./observed-weights";
import { WeightsError } from "./weights-error";

function vs(weights: unknown[]): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: { name: "vs", namespace: "apps" },
    spec: { http: [{ route: weights.map((weight, i) => ({ destination: { host: `v${i}` }, weight })) }] },
  };
}

function ref(index: number) {
  return { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", name: "vs", fieldPath: `.spec.http[0].route[${index}].weight` };
}

function experiment(versions: VersionDetail[], deploymentPattern: "Progressive" | "FixedSplit" = "Progressive"): Experiment {
  const [baseline, ...candidates] = versions;
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "exp", namespace: "apps" },
    spec: { target: "apps/app", strategy: { testingPattern: "A/B/N", deploymentPattern }, versionInfo: { baseline: baseline as VersionDetail, candidates } },
  };
}

async function failure(promise: Promise<unknown>): Promise<WeightsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WeightsError) return error;
    throw error;
  }
  throw new Error("expected a WeightsError");
}

describe("deriveObservedWeights", () => {
  it("reports observed values verbatim when every version has a reference and they add up to 100", () => {
    expect(deriveObservedWeights([{ name: "baseline", observed: 3 }, { name: "candidate", observed: 97 }])).toEqual([
      { name: "baseline", value: 3 },
      { name: "candidate", value: 97 },
    ]);
  });

  it("refuses weights that cannot be a split of the traffic: a sum other than 100 when every version has a reference", () => {
    for (const [a, b] of [[70, 70], [3, 3], [0, 0]]) {
      expect(() => deriveObservedWeights([{ name: "baseline", observed: a! }, { name: "candidate", observed: b! }]), `${a} + ${b}`).toThrow(
        expect.objectContaining({ code: "weights_not_100", message: expect.stringContaining(`add up to ${a! + b!}, not 100`) }),
      );
    }
  });

  it("refuses observed weights above 100 with FixedSplit, whose versions without a reference are left out", () => {
    const versions = [{ name: "a", observed: 60 }, { name: "b", observed: 60 }, { name: "c" }, { name: "d" }];
    expect(() => deriveObservedWeights(versions, "FixedSplit")).toThrow(expect.objectContaining({ code: "weights_exceed_100", message: expect.stringMatching(/add up to 120, more than 100/) }));
    expect(deriveObservedWeights([{ name: "a", observed: 60 }, { name: "b", observed: 10 }, { name: "c" }, { name: "d" }], "FixedSplit")).toEqual([
      { name: "a", value: 60 },
      { name: "b", value: 10 },
    ]);
  });

  it("refuses a negative weight, naming the version", () => {
    expect(() => deriveObservedWeights([{ name: "a", observed: 120 }, { name: "b", observed: -20 }])).toThrow(
      expect.objectContaining({ code: "negative_weight", message: expect.stringMatching(/^the weight of version "b" is -20/) }),
    );
    expect(() => deriveObservedWeights([{ name: "a", observed: -5 }, { name: "b" }])).toThrow(expect.objectContaining({ code: "negative_weight" }));
  });

  it("gives the one version without a reference 100 minus the rest, in its own place", () => {
    expect(deriveObservedWeights([{ name: "baseline", observed: 3 }, { name: "candidate" }])).toEqual([
      { name: "baseline", value: 3 },
      { name: "candidate", value: 97 },
    ]);
    // The original appended the derived weight last, so it paired 70 with the baseline here.
    expect(deriveObservedWeights([{ name: "baseline" }, { name: "candidate", observed: 30 }])).toEqual([
      { name: "baseline", value: 70 },
      { name: "candidate", value: 30 },
    ]);
  });

  it("rejects two versions without a reference unless the split is fixed", () => {
    const versions = [{ name: "baseline", observed: 3 }, { name: "candidate" }, { name: "candidate2" }];
    expect(() => deriveObservedWeights(versions)).toThrow(
      /^unable to read version weights; insufficient number of weightObjectRef specified: versions "candidate", "candidate2" have no weightObjRef/,
    );
    expect(deriveObservedWeights(versions, "FixedSplit")).toEqual([{ name: "baseline", value: 3 }]);
  });

  it("refuses a negative remainder", () => {
    expect(() => deriveObservedWeights([{ name: "a", observed: 70 }, { name: "b", observed: 40 }, { name: "c" }])).toThrow(/add up to 110, more than 100.*"c"/);
  });
});

describe("weightFromField", () => {
  it("accepts whole numbers and strings of digits only", () => {
    expect(weightFromField(40)).toBe(40);
    expect(weightFromField("40")).toBe(40);
    expect(weightFromField(" 7 ")).toBe(7);
    expect(weightFromField(40.5)).toBeUndefined();
    expect(weightFromField("40%")).toBeUndefined();
    expect(weightFromField(true)).toBeUndefined();
    expect(weightFromField(2 ** 31)).toBeUndefined();
  });
});

describe("readObservedWeights", () => {
  it("reads every version's field from a shared object with one read", async () => {
    const client = new InMemoryResourceClient([vs([20, 30, 50])]);
    const exp = experiment([
      { name: "v1", weightObjRef: ref(0) },
      { name: "v2", weightObjRef: ref(1) },
      { name: "v3", weightObjRef: ref(2) },
    ]);
    expect(await readObservedWeights(client, exp)).toEqual([
      { name: "v1", value: 20 },
      { name: "v2", value: 30 },
      { name: "v3", value: 50 },
    ]);
    expect(client.calls.filter((c) => c.method === "get")).toHaveLength(1);
  });

  it("matches by name when only the candidate has a weightObjRef", async () => {
    const client = new InMemoryResourceClient([vs([0, 25])]);
    const exp = experiment([{ name: "stable" }, { name: "canary", weightObjRef: ref(1) }]);
    expect(await readObservedWeights(client, exp)).toEqual([
      { name: "stable", value: 75 },
      { name: "canary", value: 25 },
    ]);
  });

  it("names the version and the object when the object is missing", async () => {
    const error = await failure(readObservedWeights(new InMemoryResourceClient(), experiment([{ name: "v1", weightObjRef: ref(0) }, { name: "v2" }])));
    expect(error.code).toBe("weight_unreadable");
    expect(error.message).toBe('cannot read the weight of version "v1" from VirtualService apps/vs: the object does not exist');
  });

  it("names the version, the field and what is missing when the field is absent", async () => {
    const client = new InMemoryResourceClient([vs([100])]);
    const error = await failure(readObservedWeights(client, experiment([{ name: "v1", weightObjRef: ref(0) }, { name: "v2", weightObjRef: ref(1) }])));
    expect(error.code).toBe("weight_unreadable");
    expect(error.message).toContain('version "v2" at .spec.http[0].route[1].weight of VirtualService apps/vs: .spec.http[0].route has no element [1]');
  });

  it("rejects a weight that is not a whole number", async () => {
    const client = new InMemoryResourceClient([vs([99.5, "half"])]);
    const error = await failure(readObservedWeights(client, experiment([{ name: "v1", weightObjRef: ref(0) }, { name: "v2" }])));
    expect(error.code).toBe("weight_not_integer");
    expect(error.message).toContain('version "v1" at .spec.http[0].route[0].weight of VirtualService apps/vs holds a fractional number, not a whole number');
    expect(error.message).not.toContain("99.5");
  });

  it("fails on two missing references before reading anything, except with FixedSplit", async () => {
    const client = new InMemoryResourceClient([vs([3])]);
    const versions = [{ name: "baseline", weightObjRef: ref(0) }, { name: "candidate" }, { name: "candidate2" }];
    const error = await failure(readObservedWeights(client, experiment(versions)));
    expect(error.code).toBe("missing_weight_refs");
    expect(client.calls).toHaveLength(0);
    expect(await readObservedWeights(client, experiment(versions, "FixedSplit"))).toEqual([{ name: "baseline", value: 3 }]);
  });

  it("rejects a weightObjRef without a fieldPath or with a malformed one, naming the version", async () => {
    const client = new InMemoryResourceClient([vs([3])]);
    const noPath = await failure(readObservedWeights(client, experiment([{ name: "v1", weightObjRef: { kind: "VirtualService", name: "vs" } }, { name: "v2" }])));
    expect(noPath.code).toBe("invalid_weight_ref");
    expect(noPath.message).toContain('version "v1": weightObjRef of VirtualService apps/vs has no fieldPath');
    const badPath = await failure(
      readObservedWeights(client, experiment([{ name: "v1", weightObjRef: { kind: "VirtualService", name: "vs", fieldPath: ".spec.http[0" } }, { name: "v2" }])),
    );
    expect(badPath.code).toBe("invalid_field_path");
    expect(badPath.message).toMatch(/^version "v1", VirtualService apps\/vs: field path ".spec.http\[0" is malformed at position 12/);
  });

  it("fails weights that add up to more than 100, naming each object, field and the sum, without retrying", async () => {
    const client = new InMemoryResourceClient([vs([70, 70])]);
    const error = await failure(readObservedWeights(client, experiment([{ name: "v1", weightObjRef: ref(0) }, { name: "v2", weightObjRef: ref(1) }])));
    expect(error.code).toBe("weights_not_100");
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'the observed weights add up to 140, not 100: "v1" 70 at .spec.http[0].route[0].weight of VirtualService apps/vs, ' +
        '"v2" 70 at .spec.http[0].route[1].weight of VirtualService apps/vs; every version has a weightObjRef, so its weights must be the whole split of the traffic: ' +
        "fix the weights in the objects, or point each fieldPath at its version's weight",
    );
  });

  it("reads each version's own field when two versions share a name, leaving the name to the version checks", async () => {
    const client = new InMemoryResourceClient([vs([100, 0])]);
    expect(await readObservedWeights(client, experiment([{ name: "v1", weightObjRef: ref(0) }, { name: "v1", weightObjRef: ref(1) }]))).toEqual([
      { name: "v1", value: 100 },
      { name: "v1", value: 0 },
    ]);
  });

  it("names the objects when the version without a reference would get a negative share", async () => {
    const client = new InMemoryResourceClient([vs([70, 50])]);
    const error = await failure(readObservedWeights(client, experiment([{ name: "v1", weightObjRef: ref(0) }, { name: "v2", weightObjRef: ref(1) }, { name: "v3" }], "Progressive")));
    expect(error.code).toBe("weights_exceed_100");
    expect(error.message).toContain('"v1" 70 at .spec.http[0].route[0].weight of VirtualService apps/vs, "v2" 50 at .spec.http[0].route[1].weight of VirtualService apps/vs add up to 120');
  });

  it("marks a transient API failure as retryable", async () => {
    const client = new InMemoryResourceClient([vs([3])]);
    client.get = async () => {
      throw new ResourceError("unavailable", "connection refused");
    };
    const error = await failure(readObservedWeights(client, experiment([{ name: "v1", weightObjRef: ref(0) }, { name: "v2" }])));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("connection refused");
  });
});
