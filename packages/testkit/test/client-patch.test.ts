import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeTestServer, makeKubeConfig } from "../src/index";
import { experiment, experiments, statusOf } from "./kube-fixtures";

let server: KubeTestServer;
let core: CoreV1Api;
let custom: CustomObjectsApi;

const virtualServices = { group: "networking.istio.io", version: "v1beta1", namespace: "default", plural: "virtualservices" } as const;

beforeAll(async () => {
  server = await KubeTestServer.start({ jobs: false });
  const kc = makeKubeConfig(server);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    ...virtualServices,
    body: {
      apiVersion: "networking.istio.io/v1beta1",
      kind: "VirtualService",
      metadata: { name: "routing" },
      spec: { hosts: ["example.com"], http: [{ route: [{ destination: { host: "v1" }, weight: 100 }, { destination: { host: "v2" }, weight: 0 }] }] },
    },
  });
});

afterAll(async () => {
  await server.close();
});

function lastPatch() {
  return server.requests().filter((r) => r.method === "PATCH").at(-1);
}

describe("patches from client-node", () => {
  it("sends JSON patch by default from the generated APIs, and applies guarded weight changes", async () => {
    const patched = await custom.patchNamespacedCustomObject({
      ...virtualServices,
      name: "routing",
      body: [
        { op: "test", path: "/spec/http/0/route/0/weight", value: 100 },
        { op: "replace", path: "/spec/http/0/route/0/weight", value: 70 },
        { op: "replace", path: "/spec/http/0/route/1/weight", value: 30 },
      ],
    });
    expect(lastPatch()?.contentType).toBe("application/json-patch+json");
    expect(patched.spec.http[0].route.map((r: { weight: number }) => r.weight)).toEqual([70, 30]);
  });

  it("answers a failed test op with 422 and leaves the object as it was", async () => {
    const before = server.get("networking.istio.io/v1beta1", "VirtualService", "routing");
    const { code, body } = await statusOf(
      custom.patchNamespacedCustomObject({
        ...virtualServices,
        name: "routing",
        body: [
          { op: "test", path: "/spec/http/0/route/0/weight", value: 100 },
          { op: "replace", path: "/spec/http/0/route/0/weight", value: 0 },
        ],
      }),
    );
    expect(code).toBe(422);
    // kube-apiserver's answer for any JSON patch it cannot apply: it does not say which operation failed.
    expect(body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server rejected our request due to an error in our request",
      reason: "Invalid",
      details: {},
      code: 422,
    });
    expect(server.get("networking.istio.io/v1beta1", "VirtualService", "routing")).toEqual(before);
  });

  it("sends merge patch when the Content-Type is set through setHeaderOptions", async () => {
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("patched") });
    const patched = await custom.patchNamespacedCustomObject(
      { ...experiments, name: "patched", body: { metadata: { labels: { app: null, stage: "one" } }, spec: { duration: { maxLoops: 3 } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(lastPatch()?.contentType).toBe("application/merge-patch+json");
    expect(patched.metadata.labels).toEqual({ stage: "one" });
    expect(patched.spec.duration).toEqual({ maxLoops: 3 });
    expect(patched.spec.target).toBe("default/sample-app");
  });

  it("patches only status through the status subresource", async () => {
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("status-patch") });
    const patched = await custom.patchNamespacedCustomObjectStatus(
      { ...experiments, name: "status-patch", body: { spec: { target: "ignored" }, status: { stage: "Running", message: "Advanced to Running" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(patched.status).toEqual({ stage: "Running", message: "Advanced to Running" });
    expect(patched.spec.target).toBe("default/sample-app");
  });

  it("merges lists by key with strategic merge patch on built-in kinds", async () => {
    await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "web" }, spec: { containers: [{ name: "app", image: "web:1" }, { name: "proxy", image: "envoy:1" }] } },
    });
    const patched = await core.patchNamespacedPod(
      { name: "web", namespace: "default", body: { spec: { containers: [{ name: "app", image: "web:2" }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(["app=web:2", "proxy=envoy:1"]);
  });

  it("refuses strategic merge patch on custom resources with 415", async () => {
    const { code, body } = await statusOf(
      custom.patchNamespacedCustomObject(
        { ...virtualServices, name: "routing", body: { spec: { hosts: ["x"] } } },
        setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(code).toBe(415);
    expect(body.reason).toBe("UnsupportedMediaType");
  });

  it("creates with server-side apply, keeps other managers' fields and removes those its manager stops applying", async () => {
    const apply = (manager: string, data: Record<string, string>) =>
      core.patchNamespacedConfigMap(
        { name: "applied", namespace: "default", fieldManager: manager, body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied" }, data } },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      );
    await apply("iter8ts", { a: "1", b: "2" });
    await apply("other", { c: "3" });
    const second = await apply("iter8ts", { b: "2" });
    expect(second.data).toEqual({ b: "2", c: "3" });
    expect(second.metadata?.managedFields?.map((f) => [f.manager, f.operation, f.fieldsV1]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ["iter8ts", "Apply", { "f:data": { "f:b": {} } }],
      ["other", "Apply", { "f:data": { "f:c": {} } }],
    ]);
    const conflict = await statusOf(apply("other", { b: "changed" }));
    expect(conflict).toEqual({
      code: 409,
      body: expect.objectContaining({
        reason: "Conflict",
        message: 'Apply failed with 1 conflict: conflict with "iter8ts": .data.b',
        details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "iter8ts"', field: ".data.b" }] },
      }),
    });
  });
});
