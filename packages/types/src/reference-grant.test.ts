import { describe, expect, it } from "vitest";
import { ReferenceGrantSchema, apiGroupOf, referenceGranted, type ReferenceGrant } from "./reference-grant";

function grant(namespace: string, spec: ReferenceGrant["spec"]): ReferenceGrant {
  return { apiVersion: "iter8.tools/v2alpha2", kind: "ReferenceGrant", metadata: { name: "g", namespace }, spec };
}

const vs = { fromNamespace: "team-a", group: "networking.istio.io", kind: "VirtualService", namespace: "team-b", name: "reviews" };

describe("referenceGranted", () => {
  it("needs no grant inside one namespace", () => {
    expect(referenceGranted([], { ...vs, fromNamespace: "team-b" })).toBe(true);
  });

  it("refuses another namespace's object without a grant", () => {
    expect(referenceGranted([], vs)).toBe(false);
  });

  it("lets in a reference named by a grant of the referred namespace: from the namespace or *, the group and kind, the name if given", () => {
    const to = [{ group: "networking.istio.io", kind: "VirtualService" }];
    expect(referenceGranted([grant("team-b", { from: [{ namespace: "team-a" }], to })], vs)).toBe(true);
    expect(referenceGranted([grant("team-b", { from: [{ namespace: "*" }], to })], vs)).toBe(true);
    expect(referenceGranted([grant("team-b", { from: [{ namespace: "team-a" }], to: [{ ...to[0]!, name: "reviews" }] })], vs)).toBe(true);
  });

  it("refuses when the grant names another namespace, kind, group or name, or lives in another namespace", () => {
    const to = [{ group: "networking.istio.io", kind: "VirtualService" }];
    expect(referenceGranted([grant("team-b", { from: [{ namespace: "team-c" }], to })], vs)).toBe(false);
    expect(referenceGranted([grant("team-b", { from: [{ namespace: "team-a" }], to: [{ group: "iter8.tools", kind: "Metric" }] })], vs)).toBe(false);
    expect(referenceGranted([grant("team-b", { from: [{ namespace: "team-a" }], to: [{ group: "example.com", kind: "VirtualService" }] })], vs)).toBe(false);
    expect(referenceGranted([grant("team-b", { from: [{ namespace: "team-a" }], to: [{ ...to[0]!, name: "ratings" }] })], vs)).toBe(false);
    // team-a cannot consent on team-b's behalf.
    expect(referenceGranted([grant("team-a", { from: [{ namespace: "*" }], to })], vs)).toBe(false);
  });

  it("matches a reference without an apiVersion by kind", () => {
    const to = [{ group: "networking.istio.io", kind: "VirtualService" }];
    expect(referenceGranted([grant("team-b", { from: [{ namespace: "team-a" }], to })], { ...vs, group: undefined })).toBe(true);
  });
});

describe("ReferenceGrantSchema", () => {
  it("needs at least one from and one to, each with its required fields", () => {
    expect(ReferenceGrantSchema.safeParse(grant("b", { from: [{ namespace: "a" }], to: [{ group: "", kind: "Service" }] })).success).toBe(true);
    expect(ReferenceGrantSchema.safeParse(grant("b", { from: [], to: [{ group: "", kind: "Service" }] })).success).toBe(false);
    expect(ReferenceGrantSchema.safeParse({ spec: { from: [{ namespace: "a" }], to: [{ kind: "Metric" }] } }).success).toBe(false);
  });
});

describe("apiGroupOf", () => {
  it("is the part before the slash, or the core group", () => {
    expect(apiGroupOf("networking.istio.io/v1beta1")).toBe("networking.istio.io");
    expect(apiGroupOf("v1")).toBe("");
  });
});
