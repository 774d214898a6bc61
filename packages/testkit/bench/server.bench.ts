// Throughput of the test server through the real client: what a test suite pays per API call,
// per list of many objects, and per watch event fanned out to many informers.
import { CoreV1Api, CustomObjectsApi, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, bench, describe } from "vitest";
import { KubeTestServer, makeKubeConfig } from "../src/index";

let server: KubeTestServer;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let n = 0;
const experiments = { group: "iter8.tools", version: "v2alpha2", namespace: "default", plural: "experiments" } as const;
const watchers: AbortController[] = [];
let delivered = 0;
let waiting: (() => void) | undefined;
const WATCHERS = 20;
// Longer runs than the default, so one slow request on a busy machine does not decide the mean.
const options = { time: 2000, warmupIterations: 10 };

beforeAll(async () => {
  server = await KubeTestServer.start({ jobs: false, watchHistoryLimit: 100_000 });
  const kc = makeKubeConfig(server);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: "big" } } });
  for (let i = 0; i < 1000; i++) server.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: "big", labels: { shard: String(i % 10) } } });
  for (let i = 0; i < WATCHERS; i++) {
    watchers.push(
      await new Watch(kc).watch(
        "/api/v1/namespaces/default/configmaps",
        { resourceVersion: server.resourceVersion },
        () => {
          delivered += 1;
          if (delivered % WATCHERS === 0) waiting?.();
        },
        () => undefined,
      ),
    );
  }
});

afterAll(async () => {
  for (const w of watchers) w.abort();
  await server.close();
});

describe("KubeTestServer through @kubernetes/client-node", () => {
  bench("create + get a ConfigMap", async () => {
    const name = `c-${n++}`;
    await core.createNamespacedConfigMap({ namespace: "big", body: { metadata: { name } } });
    await core.readNamespacedConfigMap({ name, namespace: "big" });
  }, options);

  bench("create an Experiment (zod-validated) and write its status", async () => {
    const name = `e-${n++}`;
    const created = await custom.createNamespacedCustomObject({
      ...experiments,
      body: { apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", metadata: { name }, spec: { target: "a/b", strategy: { testingPattern: "Canary" } } },
    });
    await custom.replaceNamespacedCustomObjectStatus({ ...experiments, name, body: { ...created, status: { stage: "Running" } } });
  }, options);

  bench("list 1000 ConfigMaps", async () => {
    await core.listNamespacedConfigMap({ namespace: "big" });
  }, options);

  bench("list 100 of 1000 ConfigMaps by label", async () => {
    await core.listNamespacedConfigMap({ namespace: "big", labelSelector: "shard=3" });
  }, options);

  bench(`one write delivered to ${WATCHERS} watches`, async () => {
    const all = new Promise<void>((resolve) => (waiting = resolve));
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `w-${n++}` } } });
    await all;
  }, options);
});
