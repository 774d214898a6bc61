import type { KubeTestServer } from "@iter8ts/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { canaryExperiment, eventually, impatientClients, startCluster } from "../test/support";
import type { KubeClients } from "./create-kube-clients";
import { isKubeError } from "./kube-error";
import { createExperimentInformer } from "./iter8-resources";
import type { InformerEvent, ResourceInformer } from "./resource-informer";

let server: KubeTestServer;
let clients: KubeClients;
const informers: ResourceInformer[] = [];

beforeAll(async () => {
  ({ server, clients } = await startCluster({ bookmarkIntervalMs: 100 }));
});

afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
  for (const e of server.list("iter8.tools/v2alpha2", "Experiment")) {
    server.delete("iter8.tools/v2alpha2", "Experiment", String((e.metadata as { name: string }).name), String((e.metadata as { namespace: string }).namespace));
  }
});

afterAll(async () => {
  await server.close();
});

function follow(options: { namespace?: string } = {}) {
  const informer = createExperimentInformer(clients, { ...options, initialBackoffMs: 50, maxBackoffMs: 400 });
  informers.push(informer);
  const events: Array<[string, string, string | undefined]> = [];
  informer.onChange((e: InformerEvent) => events.push([e.type, e.object.metadata.name, e.object.metadata.resourceVersion]));
  informer.start();
  return { informer, events, names: () => events.map(([type, name]) => `${type} ${name}`) };
}

function create(name: string) {
  return server.create(canaryExperiment(name));
}

function touch(name: string, message: string) {
  const current = server.get("iter8.tools/v2alpha2", "Experiment", name);
  return server.replaceStatus({ ...current, status: { message } });
}

describe("ResourceInformer", () => {
  it("fills its cache from a list, then follows creates, updates and deletes in order", async () => {
    create("first");
    const { informer, names } = follow();
    await informer.waitForSync({ timeoutMs: 5_000 });
    expect(informer.get("default", "first")?.kind).toBe("Experiment");
    create("second");
    touch("first", "changed");
    server.delete("iter8.tools/v2alpha2", "Experiment", "second");
    await vi.waitFor(() => expect(names()).toEqual(["added first", "added second", "modified first", "deleted second"]), eventually);
    expect(informer.list().map((e) => e.metadata.name)).toEqual(["first"]);
    expect((informer.get("default", "first")?.status as { message?: string }).message).toBe("changed");
    expect(informer.resourceVersion).toBe(server.resourceVersion);
  });

  it("keeps no managedFields, from the list or from the watch", async () => {
    create("listed");
    expect((server.get("iter8.tools/v2alpha2", "Experiment", "listed").metadata as { managedFields?: unknown }).managedFields).toBeDefined();
    const { informer } = follow();
    await informer.waitForSync({ timeoutMs: 5_000 });
    const seen: unknown[] = [];
    informer.onChange((e) => seen.push(e.object.metadata));
    create("watched");
    touch("listed", "changed");
    await vi.waitFor(() => expect(seen).toHaveLength(2), eventually);
    for (const name of ["listed", "watched"]) {
      const cached = informer.get("default", name)!;
      expect(cached.metadata.resourceVersion).toBeDefined();
      expect("managedFields" in cached.metadata).toBe(false);
    }
    for (const metadata of seen) expect(metadata).not.toHaveProperty("managedFields");
  });

  it("passes the previous object with every modification", async () => {
    create("prev");
    const { informer } = follow();
    await informer.waitForSync({ timeoutMs: 5_000 });
    const seen: Array<string | undefined> = [];
    informer.onChange((e) => seen.push((e.previous?.status as { message?: string } | undefined)?.message));
    touch("prev", "one");
    touch("prev", "two");
    await vi.waitFor(() => expect(seen).toEqual([undefined, "one"]), eventually);
  });

  it("resumes dropped watches from where it was, without listing again or repeating events", async () => {
    create("steady");
    const { informer, names } = follow();
    await informer.waitForSync({ timeoutMs: 5_000 });
    await vi.waitFor(() => expect(server.activeWatches("experiments")).toBe(1), eventually);
    for (let round = 0; round < 3; round++) {
      server.dropWatches({ resource: "experiments", abort: round === 1 });
      create(`during-${round}`);
      await vi.waitFor(() => expect(informer.get("default", `during-${round}`)).toBeDefined(), eventually);
    }
    expect(informer.stats.lists).toBe(1);
    expect(informer.stats.watches).toBeGreaterThanOrEqual(4);
    expect(names()).toEqual(["added steady", "added during-0", "added during-1", "added during-2"]);
  });

  it("rides out an API server restart and catches up on what changed while it was down", async () => {
    create("before");
    const { informer, names } = follow();
    const errors: string[] = [];
    informer.onError((e) => errors.push(e.code));
    await informer.waitForSync({ timeoutMs: 5_000 });
    await vi.waitFor(() => expect(server.activeWatches("experiments")).toBe(1), eventually);
    await server.stop();
    // The watch reconnects and fails until the server is back.
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(1), eventually);
    create("while-down");
    await server.resume();
    await vi.waitFor(() => expect(names()).toEqual(["added before", "added while-down"]), eventually);
    expect(errors.every((code) => code === "Unavailable")).toBe(true);
    expect(informer.stats.lists).toBe(1);
  });

  it("lists again after 410 Gone and reports what vanished as deleted", async () => {
    create("kept");
    create("doomed");
    const { informer, names } = follow();
    await informer.waitForSync({ timeoutMs: 5_000 });
    await vi.waitFor(() => expect(server.activeWatches("experiments")).toBe(1), eventually);
    await server.restart({ keepState: false, downtimeMs: 100 });
    server.create(canaryExperiment("kept"));
    create("reborn");
    await vi.waitFor(() => expect(informer.list().map((e) => e.metadata.name).sort()).toEqual(["kept", "reborn"]), eventually);
    expect(informer.stats.relistsAfterGone).toBeGreaterThanOrEqual(1);
    expect(names().slice(0, 2).sort()).toEqual(["added doomed", "added kept"]);
    expect(names().slice(2).sort()).toEqual(["added reborn", "deleted doomed", "modified kept"]);
  });

  it("relists after compaction without events for objects that did not change", async () => {
    create("same");
    const { informer, names } = follow();
    await informer.waitForSync({ timeoutMs: 5_000 });
    await vi.waitFor(() => expect(server.activeWatches("experiments")).toBe(1), eventually);
    await server.stop();
    create("other");
    // The change the informer missed is no longer in the history it would resume from.
    server.compact();
    await server.resume();
    await vi.waitFor(() => expect(informer.stats.lists).toBe(2), eventually);
    expect(informer.stats.relistsAfterGone).toBe(1);
    expect(names()).toEqual(["added same", "added other"]);
  });

  it("follows one namespace when asked", async () => {
    server.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    server.create(canaryExperiment("theirs", { namespace: "team-a" }));
    create("ours");
    const { informer } = follow({ namespace: "team-a" });
    await informer.waitForSync({ timeoutMs: 5_000 });
    expect(informer.list().map((e) => `${e.metadata.namespace}/${e.metadata.name}`)).toEqual(["team-a/theirs"]);
  });

  it("says why it has not synced when the API server cannot be reached", async () => {
    const { KubeTestServer } = await import("@iter8ts/testkit");
    const gone = await KubeTestServer.start({ jobs: false });
    const informer = createExperimentInformer(impatientClients(gone), { initialBackoffMs: 50, maxBackoffMs: 100 });
    informers.push(informer);
    await gone.close();
    informer.start();
    const error = await informer.waitForSync({ timeoutMs: 500 }).catch((e: unknown) => e);
    expect(isKubeError(error, "Unavailable")).toBe(true);
    expect((error as Error).message).toMatch(/not synced after 500 ms: .*could not be reached/);
    expect(informer.stats.failures).toBeGreaterThanOrEqual(1);
  });

  it("rejects those waiting for the first list when it is stopped", async () => {
    const { KubeTestServer } = await import("@iter8ts/testkit");
    const gone = await KubeTestServer.start({ jobs: false });
    const informer = createExperimentInformer(impatientClients(gone), { initialBackoffMs: 50 });
    await gone.close();
    informer.start();
    const waiting = informer.waitForSync().catch((e: unknown) => e);
    await informer.stop();
    expect(isKubeError(await waiting, "Aborted")).toBe(true);
  });

  it("closes its watch when stopped", async () => {
    const { informer } = follow();
    await informer.waitForSync({ timeoutMs: 5_000 });
    await vi.waitFor(() => expect(server.activeWatches("experiments")).toBe(1), eventually);
    await informer.stop();
    await vi.waitFor(() => expect(server.activeWatches("experiments")).toBe(0), eventually);
    expect(informer.running).toBe(false);
  });
});
