// Weight writes against a real kube-apiserver (from @iter8ts/kube-harness, or the cluster
// ITER8TS_KUBECONFIG names). kube-apiserver answers a guarded JSON Patch whose `test` no longer
// holds with a bare 422 — no causes, nothing saying a test failed — so KubeResourceClient must
// read the object again to tell a race from a bad patch, and applyWeights must plan again.
import { defaultCustomResourceDefinitions } from "@iter8ts/testkit";
import { isResourceError, type ObjectKey, type ResourceClient } from "@iter8ts/resources";
import { ROUTING_WEIGHT_POLICY, ResourceWeightWriter, applyWeights } from "@iter8ts/weights";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKubeError, KubeResourceClient, type KubeClients } from "../src/index";
import { startRealCluster, virtualService, type RealCluster } from "./support";
import { waitForCrdsEstablished } from "@iter8ts/kube-harness";

let cluster: RealCluster;
let clients: KubeClients;
let namespace: string;

beforeAll(async () => {
  const crd = defaultCustomResourceDefinitions().find((c) => (c.metadata as { name: string }).name === "virtualservices.networking.istio.io");
  cluster = await startRealCluster("weights");
  const installed = await cluster.plane.kubectl(["apply", "--server-side", "-f", "-"], { input: JSON.stringify(crd) });
  expect(installed.exitCode, installed.stderr).toBe(0);
  await waitForCrdsEstablished(cluster.plane, ["crd/virtualservices.networking.istio.io"]);
  ({ clients, namespace } = cluster);
}, 10 * 60_000);

afterAll(async () => {
  await cluster?.stop();
});

const key = (name: string): ObjectKey => ({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace, name });

async function createRouting(name: string, weights: [number, number]): Promise<void> {
  await clients.api.request({ method: "POST", path: `/apis/networking.istio.io/v1beta1/namespaces/${namespace}/virtualservices`, body: virtualService(name, weights, namespace), subject: name });
}

function canary(routing: string) {
  const ref = (i: number) => ({ ...key(routing), fieldPath: `.spec.http[0].route[${i}].weight` });
  return {
    apiVersion: "iter8.tools/v2alpha2" as const,
    kind: "Experiment" as const,
    metadata: { name: `exp-${routing}`, namespace },
    spec: {
      target: `${namespace}/productpage`,
      strategy: { testingPattern: "Canary" as const },
      versionInfo: { baseline: { name: "v1", weightObjRef: ref(0) }, candidates: [{ name: "v2", weightObjRef: ref(1) }] },
    },
  };
}

async function weightsOf(client: ResourceClient, name: string): Promise<number[]> {
  const vs = await client.get(key(name));
  return (vs.spec as { http: Array<{ route: Array<{ weight: number }> }> }).http[0]!.route.map((r) => r.weight);
}

describe("guarded weight patches on kube-apiserver", () => {
  it("plans against the last patch's answer, confirms unchanged weights with a test-only patch, and catches a change made since", async () => {
    await createRouting("remembered", [100, 0]);
    const writer = new ResourceWeightWriter(new KubeResourceClient(clients), { policy: ROUTING_WEIGHT_POLICY });
    const experiment = canary("remembered");
    expect(await (await writer.apply(experiment, [{ name: "v1", value: 70 }, { name: "v2", value: 30 }]))()).toEqual([{ name: "v1", value: 70 }, { name: "v2", value: 30 }]);
    // The same weights again: a patch of test operations only, which kube-apiserver applies as a no-op.
    const before = (await new KubeResourceClient(clients).get(key("remembered"))).metadata.resourceVersion;
    expect(await (await writer.apply(experiment, [{ name: "v1", value: 70 }, { name: "v2", value: 30 }]))()).toEqual([{ name: "v1", value: 70 }, { name: "v2", value: 30 }]);
    expect((await new KubeResourceClient(clients).get(key("remembered"))).metadata.resourceVersion).toBe(before);
    // Someone else moves the traffic: the remembered object is stale, its tests fail, the writer reads and plans again.
    const other = new KubeResourceClient(clients);
    await other.patch(key("remembered"), [{ op: "replace", path: "/spec/http/0/route/0/weight", value: 90 }, { op: "replace", path: "/spec/http/0/route/1/weight", value: 10 }]);
    expect(await (await writer.apply(experiment, [{ name: "v1", value: 60 }, { name: "v2", value: 40 }]))()).toEqual([{ name: "v1", value: 60 }, { name: "v2", value: 40 }]);
    expect(await weightsOf(other, "remembered")).toEqual([60, 40]);
  });

  it("re-reads and re-applies a weight patch that lost a race with another writer, and the split sums to 100", async () => {
    await createRouting("raced", [50, 50]);
    const client = new KubeResourceClient(clients);
    const other = new KubeResourceClient(clients);
    const refusals: unknown[] = [];
    let raced = false;
    // Writer A planned from 50/50; writer B writes 90/10 before A's first patch reaches the server.
    const writerA: ResourceClient = {
      get: (k, o) => client.get(k, o),
      list: (q, o) => client.list(q, o),
      patch: async (k, operations, o) => {
        if (!raced) {
          raced = true;
          const b = await applyWeights(other, canary("raced"), [
            { name: "v1", value: 90 },
            { name: "v2", value: 10 },
          ]);
          expect(b.ok).toBe(true);
        }
        return client.patch(k, operations, o).catch((error: unknown) => {
          refusals.push(error);
          throw error;
        });
      },
    };

    const a = await applyWeights(writerA, canary("raced"), [
      { name: "v1", value: 60 },
      { name: "v2", value: 40 },
    ]);

    expect(a.ok).toBe(true);
    expect(a.outcomes).toEqual([expect.objectContaining({ status: "patched", attempts: 2 })]);
    // The first patch met the real server's bare 422; the re-read showed the tested weights moved.
    expect(refusals).toHaveLength(1);
    const [refusal] = refusals;
    expect(isResourceError(refusal, "conflict")).toBe(true);
    const kubeError = (refusal as Error).cause;
    expect(isKubeError(kubeError, "Conflict")).toBe(true);
    expect(kubeError).toMatchObject({ httpStatus: 422, reason: "Invalid" });
    const bare = (kubeError as Error).cause;
    expect(bare).toMatchObject({ httpStatus: 422, reason: "Invalid", causes: [] });
    expect((bare as Error).message).toContain("the server rejected our request due to an error in our request");
    // A's weights won, written over B's: 60 + 40.
    const weights = await weightsOf(client, "raced");
    expect(weights).toEqual([60, 40]);
    expect(weights[0]! + weights[1]!).toBe(100);
  });

  it("keeps two writers racing for real consistent: every round ends on one writer's split, summing to 100", async () => {
    await createRouting("contended", [100, 0]);
    const writers = [
      { client: new KubeResourceClient(clients), split: [70, 30] },
      { client: new KubeResourceClient(clients), split: [20, 80] },
    ];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        writers.map((w) =>
          applyWeights(w.client, canary("contended"), [
            { name: "v1", value: w.split[0]! },
            { name: "v2", value: w.split[1]! },
          ]),
        ),
      );
      expect(results.map((r) => r.ok)).toEqual([true, true]);
      const weights = await weightsOf(writers[0]!.client, "contended");
      expect(writers.map((w) => w.split)).toContainEqual(weights);
      expect(weights[0]! + weights[1]!).toBe(100);
    }
  });

  it("reports a patch that cannot apply while its tests still hold as invalid, without retrying", async () => {
    await createRouting("fixed", [50, 50]);
    const client = new KubeResourceClient(clients);
    const error = await client
      .patch(key("fixed"), [
        { op: "test", path: "/spec/http/0/route/0/weight", value: 50 },
        { op: "replace", path: "/spec/http/3/route/0/weight", value: 80 },
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isResourceError(error, "invalid")).toBe(true);
    expect((error as Error).message).toContain("every value the patch tests still holds");
    expect(await weightsOf(client, "fixed")).toEqual([50, 50]);
  });
});
