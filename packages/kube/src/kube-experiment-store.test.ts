import type { KubeTestServer } from "@iter8ts/testkit";
import type { Experiment, ExperimentStatus } from "@iter8ts/types";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { canaryExperiment, eventually, mockMetric, startCluster } from "../test/support";
import type { KubeClients } from "./create-kube-clients";
import { createExperimentInformer, createMetricInformer } from "./iter8-resources";
import { KubeExperimentStore } from "./kube-experiment-store";
import type { ResourceInformer } from "./resource-informer";

let server: KubeTestServer;
let clients: KubeClients;
const informers: ResourceInformer[] = [];

beforeAll(async () => {
  ({ server, clients } = await startCluster());
});

afterEach(async () => {
  server.faults.clear();
  await Promise.all(informers.splice(0).map((i) => i.stop()));
});

afterAll(async () => {
  await server.close();
});

const key = (name: string) => ({ namespace: "default", name });

async function cachedStore() {
  const experiments = createExperimentInformer(clients, { initialBackoffMs: 50 });
  const metrics = createMetricInformer(clients, { initialBackoffMs: 50 });
  informers.push(experiments, metrics);
  experiments.start();
  metrics.start();
  await Promise.all([experiments.waitForSync({ timeoutMs: 5_000 }), metrics.waitForSync({ timeoutMs: 5_000 })]);
  return { store: new KubeExperimentStore(clients, { experiments, metrics }), experiments };
}

describe.each([
  ["from the API", "api", async () => ({ store: new KubeExperimentStore(clients), experiments: undefined })],
  ["from informer caches", "cache", cachedStore],
])("KubeExperimentStore reading %s", (_, mode, make) => {
  it("reads experiments parsed against the schema, and undefined for missing ones", async () => {
    const name = `read-${mode}`;
    server.create(canaryExperiment(name, { spec: { strategy: { testingPattern: "A/B/n" }, criteria: { rewards: [{ metric: "revenue", preferredDirection: "High" }] } } }));
    const { store } = await make();
    const experiment = await vi.waitFor(async () => {
      const e = await store.getExperiment(key(name));
      if (!e) throw new Error("not there yet");
      return e;
    }, eventually);
    expect(experiment.spec.strategy.testingPattern).toBe("A/B/N");
    expect(experiment.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(await store.getExperiment(key("never-created"))).toBeUndefined();
  });

  it("hands out copies: changing what it returned changes nothing it holds", async () => {
    const name = `copies-${mode}`;
    const created = server.create(canaryExperiment(name, { target: "default/copies" }));
    // Fields the schema does not know (the engine's records) are passed through as they are.
    server.replaceStatus({ ...created, status: { message: "stored", actions: [{ action: "start" }] } });
    const { store } = await make();
    const recorded = (e: Experiment | undefined) => (e?.status as { actions?: unknown[] } | undefined)?.actions;
    const first = await vi.waitFor(async () => {
      const e = await store.getExperiment(key(name));
      if (!recorded(e)) throw new Error("not yet");
      return e!;
    }, eventually);
    recorded(first)!.push({ action: "loop" });
    first.spec.target = "default/elsewhere";
    const [listed] = await store.listExperiments({ target: "default/copies" });
    recorded(listed)!.push({ action: "finish" });
    const again = await store.getExperiment(key(name));
    expect(again?.spec.target).toBe("default/copies");
    expect(recorded(again)).toEqual([{ action: "start" }]);
    expect(recorded((await store.listExperiments({ target: "default/copies" }))[0])).toEqual([{ action: "start" }]);
  });

  it("writes the status guarded by resourceVersion: a stale version is a conflict and changes nothing", async () => {
    const name = `guarded-${mode}`;
    server.create(canaryExperiment(name));
    const { store } = await make();
    const read = (await store.getExperiment(key(name)))!;
    const first = await store.writeStatus(key(name), { message: "first", stage: "Waiting" }, read.metadata.resourceVersion);
    expect(first.kind).toBe("written");
    const stale = await store.writeStatus(key(name), { message: "stale" }, read.metadata.resourceVersion);
    expect(stale).toEqual({ kind: "conflict" });
    const stored = server.get("iter8.tools/v2alpha2", "Experiment", name);
    expect(stored.status).toEqual({ message: "first", stage: "Waiting" });
    // The store never hands out the copy it knows to be stale, even before the cache catches up.
    const again = (await store.getExperiment(key(name)))!;
    expect(again.status?.message).toBe("first");
    expect(again.metadata.resourceVersion).toBe(first.kind === "written" ? first.resourceVersion : undefined);
    // Only the status changed: the spec stays as created.
    expect(again.spec.target).toBe("default/productpage");
  });

  it("sends only what changed as a guarded JSON Patch: the kept history is not sent again, and a stale version is a conflict", async () => {
    const name = `patched-${mode}`;
    server.create(canaryExperiment(name));
    const { store } = await make();
    const decisions = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ iteration: from + i, reason: `decision ${from + i}` }));
    const read = (await store.getExperiment(key(name)))!;
    const first = await store.writeStatus(key(name), { message: "one", decisions: decisions(1, 3) } as ExperimentStatus, read.metadata.resourceVersion, {});
    if (first.kind !== "written") throw new Error(`first write: ${first.kind}`);
    const previous = { message: "one", decisions: decisions(1, 3) } as ExperimentStatus;
    const next = { message: "two", stage: "Running", decisions: decisions(2, 4) } as ExperimentStatus;
    const before = server.requests().length;
    const second = await store.writeStatus(key(name), next, first.resourceVersion, previous);
    expect(second.kind).toBe("written");
    const writes = server.requests().slice(before).filter((r) => r.subresource === "status");
    expect(writes.map((r) => [r.method, r.contentType, r.status])).toEqual([["PATCH", "application/json-patch+json", 200]]);
    expect(server.get("iter8.tools/v2alpha2", "Experiment", name).status).toEqual(next);
    // The same change again from the version before: the API server refuses it, nothing changes.
    const stale = await store.writeStatus(key(name), { ...next, message: "stale" } as ExperimentStatus, first.resourceVersion, previous);
    expect(stale).toEqual({ kind: "conflict" });
    expect(server.get("iter8.tools/v2alpha2", "Experiment", name).status).toEqual(next);
  });

  it("answers notFound for a status write to a deleted experiment", async () => {
    const name = `deleted-${mode}`;
    server.create(canaryExperiment(name));
    const { store } = await make();
    const read = (await store.getExperiment(key(name)))!;
    server.delete("iter8.tools/v2alpha2", "Experiment", name);
    expect(await store.writeStatus(key(name), { message: "late" }, read.metadata.resourceVersion)).toEqual({ kind: "notFound" });
  });

  it("lists experiments of one target", async () => {
    server.create(canaryExperiment(`t1-${mode}`, { target: "default/reviews" }));
    server.create(canaryExperiment(`t2-${mode}`, { target: "default/ratings" }));
    const { store } = await make();
    await vi.waitFor(async () => {
      const names = (await store.listExperiments({ target: "default/reviews" })).map((e) => e.metadata.name);
      expect(names).toContain(`t1-${mode}`);
      expect(names.every((n) => n?.startsWith("t1-"))).toBe(true);
    }, eventually);
  });

  it("reads metrics with their defaults, and undefined for missing ones", async () => {
    const name = `latency-${mode}`;
    server.create(mockMetric(name, { v1: 20 }));
    const { store } = await make();
    const metric = await store.getMetric("default", name);
    expect(metric?.spec.mock).toEqual([{ name: "v1", level: "20" }]);
    expect(metric?.spec.method).toBe("GET");
    expect(await store.getMetric("default", "no-such-metric")).toBeUndefined();
  });
});

describe("concurrent writers under injected conflicts", () => {
  it("never loses an update: every write lands once or answers conflict", async () => {
    server.create(canaryExperiment("counter"));
    const { store } = await cachedStore();
    const plain = new KubeExperimentStore(clients);
    server.faults.conflicts(0.3, { resources: ["experiments/status"] });
    let conflicts = 0;
    const increment = async (s: KubeExperimentStore, times: number) => {
      for (let done = 0; done < times; ) {
        const e = (await s.getExperiment(key("counter")))!;
        const status: ExperimentStatus = { ...e.status, completedIterations: (e.status?.completedIterations ?? 0) + 1 };
        const result = await s.writeStatus(key("counter"), status, e.metadata.resourceVersion);
        if (result.kind === "written") done++;
        else conflicts++;
      }
    };
    await Promise.all([increment(store, 15), increment(plain, 15)]);
    const stored = server.get("iter8.tools/v2alpha2", "Experiment", "counter");
    expect((stored.status as ExperimentStatus).completedIterations).toBe(30);
    expect(conflicts).toBeGreaterThan(0);
    const injected = server.requests().filter((r) => r.fault !== undefined && r.subresource === "status");
    expect(injected.length).toBeGreaterThan(0);
  });
});
