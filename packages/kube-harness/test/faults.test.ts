// Faults on a real control plane (one for this file): ServiceAccount kubeconfigs, the fault proxy
// in front of kube-apiserver (RBAC refusals passed through, seeded 409s, watches dropped, a
// restart seen from the client), and kube-apiserver itself restarting.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject, type V1ConfigMap } from "@kubernetes/client-node";
import { FaultInjector, InjectedError } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { readKubeconfig, repositoryRoot, serviceAccountKubeconfig, startControlPlane, startFaultProxy, waitForCrdsEstablished, type ControlPlane, type FaultProxy } from "../src/index";
import { ok } from "./kubectl-ok";

const root = repositoryRoot();
const ns = `faults-${randomBytes(3).toString("hex")}`;
const SEED = 42;
let plane: ControlPlane;
let proxy: FaultProxy;
/** A cluster-admin ServiceAccount's kubeconfig naming the proxy (client certificates cannot pass a proxy; tokens can). */
let adminViaProxy: KubeConfig;

beforeAll(async () => {
  plane = await startControlPlane();
  ok(await plane.kubectl(["create", "namespace", ns]));
  ok(await plane.kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(root, "packages", "types", "deploy", "crds")]));
  ok(await plane.kubectl(["create", "serviceaccount", "admin", "-n", ns]));
  ok(await plane.kubectl(["create", "clusterrolebinding", `${ns}-admin`, "--clusterrole=cluster-admin", `--serviceaccount=${ns}:admin`]));
  await waitForCrdsEstablished(plane, ["crd/experiments.iter8.tools"]);
  proxy = await startFaultProxy(plane, { seed: SEED });
  adminViaProxy = new KubeConfig();
  adminViaProxy.loadFromFile((await serviceAccountKubeconfig(plane, { namespace: ns, serviceAccount: "admin", server: proxy.url })).path);
});

afterAll(async () => {
  await proxy?.close();
  if (plane?.external) {
    await plane.kubectl(["delete", "namespace", ns, "--wait=false"]);
    await plane.kubectl(["delete", "clusterrolebinding", `${ns}-admin`]);
  }
  await plane?.stop();
});

/** The rejection of `p`, which must reject. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (err: unknown) => err,
  );
}

function statusBody(err: unknown): { code?: number; reason?: string; message?: string; details?: { retryAfterSeconds?: number } } {
  expect(err).toBeInstanceOf(ApiException);
  const body = (err as ApiException<unknown>).body;
  return typeof body === "string" ? JSON.parse(body) : (body as object);
}

describe("serviceAccountKubeconfig and the fault proxy", () => {
  it("authenticates as a ServiceAccount without RBAC, which gets 403 from the server directly and through the proxy", async () => {
    ok(await plane.kubectl(["create", "serviceaccount", "nobody", "-n", ns]));
    const direct = await serviceAccountKubeconfig(plane, { namespace: ns, serviceAccount: "nobody" });
    const viaProxy = await serviceAccountKubeconfig(plane, { namespace: ns, serviceAccount: "nobody", server: proxy.url, expirationSeconds: 600 });
    expect(readKubeconfig(direct.path)).toMatchObject({ server: plane.server, caData: plane.caData, token: direct.token });
    expect(readKubeconfig(viaProxy.path)).toEqual({ server: proxy.url, token: viaProxy.token, insecureSkipTlsVerify: true });
    const refusal = `User "system:serviceaccount:${ns}:nobody" cannot list resource "secrets" in API group "" in the namespace "${ns}"`;

    // client-node through the plain-HTTP proxy.
    const kc = new KubeConfig();
    kc.loadFromFile(viaProxy.path);
    const err = await rejection(kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns }));
    expect(statusBody(err)).toMatchObject({ code: 403, reason: "Forbidden", message: expect.stringContaining(refusal) });
    expect(proxy.requests().filter((r) => r.verb === "list" && r.resource === "secrets").map((r) => r.status)).toEqual([403]);

    // kubectl sends no token over plain HTTP, so it goes directly and through a TLS proxy.
    const tlsProxy = await startFaultProxy(plane, { tls: true });
    try {
      const viaTlsProxy = await serviceAccountKubeconfig(plane, { namespace: ns, serviceAccount: "nobody", server: tlsProxy.url });
      for (const kubeconfig of [direct.path, viaTlsProxy.path]) {
        const r = await plane.kubectl(["get", "secrets", "-v=6"], { kubeconfig });
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toMatch(/403 Forbidden/);
        expect(r.stderr).toContain(refusal);
        expect(ok(await plane.kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], { kubeconfig }))).toBe(`system:serviceaccount:${ns}:nobody`);
      }
      expect(tlsProxy.requests().some((r) => r.verb === "list" && r.resource === "secrets" && r.status === 403)).toBe(true);
    } finally {
      await tlsProxy.close();
    }
  });

  it("answers a seeded 30 % of experiments/status updates with 409 Conflict, which client-node turns into ApiException 409", async () => {
    const doc = parse(readFileSync(join(root, "samples", "istio", "experiment.yaml"), "utf8"));
    doc.metadata = { name: "contended", namespace: ns };
    ok(await plane.kubectl(["create", "-f", "-"], { input: JSON.stringify(doc) }));
    const rule = proxy.faults.conflicts(0.3, { resources: ["experiments/status"] });
    const custom = adminViaProxy.makeApiClient(CustomObjectsApi);
    const experiments = { group: "iter8.tools", version: "v2alpha2", namespace: ns, plural: "experiments", name: "contended" };

    const conflicts: unknown[] = [];
    for (let i = 1; i <= 20; i++) {
      // A status writer that re-reads and retries on 409, as controllers must.
      for (;;) {
        const current = await custom.getNamespacedCustomObject(experiments);
        const written = await custom.replaceNamespacedCustomObjectStatus({ ...experiments, body: { ...current, status: { completedIterations: i } } }).then(
          () => true,
          (err: unknown) => (conflicts.push(err), false),
        );
        if (written) break;
      }
    }

    for (const err of conflicts) {
      expect((err as ApiException<unknown>).code).toBe(409);
      expect(statusBody(err)).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: 'Operation cannot be fulfilled on experiments.iter8.tools "contended": the object has been modified; please apply your changes to the latest version and try again',
        reason: "Conflict",
        details: { name: "contended", group: "iter8.tools", kind: "experiments" },
        code: 409,
      });
    }
    expect(conflicts.length).toBe(rule.triggered);
    expect(proxy.counts.injected.Conflict).toBe(rule.triggered);
    expect(rule.triggered).toBeGreaterThan(0);
    // Seeded: the same seed and rule pick the same updates on every run.
    const updates = proxy.requests().filter((r) => r.verb === "update" && r.resource === "experiments" && r.subresource === "status");
    expect(updates).toHaveLength(20 + rule.triggered);
    const replay = new FaultInjector(SEED);
    replay.conflicts(0.3, { resources: ["experiments/status"] });
    const expected = updates.map(() => replay.decide({ verb: "update", resource: "experiments", subresource: "status", namespace: ns }).respond ?? "");
    expect(updates.map((r) => r.fault ?? "")).toEqual(expected);
    expect(updates.map((r) => r.status)).toEqual(expected.map((fault) => (fault ? 409 : 200)));
    rule.remove();
    expect(ok(await plane.kubectl(["get", "experiment", "contended", "-n", ns, "-o", "jsonpath={.status.completedIterations}"]))).toBe("20");
  });

  it("injects throttling with Retry-After, server errors and dropped connections as kube-apiserver would answer them", async () => {
    const core = adminViaProxy.makeApiClient(CoreV1Api);
    proxy.faults.add({ verbs: ["list"], resources: ["configmaps"], namespaces: [ns], respond: InjectedError.TooManyRequests, times: 1 });
    proxy.faults.add({ verbs: ["get"], resources: ["namespaces"], respond: InjectedError.ServiceUnavailable, times: 1 });
    proxy.faults.add({ verbs: ["create"], resources: ["configmaps"], respond: InjectedError.InternalError, times: 1 });
    proxy.faults.add({ verbs: ["delete"], resources: ["configmaps"], respond: InjectedError.Timeout, times: 1 });
    proxy.faults.add({ verbs: ["get"], resources: ["configmaps"], dropConnection: true, times: 1 });

    const throttled = await rejection(core.listNamespacedConfigMap({ namespace: ns }));
    expect(statusBody(throttled)).toMatchObject({ code: 429, reason: "TooManyRequests", details: { retryAfterSeconds: 1 } });
    expect((throttled as ApiException<unknown>).headers["retry-after"]).toBe("1");
    expect(statusBody(await rejection(core.readNamespace({ name: ns })))).toMatchObject({ code: 503, reason: "ServiceUnavailable" });
    const body = { metadata: { name: "flaky" } };
    expect(statusBody(await rejection(core.createNamespacedConfigMap({ namespace: ns, body })))).toMatchObject({ code: 500, reason: "InternalError" });
    await core.createNamespacedConfigMap({ namespace: ns, body });
    expect(statusBody(await rejection(core.deleteNamespacedConfigMap({ namespace: ns, name: "flaky" })))).toMatchObject({ code: 504, reason: "Timeout" });
    await expect(core.readNamespacedConfigMap({ namespace: ns, name: "flaky" })).rejects.toThrow(/socket hang up|ECONNRESET|terminated/i);
    // Each rule has retired; the same requests now reach the API server.
    expect((await core.readNamespacedConfigMap({ namespace: ns, name: "flaky" })).metadata?.name).toBe("flaky");
    await core.deleteNamespacedConfigMap({ namespace: ns, name: "flaky" });
    expect(proxy.counts.injected).toMatchObject({ TooManyRequests: 1, ServiceUnavailable: 1, InternalError: 1, Timeout: 1, dropConnection: 1 });
    proxy.faults.clear();
  });

  it("keeps an informer's watch going through dropWatches: resumed by the informer after a clean end, restarted on error after a reset", async () => {
    const core = adminViaProxy.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1ConfigMap & KubernetesObject>(adminViaProxy, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
    const seen = new Set<string>();
    let errors = 0;
    informer.on("add", (cm) => seen.add(cm.metadata?.name ?? ""));
    informer.on("error", () => {
      errors++;
      setTimeout(() => void informer.start(), 100);
    });
    await informer.start();
    try {
      const sees = async (name: string) => {
        ok(await plane.kubectl(["create", "configmap", name, "-n", ns]));
        await vi.waitFor(() => expect(seen).toContain(name), { timeout: 15_000, interval: 50 });
      };
      await sees("before-drop");
      await vi.waitFor(() => expect(proxy.activeWatches("configmaps")).toBe(1), { timeout: 5_000 });
      const opened = proxy.counts.watchesOpened;

      expect(proxy.dropWatches()).toBe(1);
      await sees("after-clean-drop");
      expect(errors).toBe(0);

      await vi.waitFor(() => expect(proxy.activeWatches("configmaps")).toBe(1), { timeout: 5_000 });
      expect(proxy.dropWatches({ resource: "configmaps", abort: true })).toBe(1);
      await sees("after-reset");
      expect(errors).toBe(1);
      expect(proxy.counts.watchesOpened).toBeGreaterThanOrEqual(opened + 2);
      expect(proxy.counts.watchesDropped).toBe(2);
    } finally {
      await informer.stop();
    }
  });

  it("restart() resets every connection and refuses new ones for its downtime; then requests succeed again", async () => {
    const core = adminViaProxy.makeApiClient(CoreV1Api);
    expect((await core.readNamespace({ name: ns })).metadata?.name).toBe(ns);
    const restarted = proxy.restart({ downtimeMs: 1_500 });
    await expect(core.readNamespace({ name: ns })).rejects.toThrow(/ECONNRESET|socket hang up|ECONNREFUSED/);
    expect(proxy.counts.connectionsRefused).toBeGreaterThan(0);
    await restarted;
    expect((await core.readNamespace({ name: ns })).metadata?.name).toBe(ns);
  });
});

describe("restartApiServer", () => {
  it.skipIf(process.env.ITER8TS_KUBECONFIG)("restarts kube-apiserver over the same etcd: objects and resourceVersions survive and an informer keeps working (on the harness's own control plane only, not on an ITER8TS_KUBECONFIG cluster)", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1ConfigMap & KubernetesObject>(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
    const seen = new Set<string>();
    informer.on("add", (cm) => seen.add(cm.metadata?.name ?? ""));
    // client-node's informer stops on a connection error; a controller restarts it, so does this test.
    informer.on("error", () => setTimeout(() => void informer.start(), 200));
    await informer.start();
    try {
      const before = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "before-restart" } } });
      await vi.waitFor(() => expect(seen).toContain("before-restart"), { timeout: 10_000 });

      await plane.restartApiServer({ downtimeMs: 500 });
      const after = await core.readNamespacedConfigMap({ namespace: ns, name: "before-restart" });
      expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "after-restart" } } });
      await vi.waitFor(() => expect(seen).toContain("after-restart"), { timeout: 20_000, interval: 100 });
      expect(informer.list().map((cm) => cm.metadata?.name)).toEqual(expect.arrayContaining(["before-restart", "after-restart"]));
    } finally {
      await informer.stop();
    }
  });
});
