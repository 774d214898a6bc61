import { describe, expect, it } from "vitest";
import { applyJsonPatch, parseFieldPath, type KubeObject } from "@iter8ts/resources";
import { planWeightPatch } from "./plan-weight-patch";

const object: KubeObject = {
  apiVersion: "networking.istio.io/v1beta1",
  kind: "VirtualService",
  metadata: { name: "vs", namespace: "apps", resourceVersion: "41" },
  spec: { http: [{ route: [{ weight: 70 }, { weight: 30 }, { weight: "0" }, {}] }] },
};

function at(index: number, weight: number, version = `v${index}`) {
  return { version, fieldPath: parseFieldPath(`.spec.http[0].route[${index}].weight`), weight };
}

describe("planWeightPatch", () => {
  it("tests each old value before replacing it, in one patch", () => {
    const plan = planWeightPatch(object, [at(0, 60), at(1, 40)]);
    expect(plan.operations).toEqual([
      { op: "test", path: "/spec/http/0/route/0/weight", value: 70 },
      { op: "test", path: "/spec/http/0/route/1/weight", value: 30 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 60 },
      { op: "replace", path: "/spec/http/0/route/1/weight", value: 40 },
    ]);
    expect(plan.changes).toEqual([
      { version: "v0", fieldPath: ".spec.http[0].route[0].weight", from: 70, to: 60 },
      { version: "v1", fieldPath: ".spec.http[0].route[1].weight", from: 30, to: 40 },
    ]);
  });

  it("leaves fields that already hold their weight alone, and plans nothing when all do", () => {
    expect(planWeightPatch(object, [at(0, 70), at(1, 30)])).toEqual({ operations: [], changes: [] });
    expect(planWeightPatch(object, [at(0, 70), at(1, 20)]).operations).toHaveLength(2);
  });

  it("keeps a numeric string a string", () => {
    const plan = planWeightPatch(object, [at(2, 5)]);
    expect(plan.operations).toContainEqual({ op: "replace", path: "/spec/http/0/route/2/weight", value: "5" });
  });

  it("creates a missing field under a resourceVersion guard", () => {
    const plan = planWeightPatch(object, [at(3, 10), at(0, 60)]);
    expect(plan.operations).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "41" },
      { op: "test", path: "/spec/http/0/route/0/weight", value: 70 },
      { op: "add", path: "/spec/http/0/route/3/weight", value: 10 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 60 },
    ]);
  });

  it("produces a patch that applies to the object it was planned from, and not to a changed one", () => {
    const plan = planWeightPatch(object, [at(0, 60), at(1, 40)]);
    const patched = applyJsonPatch(object, plan.operations);
    expect((patched.spec as { http: { route: { weight?: unknown }[] }[] }).http[0]?.route.map((r) => r.weight)).toEqual([60, 40, "0", undefined]);
    const changed = applyJsonPatch(object, [{ op: "replace", path: "/spec/http/0/route/1/weight", value: 35 }]);
    expect(() => applyJsonPatch(changed, plan.operations)).toThrow(/expected 30, found 35/);
  });

  it("refuses a field whose parent does not exist, naming the version and the object", () => {
    expect(() => planWeightPatch(object, [{ version: "canary", fieldPath: parseFieldPath(".spec.http[1].route[0].weight"), weight: 5 }])).toThrow(
      'cannot set the weight of version "canary": VirtualService apps/vs has no .spec.http[1].route[0] object to hold .spec.http[1].route[0].weight',
    );
  });
});
