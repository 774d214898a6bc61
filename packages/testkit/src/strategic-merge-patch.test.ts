import { describe, expect, it } from "vitest";
import { applyMergePatch } from "./merge-patch";
import { applyStrategicMergePatch } from "./strategic-merge-patch";

const pod = {
  metadata: { labels: { app: "web" }, finalizers: ["a"] },
  spec: {
    containers: [
      { name: "app", image: "web:1", env: [{ name: "A", value: "1" }], args: ["--x"], ports: [{ containerPort: 80 }] },
      { name: "sidecar", image: "proxy:1" },
    ],
  },
  status: { conditions: [{ type: "Ready", status: "False" }, { type: "Initialized", status: "True" }] },
};

describe("merge patch", () => {
  it("merges objects, deletes on null and replaces lists whole", () => {
    expect(applyMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] })).toEqual({ a: 1, b: { d: 3, e: 4 }, l: [3] });
  });
});

describe("strategic merge patch", () => {
  it("merges containers and env by name instead of replacing the list", () => {
    const out = applyStrategicMergePatch(pod, {
      spec: { containers: [{ name: "app", image: "web:2", env: [{ name: "B", value: "2" }] }] },
    }) as typeof pod;
    expect(out.spec.containers.map((c) => [c.name, c.image])).toEqual([
      ["app", "web:2"],
      ["sidecar", "proxy:1"],
    ]);
    expect(out.spec.containers[0]?.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
  });

  it("merges conditions by type, as status writers rely on", () => {
    const out = applyStrategicMergePatch(pod, { status: { conditions: [{ type: "Ready", status: "True" }] } }) as typeof pod;
    expect(out.status.conditions).toEqual([
      { type: "Ready", status: "True" },
      { type: "Initialized", status: "True" },
    ]);
  });

  it("replaces lists without a merge key and unions finalizers", () => {
    const out = applyStrategicMergePatch(pod, {
      metadata: { finalizers: ["b", "a"] },
      spec: { containers: [{ name: "app", args: ["--y"] }] },
    }) as typeof pod;
    expect(out.metadata.finalizers).toEqual(["a", "b"]);
    expect(out.spec.containers[0]?.args).toEqual(["--y"]);
  });

  it("honours $patch delete and replace, $deleteFromPrimitiveList and null", () => {
    const out = applyStrategicMergePatch(pod, {
      metadata: { labels: null, "$deleteFromPrimitiveList/finalizers": ["a"] },
      spec: { containers: [{ name: "sidecar", $patch: "delete" }] },
      status: { $patch: "replace", phase: "Running" },
    }) as Record<string, Record<string, unknown>>;
    expect(out.metadata).toEqual({ finalizers: [] });
    expect((out.spec?.containers as unknown[]).length).toBe(1);
    expect(out.status).toEqual({ phase: "Running" });
  });

  it("refuses list elements without their merge key", () => {
    expect(() => applyStrategicMergePatch(pod, { spec: { containers: [{ image: "x" }] } })).toThrow(/merge key: name/);
  });
});
