import { describe, expect, it } from "vitest";
import { cloneJson, withoutManagedFields } from "./clone-json";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests walk parsed JSON of known shape
type Json = any;

describe("cloneJson", () => {
  it("copies JSON data deeply: equal to the original, sharing no object or array with it", () => {
    const original = JSON.parse(
      '{"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"list":[1,"two",null,true,{"deep":[[3]]}]},"status":{"decisions":[{"iteration":1,"weights":[{"name":"v1","value":50}]}]}}',
    ) as Json;
    const copy = cloneJson(original);
    expect(copy).toEqual(original);
    expect(copy).toEqual(structuredClone(original));
    copy.metadata.labels.x = "changed";
    copy.spec.list[4].deep[0].push(4);
    copy.status.decisions[0].weights[0].value = 0;
    expect(original.metadata.labels.x).toBe("1");
    expect(original.spec.list[4].deep[0]).toEqual([3]);
    expect(original.status.decisions[0].weights[0].value).toBe(50);
  });

  it("keeps a \"__proto__\" key a tenant sent as an ordinary key, without changing the copy's prototype", () => {
    const original = JSON.parse('{"spec":{"__proto__":{"polluted":true},"ok":1}}') as Json;
    const copy = cloneJson(original);
    expect(Object.getPrototypeOf(copy.spec)).toBe(Object.prototype);
    expect(copy.spec.polluted).toBeUndefined();
    expect(Object.keys(copy.spec)).toEqual(["__proto__", "ok"]);
    expect(Object.getOwnPropertyDescriptor(copy.spec, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("hands values that are not plain JSON data to structuredClone", () => {
    const when = new Date("2026-01-02T03:04:05Z");
    const copy = cloneJson({ when, tags: new Map([["a", 1]]) });
    expect(copy.when).toBeInstanceOf(Date);
    expect(copy.when).not.toBe(when);
    expect(copy.when.getTime()).toBe(when.getTime());
    expect(copy.tags.get("a")).toBe(1);
  });
});

describe("withoutManagedFields", () => {
  it("drops metadata.managedFields and leaves everything else", () => {
    const object = { metadata: { name: "a", resourceVersion: "7", managedFields: [{ manager: "kubectl" }] }, spec: { x: 1 } };
    expect(withoutManagedFields(object)).toEqual({ metadata: { name: "a", resourceVersion: "7" }, spec: { x: 1 } });
    expect(withoutManagedFields({ kind: "NoMetadata" })).toEqual({ kind: "NoMetadata" });
  });
});
