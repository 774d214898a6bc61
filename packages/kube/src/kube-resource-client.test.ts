import type { KubeTestServer } from "@iter8ts/testkit";
import { isResourceError, type ResourceClient, type WatchEvent } from "@iter8ts/resources";
import { applyWeights } from "@iter8ts/weights";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eventually, impatientClients, startCluster, virtualService } from "../test/support";
import type { KubeClients } from "./create-kube-clients";
import { KubeResourceClient } from "./kube-resource-client";

let server: KubeTestServer;
let clients: KubeClients;
let client: KubeResourceClient;

const vsKey = (name: string) => ({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "default", name });

beforeAll(async () => {
  ({ server, clients } = await startCluster());
  client = new KubeResourceClient(clients);
  server.create(virtualService("routing"));
});

afterAll(async () => {
  await server.close();
});

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (isResourceError(error)) return error;
    throw error;
  }
  throw new Error("the call succeeded");
}

describe("get", () => {
  it("reads a custom resource as the plain JSON the server sent", async () => {
    const vs = await client.get(vsKey("routing"));
    expect(vs.spec).toEqual(virtualService("routing").spec);
    expect(typeof vs.metadata.creationTimestamp).toBe("string");
    expect(vs.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it("finds the apiVersion through discovery when only the kind is given", async () => {
    server.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default" }, data: { a: "1" } });
    expect((await client.get({ kind: "ConfigMap", namespace: "default", name: "settings" })).data).toEqual({ a: "1" });
    const vs = await client.get({ kind: "VirtualService", namespace: "default", name: "routing" });
    expect(vs.kind).toBe("VirtualService");
  });

  it("reports a missing object as not_found naming it, and not retryable", async () => {
    const error = await failure(client.get(vsKey("missing")));
    expect(error.code).toBe("not_found");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("VirtualService.networking.istio.io/v1beta1 default/missing");
  });

  it("reports a kind the server does not serve as not_found with a hint to install its CRD", async () => {
    const error = await failure(client.get({ apiVersion: "example.com/v1", kind: "Widget", namespace: "default", name: "w" }));
    expect(error.code).toBe("not_found");
    expect(error.message).toMatch(/CustomResourceDefinition/);
    const unknownKind = await failure(client.get({ apiVersion: "networking.istio.io/v1beta1", kind: "Widget", namespace: "default", name: "w" }));
    expect(unknownKind.code).toBe("not_found");
  });
});

describe("patch", () => {
  it("applies a JSON Patch guarded by test operations", async () => {
    server.create(virtualService("guarded"));
    const patched = await client.patch(vsKey("guarded"), [
      { op: "test", path: "/spec/http/0/route/0/weight", value: 100 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 70 },
      { op: "test", path: "/spec/http/0/route/1/weight", value: 0 },
      { op: "replace", path: "/spec/http/0/route/1/weight", value: 30 },
    ]);
    expect((patched.spec as { http: Array<{ route: Array<{ weight: number }> }> }).http[0]!.route.map((r) => r.weight)).toEqual([70, 30]);
    const request = server.requests().filter((r) => r.verb === "patch").at(-1);
    expect(request?.contentType).toBe("application/json-patch+json");
  });

  it("reports a failed test operation as a retryable conflict and changes nothing", async () => {
    server.create(virtualService("stale"));
    const error = await failure(
      client.patch(vsKey("stale"), [
        { op: "test", path: "/spec/http/0/route/0/weight", value: 50 },
        { op: "replace", path: "/spec/http/0/route/0/weight", value: 10 },
      ]),
    );
    expect(error.code).toBe("conflict");
    expect(error.retryable).toBe(true);
    expect((await client.get(vsKey("stale"))).spec).toEqual(virtualService("stale").spec);
  });

  it("reports a patch the server cannot apply as invalid and final", async () => {
    const error = await failure(client.patch(vsKey("routing"), [{ op: "replace", path: "/spec/http/5/route/0/weight", value: 1 }]));
    expect(error.code).toBe("invalid");
    expect(error.retryable).toBe(false);
  });

  it("reports injected 409s as conflicts and 503s as unavailable, both retryable", async () => {
    const conflict = server.faults.conflicts(1, { resources: ["virtualservices"], times: 1 });
    expect((await failure(client.patch(vsKey("routing"), [{ op: "test", path: "/kind", value: "VirtualService" }]))).code).toBe("conflict");
    expect(conflict.triggered).toBe(1);
    server.faults.add({ verbs: ["get"], resources: ["virtualservices"], respond: "ServiceUnavailable", times: 1 });
    const unavailable = await failure(client.get(vsKey("routing")));
    expect(unavailable.code).toBe("unavailable");
    expect(unavailable.retryable).toBe(true);
  });

  it("lets the weights package write weights with its guarded patches", async () => {
    server.create(virtualService("split"));
    const ref = (i: number) => ({ ...vsKey("split"), fieldPath: `.spec.http[0].route[${i}].weight` });
    const experiment = {
      apiVersion: "iter8.tools/v2alpha2" as const,
      kind: "Experiment" as const,
      metadata: { name: "e", namespace: "default" },
      spec: {
        target: "default/productpage",
        strategy: { testingPattern: "Canary" as const },
        versionInfo: { baseline: { name: "v1", weightObjRef: ref(0) }, candidates: [{ name: "v2", weightObjRef: ref(1) }] },
      },
    };
    // Another writer moves the weights between the planner's read and its first patch.
    let raced = false;
    const racingClient: ResourceClient = {
      get: (key, options) => client.get(key, options),
      list: (query, options) => client.list(query, options),
      patch: (key, operations, options) => {
        if (!raced) {
          raced = true;
          const current = server.get("networking.istio.io/v1beta1", "VirtualService", "split");
          server.replace({ ...virtualService("split", [90, 10]), metadata: current.metadata });
        }
        return client.patch(key, operations, options);
      },
    };
    const racing = applyWeights(racingClient, experiment, [
      { name: "v1", value: 60 },
      { name: "v2", value: 40 },
    ]);
    const result = await racing;
    expect(result.ok).toBe(true);
    expect(raced).toBe(true);
    expect(server.requests().filter((r) => r.verb === "patch" && r.name === "split").map((r) => r.status)).toEqual([422, 200]);
    const vs = await client.get(vsKey("split"));
    expect((vs.spec as { http: Array<{ route: Array<{ weight: number }> }> }).http[0]!.route.map((r) => r.weight)).toEqual([60, 40]);
  });
});

describe("list and watch", () => {
  it("lists across pages with a label selector, filling in apiVersion and kind", async () => {
    for (let i = 0; i < 5; i++) {
      server.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `page-${i}`, namespace: "default", labels: { paged: "yes" } } });
    }
    const paged = new KubeResourceClient(clients, { pageSize: 2 });
    const list = await paged.list({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", labelSelector: "paged=yes" });
    expect(list.items.map((o) => o.metadata.name).sort()).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4"]);
    expect(list.items.every((o) => o.apiVersion === "v1" && o.kind === "ConfigMap")).toBe(true);
    expect(list.resourceVersion).toMatch(/^\d+$/);
    expect(server.requests().filter((r) => r.verb === "list" && r.query.labelSelector === "paged=yes")).toHaveLength(3);
  });

  it("watches changes after a listed resourceVersion until aborted", async () => {
    const list = await client.list({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "default" });
    const controller = new AbortController();
    const seen: WatchEvent[] = [];
    const watching = (async () => {
      for await (const event of client.watch({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "default", resourceVersion: list.resourceVersion }, { signal: controller.signal })) {
        seen.push(event);
      }
    })();
    server.create(virtualService("watched"));
    await client.patch(vsKey("watched"), [{ op: "replace", path: "/spec/hosts/0", value: "reviews" }]);
    server.delete("networking.istio.io/v1beta1", "VirtualService", "watched");
    await vi.waitFor(() => expect(seen).toHaveLength(3), eventually);
    controller.abort();
    await watching;
    expect(seen.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["ADDED", "watched"],
      ["MODIFIED", "watched"],
      ["DELETED", "watched"],
    ]);
  });

  it("ends a watch from a forgotten resourceVersion with a conflict, so the caller lists again", async () => {
    const list = await client.list({ apiVersion: "v1", kind: "ConfigMap", namespace: "default" });
    server.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "after", namespace: "default" } });
    server.compact();
    const error = await failure(
      (async () => {
        for await (const _ of client.watch({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", resourceVersion: list.resourceVersion })) {
          // nothing arrives before the error
        }
      })(),
    );
    expect(error.code).toBe("conflict");
    expect(error.message).toMatch(/list again/);
  });
});

describe("a server that is down", () => {
  it("answers unavailable (retryable) instead of hanging", async () => {
    const { KubeTestServer } = await import("@iter8ts/testkit");
    const other = await KubeTestServer.start({ jobs: false });
    const downClient = new KubeResourceClient(impatientClients(other));
    await other.close();
    const error = await failure(downClient.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "x" }));
    expect(error.code).toBe("unavailable");
    expect(error.retryable).toBe(true);
  });
});
