/**
 * The writes of a reconcile, fenced by shard ownership: a replica whose shard Lease lapsed (it
 * could not renew for the renew deadline, or it is handing the shard over) writes nothing for the
 * shard's experiments. The API server's resourceVersion precondition on the status write stays the
 * final guard: of two replicas that both read the same status, only one records the iteration.
 */
import type { ActionRunner, ExperimentKey, ExperimentStore, WeightWriter } from "@iter8ts/engine";
import type { Sharding } from "./controller";

/** Thrown for a write the fence refused; the reconcile fails and nothing of it is recorded. */
export class ShardNotOwnedError extends Error {
  override readonly name = "ShardNotOwnedError";
  readonly code = "ShardNotOwned";
  readonly retryable = true;
  constructor(key: ExperimentKey, shard: number) {
    super(`not written: shard ${shard} of Experiment ${key.namespace}/${key.name} is no longer held by this replica (another replica takes it over)`);
  }
}

function check(sharding: Sharding, key: ExperimentKey): void {
  const shard = sharding.shardOf(key);
  if (!sharding.owns(shard)) throw new ShardNotOwnedError(key, shard);
}

/** The store, weights and actions with every write checked against shard ownership first. */
export function fenceWrites(
  ports: { store: ExperimentStore; weights: WeightWriter; actions: ActionRunner },
  sharding: Sharding,
): { store: ExperimentStore; weights: WeightWriter; actions: ActionRunner } {
  const { store, weights, actions } = ports;
  return {
    store: {
      getExperiment: (key) => store.getExperiment(key),
      listExperiments: (filter) => store.listExperiments(filter),
      getMetric: (namespace, name) => store.getMetric(namespace, name),
      writeStatus: async (key, status, resourceVersion, previous) => {
        check(sharding, key);
        return store.writeStatus(key, status, resourceVersion, previous);
      },
    },
    weights: {
      observe: (experiment) => weights.observe(experiment),
      apply: async (experiment, recommended, options) => {
        check(sharding, { namespace: experiment.metadata.namespace ?? "default", name: experiment.metadata.name ?? "" });
        return weights.apply(experiment, recommended, options);
      },
    },
    actions: {
      start: async (request, experiment) => {
        check(sharding, request.experiment);
        return actions.start(request, experiment);
      },
      state: (request) => actions.state(request),
    },
  };
}
