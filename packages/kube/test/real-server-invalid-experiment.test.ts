// An Experiment the real kube-apiserver stores although the schema refuses it: the CRD's pattern
// for quantities lets "1e309" in, but it is no finite number. The controller's store must say so,
// and the engine must end the experiment as failed naming the field, instead of reading it again
// with backoff forever.
import { createEngine, systemClock, type EnginePorts } from "@iter8ts/engine";
import { waitForCrdsEstablished } from "@iter8ts/kube-harness";
import { conditionOf, type ExperimentStatus } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeExperimentStore, type KubeClients } from "../src/index";
import { canaryExperiment, engineCrdsFile, startRealCluster, type RealCluster } from "./support";

let cluster: RealCluster;
let clients: KubeClients;
let namespace: string;
const CRDS = engineCrdsFile();

beforeAll(async () => {
  cluster = await startRealCluster("invalid", [["apply", "-f", CRDS]]);
  await waitForCrdsEstablished(cluster.plane, ["crd/experiments.iter8.tools"]);
  ({ clients, namespace } = cluster);
}, 10 * 60_000);

afterAll(async () => {
  await cluster?.stop();
});

interface Stored {
  status?: ExperimentStatus;
}

describe("an Experiment the API server accepts but the schema refuses", () => {
  it("ends Completed with Failed=True naming the field, and stays ended", async () => {
    const experiment = canaryExperiment("huge-limit", { namespace, spec: { criteria: { objectives: [{ metric: "latency", upperLimit: "1e309" }] } } });
    const path = `/apis/iter8.tools/v2alpha2/namespaces/${namespace}/experiments`;
    await clients.api.request({ method: "POST", path, body: experiment, subject: "huge-limit" });

    const store = new KubeExperimentStore(clients);
    const key = { namespace, name: "huge-limit" };
    await expect(store.getExperiment(key)).rejects.toMatchObject({
      code: "InvalidStoredExperiment",
      retryable: false,
      message: expect.stringContaining("spec.criteria.objectives[0].upperLimit: \"1e309\" is not a finite quantity"),
    });

    const refuse = () => Promise.reject(new Error("no port but the store may be used"));
    const ports: EnginePorts = {
      store,
      clock: systemClock,
      metrics: { query: refuse },
      weights: { observe: refuse, apply: refuse },
      actions: { start: refuse, state: refuse },
    };
    const engine = createEngine(ports);
    const first = await engine.reconcile(key);
    expect(first).toMatchObject({ outcome: "Completed", stage: "Completed" });
    expect(first.requeueAfterMs).toBeUndefined();

    const stored = await clients.api.request<Stored>({ method: "GET", path: `${path}/huge-limit`, subject: "huge-limit" });
    const failed = conditionOf(stored.status, "Failed");
    expect(failed).toMatchObject({ status: "True", reason: "InvalidExperiment" });
    expect(failed?.message).toContain('spec.criteria.objectives[0].upperLimit: "1e309" is not a finite quantity');
    expect(stored.status?.stage).toBe("Completed");
    expect(stored.status?.message).toBe("ExperimentCompleted: Experiment failed");
    expect(stored.status?.conclusion?.outcome).toBe("Failed");

    // Nothing more to do: the next reconcile neither writes nor asks to come back.
    const second = await engine.reconcile(key);
    expect(second).toMatchObject({ outcome: "Completed" });
    expect(second.requeueAfterMs).toBeUndefined();
  });
});
