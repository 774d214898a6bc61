import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InjectedError, KubeTestServer, makeKubeConfig } from "../src/index";
import { experiment, experiments, statusOf } from "./kube-fixtures";

let server: KubeTestServer;
let core: CoreV1Api;
let custom: CustomObjectsApi;

beforeEach(async () => {
  server = await KubeTestServer.start({ jobs: false, seed: 7 });
  const kc = makeKubeConfig(server);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
});

afterEach(async () => {
  await server.close();
});

/** A status writer that re-reads and retries on 409, as controllers must. */
async function writeStatusWithRetry(name: string, completedIterations: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const current = await custom.getNamespacedCustomObject({ ...experiments, name });
    try {
      await custom.replaceNamespacedCustomObjectStatus({ ...experiments, name, body: { ...current, status: { completedIterations } } });
      return attempt;
    } catch (e) {
      if ((e as { code?: number }).code !== 409 || attempt > 50) throw e;
    }
  }
}

describe("fault injection", () => {
  it("answers the first N matching writes with a real-looking 409", async () => {
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("busy") });
    const rule = server.faults.conflicts(1, { resources: ["experiments/status"], times: 2 });
    const current = await custom.getNamespacedCustomObject({ ...experiments, name: "busy" });
    const { code, body } = await statusOf(custom.replaceNamespacedCustomObjectStatus({ ...experiments, name: "busy", body: { ...current, status: { stage: "Running" } } }));
    expect(code).toBe(409);
    expect(body).toMatchObject({ reason: "Conflict", message: expect.stringContaining('experiments.iter8.tools "busy": the object has been modified') });
    expect(await writeStatusWithRetry("busy", 1)).toBe(2);
    expect(rule.triggered).toBe(2);
    expect(server.requests().filter((r) => r.fault === "Conflict").map((r) => r.subresource)).toEqual(["status", "status"]);
  });

  it("fails a share of writes, and retrying writers still converge", async () => {
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("contended") });
    const rule = server.faults.conflicts(0.5, { resources: ["experiments/status"] });
    let attempts = 0;
    for (let i = 1; i <= 20; i++) attempts += await writeStatusWithRetry("contended", i);
    const final = await custom.getNamespacedCustomObject({ ...experiments, name: "contended" });
    expect(final.status).toEqual({ completedIterations: 20 });
    expect(attempts - 20).toBe(rule.triggered);
    expect(rule.triggered).toBeGreaterThan(5);
  });

  it("injects throttling with Retry-After, and server errors", async () => {
    server.faults.add({ verbs: ["list"], resources: ["configmaps"], respond: InjectedError.TooManyRequests, times: 1 });
    server.faults.add({ verbs: ["get"], resources: ["configmaps"], respond: InjectedError.ServiceUnavailable, times: 1 });
    const throttled = await statusOf(core.listNamespacedConfigMap({ namespace: "default" }));
    expect(throttled).toMatchObject({ code: 429, body: { reason: "TooManyRequests", details: { retryAfterSeconds: 1 } } });
    expect((await statusOf(core.readNamespacedConfigMap({ name: "x", namespace: "default" }))).code).toBe(503);
    expect((await core.listNamespacedConfigMap({ namespace: "default" })).items).toEqual([]);
  });

  it("delays requests without changing their outcome", async () => {
    const rule = server.faults.latency(50, { verbs: ["create"] });
    const created = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "late" } } });
    expect(created.metadata?.name).toBe("late");
    expect(rule.triggered).toBe(1);
  });

  it("drops connections, which clients see as network errors rather than API answers", async () => {
    server.faults.add({ verbs: ["get"], dropConnection: true, times: 1 });
    await expect(core.readNamespace({ name: "default" })).rejects.toThrow(/socket hang up|ECONNRESET|terminated/i);
    expect((await core.readNamespace({ name: "default" })).metadata?.name).toBe("default");
    expect(server.requests().some((r) => r.fault === "dropConnection" && r.status === 0)).toBe(true);
  });

  it("refuses connections while stopped and serves the same objects after resuming", async () => {
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "kept" } } });
    const port = server.port;
    await server.stop();
    await expect(core.readNamespacedConfigMap({ name: "kept", namespace: "default" })).rejects.toThrow(/ECONNREFUSED/);
    await server.resume();
    expect(server.port).toBe(port);
    expect((await core.readNamespacedConfigMap({ name: "kept", namespace: "default" })).metadata?.name).toBe("kept");
  });

  it("comes back empty after a restart that loses state", async () => {
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "gone" } } });
    await server.restart({ keepState: false });
    expect((await statusOf(core.readNamespacedConfigMap({ name: "gone", namespace: "default" }))).code).toBe(404);
    expect((await core.readNamespace({ name: "default" })).status?.phase).toBe("Active");
  });
});
