import { readFileSync } from "node:fs";
import type { JsonPatchOperation } from "@iter8ts/resources";
import { describe, expect, it } from "vitest";
import { toResourceError } from "./kube-error";
import { classifyPatchRefusal, mayHaveFailedTest, unmetTests } from "./json-patch-refusal";
import { kubeErrorFromResponse } from "./to-kube-error";

const subject = "VirtualService default/routing";
// kube-apiserver v1.37.2's answer to a JSON Patch that does not apply, a failed `test` included.
const bare422 = () => kubeErrorFromResponse(subject, 422, readFileSync(new URL("./__fixtures__/json-patch-refused-422.json", import.meta.url), "utf8"));

const routing = (weights: [number, number], resourceVersion = "7") => ({
  apiVersion: "networking.istio.io/v1beta1",
  kind: "VirtualService",
  metadata: { name: "routing", namespace: "default", resourceVersion },
  spec: { http: [{ route: [{ weight: weights[0] }, { weight: weights[1] }] }] },
});

const guarded: JsonPatchOperation[] = [
  { op: "test", path: "/spec/http/0/route/0/weight", value: 50 },
  { op: "test", path: "/spec/http/0/route/1/weight", value: 50 },
  { op: "replace", path: "/spec/http/0/route/0/weight", value: 80 },
  { op: "replace", path: "/spec/http/0/route/1/weight", value: 20 },
];

describe("mayHaveFailedTest", () => {
  it("is true only for a bare 422 to a patch that tests something", () => {
    expect(mayHaveFailedTest(bare422(), guarded)).toBe(true);
    expect(mayHaveFailedTest(bare422(), guarded.filter((o) => o.op !== "test"))).toBe(false);
    // A 422 with causes comes from validating the patched object: the tests held.
    const invalidObject = kubeErrorFromResponse(subject, 422, {
      kind: "Status",
      code: 422,
      reason: "Invalid",
      message: 'VirtualService.networking.istio.io "routing" is invalid: spec.http: Invalid value',
      details: { causes: [{ reason: "FieldValueTypeInvalid", field: "spec.http" }] },
    });
    expect(mayHaveFailedTest(invalidObject, guarded)).toBe(false);
    expect(mayHaveFailedTest(kubeErrorFromResponse(subject, 409, { reason: "Conflict" }), guarded)).toBe(false);
  });
});

describe("classifyPatchRefusal", () => {
  it("calls it a retryable conflict when the object read again no longer has a tested value", () => {
    const error = classifyPatchRefusal(subject, bare422(), guarded, routing([70, 30]));
    expect(error.code).toBe("Conflict");
    expect(error.retryable).toBe(true);
    expect(error.httpStatus).toBe(422);
    expect(error.message).toContain("/spec/http/0/route/0/weight = 50, /spec/http/0/route/1/weight = 50");
    expect(error.message).toContain("read it again and retry");
    expect(toResourceError(error).code).toBe("conflict");
  });

  it("calls it a conflict when the resourceVersion a guard tested moved, or a tested path is gone", () => {
    const versionGuard: JsonPatchOperation[] = [
      { op: "test", path: "/metadata/resourceVersion", value: "7" },
      { op: "add", path: "/spec/http/0/route/0/weight", value: 80 },
    ];
    expect(classifyPatchRefusal(subject, bare422(), versionGuard, routing([50, 50], "8")).code).toBe("Conflict");
    const gone = { ...routing([50, 50]), spec: { http: [] } };
    expect(classifyPatchRefusal(subject, bare422(), guarded, gone).code).toBe("Conflict");
  });

  it("keeps it invalid and final when every tested value still holds, so no test can have failed", () => {
    const badPath: JsonPatchOperation[] = [
      { op: "test", path: "/spec/http/0/route/0/weight", value: 50 },
      { op: "replace", path: "/spec/http/3/route/0/weight", value: 80 },
    ];
    const error = classifyPatchRefusal(subject, bare422(), badPath, routing([50, 50]));
    expect(error.code).toBe("Invalid");
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^VirtualService default\/routing: the server rejected our request .*every value the patch tests still holds/);
    expect(toResourceError(error).code).toBe("invalid");
  });

  it("lists only the tests that no longer hold", () => {
    expect(unmetTests(routing([50, 10]), guarded).map((t) => t.path)).toEqual(["/spec/http/0/route/1/weight"]);
    expect(unmetTests(routing([50, 50]), guarded)).toEqual([]);
  });
});
