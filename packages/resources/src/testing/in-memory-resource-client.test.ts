import { describe, expect, it } from "vitest";
import type { KubeObject, WatchEvent } from "../resource-client";
import { ResourceError } from "../resource-error";
import { InMemoryResourceClient } from "./in-memory-resource-client";

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "apps", labels },
  status: { phase: "Pending" },
});

describe("InMemoryResourceClient", () => {
  it("bumps resourceVersion on every write and hands out copies", async () => {
    const client = new InMemoryResourceClient([pod("a")]);
    const first = await client.get({ kind: "Pod", namespace: "apps", name: "a" });
    first.status = "mutated";
    const again = await client.get({ apiVersion: "v1", kind: "Pod", namespace: "apps", name: "a" });
    expect(again.status).toEqual({ phase: "Pending" });
    const patched = await client.patch({ kind: "Pod", namespace: "apps", name: "a" }, [{ op: "replace", path: "/status/phase", value: "Running" }]);
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
  });

  it("turns a failing test into a conflict and an impossible patch into invalid, changing nothing", async () => {
    const client = new InMemoryResourceClient([pod("a")]);
    const key = { kind: "Pod", namespace: "apps", name: "a" };
    const conflict = await client.patch(key, [{ op: "test", path: "/status/phase", value: "Running" }]).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ResourceError);
    expect((conflict as ResourceError).code).toBe("conflict");
    expect((conflict as ResourceError).retryable).toBe(true);
    const invalid = await client.patch(key, [{ op: "replace", path: "/status/nope", value: 1 }]).catch((e: unknown) => e);
    expect((invalid as ResourceError).code).toBe("invalid");
    const renamed = await client.patch(key, [{ op: "replace", path: "/metadata/name", value: "b" }]).catch((e: unknown) => e);
    expect((renamed as ResourceError).code).toBe("invalid");
    expect(client.peek(key)?.metadata.name).toBe("a");
  });

  it("reports missing objects as not_found", async () => {
    const client = new InMemoryResourceClient();
    await expect(client.get({ kind: "Pod", namespace: "apps", name: "x" })).rejects.toMatchObject({ code: "not_found", message: "Pod apps/x not found" });
  });

  it("lists by namespace and label selector", async () => {
    const client = new InMemoryResourceClient([pod("a", { app: "web", tier: "front" }), pod("b", { app: "web" }), pod("c", { app: "db" })]);
    const names = async (labelSelector: string) => (await client.list({ kind: "Pod", namespace: "apps", labelSelector })).items.map((i) => i.metadata.name);
    expect(await names("app=web")).toEqual(["a", "b"]);
    expect(await names("app=web,tier")).toEqual(["a"]);
    expect(await names("app!=web")).toEqual(["c"]);
    expect(await names("!tier")).toEqual(["b", "c"]);
    expect(await names("app in (db, cache)")).toEqual(["c"]);
    await expect(names("app=")).resolves.toEqual([]);
    await expect(names("app in ()")).rejects.toMatchObject({ name: "ResourceError", code: "invalid" });
    expect((await client.list({ kind: "Pod", namespace: "other" })).items).toEqual([]);
  });

  it("streams changes after a list's resourceVersion until aborted", async () => {
    const client = new InMemoryResourceClient([pod("a")]);
    const { resourceVersion } = await client.list({ kind: "Pod" });
    client.put(pod("b"));
    const controller = new AbortController();
    const seen: WatchEvent[] = [];
    const watching = (async () => {
      for await (const event of client.watch({ kind: "Pod", resourceVersion }, { signal: controller.signal })) {
        seen.push(event);
        if (seen.length === 3) controller.abort();
      }
    })();
    await client.patch({ kind: "Pod", namespace: "apps", name: "a" }, [{ op: "replace", path: "/status/phase", value: "Running" }]);
    client.delete({ kind: "Pod", namespace: "apps", name: "b" });
    await watching;
    expect(seen.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["ADDED", "b"],
      ["MODIFIED", "a"],
      ["DELETED", "b"],
    ]);
  });

  it("lets a concurrent writer edit an object just before the next patch", async () => {
    const client = new InMemoryResourceClient([pod("a")]);
    const key = { kind: "Pod", namespace: "apps", name: "a" };
    client.editBeforeNextPatch(key, (o) => {
      o.status = { phase: "Failed" };
    });
    await expect(client.patch(key, [{ op: "test", path: "/status/phase", value: "Pending" }])).rejects.toMatchObject({ code: "conflict" });
    expect(client.peek(key)?.status).toEqual({ phase: "Failed" });
  });
});
