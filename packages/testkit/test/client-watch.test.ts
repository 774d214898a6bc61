import { CoreV1Api, CustomObjectsApi, Watch, makeInformer, type KubernetesObject, type V1ConfigMap } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KubeTestServer, makeKubeConfig } from "../src/index";
import { eventually, experiment, experiments } from "./kube-fixtures";

let server: KubeTestServer;
let core: CoreV1Api;

beforeEach(async () => {
  server = await KubeTestServer.start({ jobs: false, bookmarkIntervalMs: 50 });
  core = makeKubeConfig(server).makeApiClient(CoreV1Api);
});

afterEach(async () => {
  await server.close();
});

interface Seen {
  type: string;
  name: string | undefined;
  rv: string | undefined;
  code?: number;
}

/** Runs a client-node watch, collecting events until it ends or is aborted. */
async function watchConfigMaps(query: Record<string, string | number | boolean | undefined>) {
  const seen: Seen[] = [];
  let ended = false;
  const controller = await new Watch(makeKubeConfig(server)).watch(
    "/api/v1/namespaces/default/configmaps",
    query,
    (type, obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number }) =>
      seen.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, ...(obj.code ? { code: obj.code } : {}) }),
    () => (ended = true),
  );
  return { seen, ended: () => ended, stop: () => controller.abort() };
}

const cm = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels }, data: { v: "1" } });

describe("watch", () => {
  it("resumes from a listed resourceVersion and streams the changes after it, in order", async () => {
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("before") });
    const list = await core.listNamespacedConfigMap({ namespace: "default" });
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("missed") });
    const w = await watchConfigMaps({ resourceVersion: list.metadata?.resourceVersion });
    await core.replaceNamespacedConfigMap({ name: "before", namespace: "default", body: { ...cm("before"), data: { v: "2" } } });
    await core.deleteNamespacedConfigMap({ name: "missed", namespace: "default" });
    await vi.waitFor(() => expect(w.seen).toHaveLength(3), eventually);
    w.stop();
    expect(w.seen.map((e) => [e.type, e.name])).toEqual([
      ["ADDED", "missed"],
      ["MODIFIED", "before"],
      ["DELETED", "missed"],
    ]);
    const versions = w.seen.map((e) => Number(e.rv));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions[0]).toBeGreaterThan(Number(list.metadata?.resourceVersion));
  });

  it("filters by label selector", async () => {
    const w = await watchConfigMaps({ labelSelector: "app=web" });
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("db", { app: "db" }) });
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("web", { app: "web" }) });
    await vi.waitFor(() => expect(w.seen).toHaveLength(1), eventually);
    w.stop();
    expect(w.seen[0]).toMatchObject({ type: "ADDED", name: "web" });
  });

  it("answers a resume from a compacted resourceVersion with an ERROR event carrying 410, then closes", async () => {
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("a") });
    const old = server.resourceVersion;
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("b") });
    server.compact();
    const w = await watchConfigMaps({ resourceVersion: old });
    await vi.waitFor(() => expect(w.ended()).toBe(true), eventually);
    expect(w.seen).toEqual([{ type: "ERROR", name: undefined, rv: undefined, code: 410 }]);
  });

  it("sends BOOKMARK events when allowed, carrying the latest resourceVersion", async () => {
    const w = await watchConfigMaps({ allowWatchBookmarks: true, resourceVersion: server.resourceVersion });
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("marked") });
    await vi.waitFor(() => expect(w.seen.filter((e) => e.type === "BOOKMARK" && Number(e.rv) >= Number(server.resourceVersion))).not.toHaveLength(0), eventually);
    w.stop();
  });

  it("watches one object through the /watch/ path form", async () => {
    const seen: string[] = [];
    const controller = await new Watch(makeKubeConfig(server)).watch(
      "/api/v1/watch/namespaces/default/configmaps/one",
      {},
      (type, obj: { metadata?: { name?: string } }) => seen.push(`${type} ${obj.metadata?.name}`),
      () => undefined,
    );
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("two") });
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("one") });
    await vi.waitFor(() => expect(seen).toEqual(["ADDED one"]), eventually);
    controller.abort();
  });

  it("ends the stream after timeoutSeconds", async () => {
    const w = await watchConfigMaps({ timeoutSeconds: 1 });
    await vi.waitFor(() => expect(w.ended()).toBe(true), eventually);
  });
});

describe("informers", () => {
  function experimentInformer() {
    const kc = makeKubeConfig(server);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const path = "/apis/iter8.tools/v2alpha2/namespaces/default/experiments";
    const informer = makeInformer<KubernetesObject>(kc, path, () => custom.listNamespacedCustomObject(experiments));
    const events: string[] = [];
    let connects = 0;
    informer.on("add", (o) => events.push(`add ${o.metadata?.name}`));
    informer.on("update", (o) => events.push(`update ${o.metadata?.name}`));
    informer.on("delete", (o) => events.push(`delete ${o.metadata?.name}`));
    informer.on("connect", () => connects++);
    // client-node stops an informer on errors; restarting it is the caller's job.
    informer.on("error", () => setTimeout(() => void informer.start(), 50));
    return { informer, events, custom, connects: () => connects };
  }

  it("sees adds, updates and deletes", async () => {
    const { informer, events, custom } = experimentInformer();
    await informer.start();
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("one") });
    await custom.patchNamespacedCustomObject({ ...experiments, name: "one", body: [{ op: "replace", path: "/spec/target", value: "x/y" }] });
    await custom.deleteNamespacedCustomObject({ ...experiments, name: "one" });
    await vi.waitFor(() => expect(events).toEqual(["add one", "update one", "delete one"]), eventually);
    await informer.stop();
  });

  it("re-watches after the server drops its watch, without missing changes", async () => {
    const { informer, events, custom, connects } = experimentInformer();
    await informer.start();
    await vi.waitFor(() => expect(server.activeWatches("experiments")).toBe(1), eventually);
    expect(server.dropWatches({ resource: "experiments" })).toBe(1);
    // Written while no watch is open: the resumed watch must replay it.
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("during-gap") });
    await vi.waitFor(() => expect(events).toContain("add during-gap"), eventually);
    expect(connects()).toBeGreaterThanOrEqual(2);
    await informer.stop();
  });

  it("recovers after an API server restart that keeps state", async () => {
    const { informer, events, custom } = experimentInformer();
    await informer.start();
    await vi.waitFor(() => expect(server.activeWatches("experiments")).toBe(1), eventually);
    await server.restart({ keepState: true, downtimeMs: 100 });
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("after-restart") });
    await vi.waitFor(() => expect(events).toContain("add after-restart"), eventually);
    await informer.stop();
  });

  it("relists after a restart that lost state: the resume gets 410 and vanished objects are reported deleted", async () => {
    const { informer, events, custom } = experimentInformer();
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("lost") });
    await informer.start();
    await vi.waitFor(() => expect(events).toEqual(["add lost"]), eventually);
    await vi.waitFor(() => expect(server.activeWatches("experiments")).toBe(1), eventually);
    await server.restart({ keepState: false });
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("fresh") });
    await vi.waitFor(() => expect(events).toEqual(expect.arrayContaining(["delete lost", "add fresh"])), eventually);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(["fresh"]);
    await informer.stop();
  });

  it("watches all namespaces through the cluster-wide path", async () => {
    const kc = makeKubeConfig(server);
    const custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: "team-b" } } });
    const informer = makeInformer<KubernetesObject>(kc, "/apis/iter8.tools/v2alpha2/experiments", () =>
      custom.listClusterCustomObject({ group: "iter8.tools", version: "v2alpha2", plural: "experiments" }),
    );
    await informer.start();
    await custom.createNamespacedCustomObject({ ...experiments, body: experiment("in-default") });
    await custom.createNamespacedCustomObject({ ...experiments, namespace: "team-b", body: { ...experiment("in-team-b"), metadata: { name: "in-team-b", namespace: "team-b" } } });
    await vi.waitFor(() => expect(informer.list().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).sort()).toEqual(["default/in-default", "team-b/in-team-b"]), eventually);
    await informer.stop();
  });

  it("keeps a ConfigMap cache in step through many writes", async () => {
    const kc = makeKubeConfig(server);
    const informer = makeInformer<V1ConfigMap>(kc, "/api/v1/namespaces/default/configmaps", () => core.listNamespacedConfigMap({ namespace: "default" }));
    await informer.start();
    for (let i = 0; i < 20; i++) await core.createNamespacedConfigMap({ namespace: "default", body: cm(`c${i}`) });
    for (let i = 0; i < 20; i += 2) await core.deleteNamespacedConfigMap({ name: `c${i}`, namespace: "default" });
    await vi.waitFor(() => expect(informer.list("default").map((c) => c.metadata?.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `c${2 * i + 1}`).sort()), eventually);
    await informer.stop();
  });
});
