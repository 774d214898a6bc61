import { describe, expect, it } from "vitest";
import { ChangeType, ObjectStore } from "./object-store";

const obj = (name: string, data = "x") => ({ metadata: { name, namespace: "ns" }, data });

describe("object store", () => {
  it("stamps every write with the next resourceVersion, deletes included", () => {
    const store = new ObjectStore(10);
    const a = store.commit(ChangeType.Added, "cm", obj("a"));
    const b = store.commit(ChangeType.Modified, "cm", obj("a", "y"));
    const c = store.commit(ChangeType.Deleted, "cm", b.object);
    expect([a, b, c].map((x) => (x.object.metadata as { resourceVersion: string }).resourceVersion)).toEqual(["1", "2", "3"]);
    expect(c.previous).toEqual(b.object);
    expect(store.get("cm", "ns", "a")).toBeUndefined();
  });

  it("hands out copies, so callers cannot change stored state", () => {
    const store = new ObjectStore(10);
    store.commit(ChangeType.Added, "cm", obj("a"));
    const copy = store.get("cm", "ns", "a") as { data: string };
    copy.data = "changed";
    expect(store.get("cm", "ns", "a")).toMatchObject({ data: "x" });
  });

  it("lists in key order, per namespace or all", () => {
    const store = new ObjectStore(10);
    for (const [ns, name] of [["b", "z"], ["a", "y"], ["a", "x"]] as const) store.commit(ChangeType.Added, "cm", { metadata: { name, namespace: ns } });
    expect(store.list("cm").map((o) => (o.metadata as { name: string }).name)).toEqual(["x", "y", "z"]);
    expect(store.list("cm", "b")).toHaveLength(1);
  });

  it("replays changes from a version while they are kept, and refuses once they are not", () => {
    const store = new ObjectStore(3);
    for (let i = 0; i < 5; i++) store.commit(ChangeType.Added, "cm", obj(`o${i}`));
    expect(store.changesSince(2)?.map((c) => c.resourceVersion)).toEqual([3, 4, 5]);
    expect(store.changesSince(1)).toBeUndefined();
    store.compact();
    expect(store.changesSince(4)).toBeUndefined();
    expect(store.changesSince(5)).toEqual([]);
  });

  it("keeps counting after being cleared, so old versions stay too old", () => {
    const store = new ObjectStore(10);
    store.commit(ChangeType.Added, "cm", obj("a"));
    store.clear();
    expect(store.list("cm")).toEqual([]);
    expect(store.changesSince(0)).toBeUndefined();
    expect(store.commit(ChangeType.Added, "cm", obj("b")).resourceVersion).toBe(2);
  });
});
