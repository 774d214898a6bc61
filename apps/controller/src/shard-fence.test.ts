import { describe, expect, it } from "vitest";
import type { ActionRequest, ActionRunner, ExperimentStore, WeightWriter } from "@iter8ts/engine";
import type { Experiment } from "@iter8ts/types";
import type { Sharding } from "./controller";
import { ShardNotOwnedError, fenceWrites } from "./shard-fence";

function fenced(owned: Set<number>) {
  const calls: string[] = [];
  const store: ExperimentStore = {
    getExperiment: async () => undefined,
    listExperiments: async () => [],
    getMetric: async () => undefined,
    writeStatus: async (key) => {
      calls.push(`writeStatus ${key.name}`);
      return { kind: "written" };
    },
  };
  const weights: WeightWriter = {
    observe: async () => [],
    apply: async (experiment) => void calls.push(`apply ${experiment.metadata.name}`),
  };
  const actions: ActionRunner = {
    start: async (request) => void calls.push(`start ${request.experiment.name}`),
    state: async () => ({ state: "Running" }),
  };
  // Shard = the experiment name's last digit, so a test picks which ones are owned.
  const sharding: Sharding = { shardOf: (key) => Number(key.name.at(-1)), owns: (shard) => owned.has(shard), start() {}, stop: async () => {} };
  return { calls, ports: fenceWrites({ store, weights, actions }, sharding) };
}

const experiment = (name: string) => ({ apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", metadata: { name, namespace: "team" } }) as unknown as Experiment;
const request = (name: string) => ({ experiment: { namespace: "team", name } }) as unknown as ActionRequest;

describe("fenceWrites", () => {
  it("passes writes for experiments of owned shards, and refuses the others before they reach the API", async () => {
    const owned = new Set([1]);
    const { calls, ports } = fenced(owned);
    await ports.store.writeStatus({ namespace: "team", name: "exp-1" }, {}, "7", {});
    await ports.weights.apply(experiment("exp-1"), []);
    await ports.actions.start(request("exp-1"), experiment("exp-1"));
    expect(calls).toEqual(["writeStatus exp-1", "apply exp-1", "start exp-1"]);

    for (const write of [
      () => ports.store.writeStatus({ namespace: "team", name: "exp-2" }, {}, "7", {}),
      () => ports.weights.apply(experiment("exp-2"), []),
      () => ports.actions.start(request("exp-2"), experiment("exp-2")),
    ]) {
      const error = await write().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ShardNotOwnedError);
      expect((error as Error).message).toBe("not written: shard 2 of Experiment team/exp-2 is no longer held by this replica (another replica takes it over)");
    }
    // A shard given up between a reconcile's read and its write: the write is refused.
    owned.delete(1);
    await expect(ports.store.writeStatus({ namespace: "team", name: "exp-1" }, {}, "8", {})).rejects.toBeInstanceOf(ShardNotOwnedError);
    expect(calls).toHaveLength(3);
  });
});
