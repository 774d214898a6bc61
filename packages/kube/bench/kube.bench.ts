/**
 * What the adapter costs per call against the loopback API server (HTTP on 127.0.0.1, so these
 * are the adapter's and client-node's overheads plus a local round trip, not a cluster's):
 * experiment reads from the API and from the informer cache, guarded status writes, JSON Patches
 * of a traffic object, and how long a write takes to reach an informer's listeners.
 * Run with `pnpm -F @iter8ts/kube bench`.
 */
import { KubeTestServer, makeKubeConfig } from "@iter8ts/testkit";
import { afterAll, beforeAll, bench, describe } from "vitest";
import {
  createExperimentInformer,
  createKubeClients,
  KubeExperimentStore,
  KubeResourceClient,
  type KubeClients,
  type ResourceInformer,
} from "../src/index";
import { canaryExperiment, virtualService } from "../test/support";

let server: KubeTestServer;
let clients: KubeClients;
let informer: ResourceInformer;
let apiStore: KubeExperimentStore;
let cachedStore: KubeExperimentStore;
let resources: KubeResourceClient;
const key = { namespace: "default", name: "bench" };
let weight = 0;

beforeAll(async () => {
  server = await KubeTestServer.start({ jobs: false });
  clients = createKubeClients({ kubeConfig: makeKubeConfig(server) });
  server.create(canaryExperiment("bench"));
  server.create(virtualService("routing"));
  informer = createExperimentInformer(clients);
  informer.start();
  await informer.waitForSync({ timeoutMs: 5_000 });
  apiStore = new KubeExperimentStore(clients);
  cachedStore = new KubeExperimentStore(clients, { experiments: informer });
  resources = new KubeResourceClient(clients);
});

afterAll(async () => {
  await informer.stop();
  await server.close();
});

describe("experiment store", () => {
  bench("getExperiment from the API", async () => {
    await apiStore.getExperiment(key);
  });

  bench("getExperiment from the informer cache", async () => {
    await cachedStore.getExperiment(key);
  });

  bench("read + guarded status write", async () => {
    const e = await apiStore.getExperiment(key);
    await apiStore.writeStatus(key, { message: `write ${weight++}` }, e?.metadata.resourceVersion);
  });
});

describe("traffic objects", () => {
  bench("JSON Patch of a VirtualService weight", async () => {
    weight = (weight + 1) % 100;
    await resources.patch({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "default", name: "routing" }, [
      { op: "replace", path: "/spec/http/0/route/0/weight", value: weight },
    ]);
  });
});

describe("informer", () => {
  bench("status write until the informer's listener sees it", async () => {
    const message = `seen ${weight++}`;
    const seen = new Promise<void>((resolve) => {
      const off = informer.onChange((e) => {
        if ((e.object.status as { message?: string } | undefined)?.message === message) {
          off();
          resolve();
        }
      });
    });
    const e = await apiStore.getExperiment(key);
    await apiStore.writeStatus(key, { message }, e?.metadata.resourceVersion);
    await seen;
  });
});
