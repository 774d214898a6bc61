/**
 * Remembers the resourceVersion of this controller's own status writes, so that the informer
 * event each write echoes back does not queue a reconcile of its own. The engine already said
 * when the experiment needs its next look (`requeueAfterMs`), so that reconcile would only read
 * the experiment, find nothing due, and cost as much as the iteration's bookkeeping — half of all
 * reconciles of a running experiment.
 */
import type { ExperimentKey, ExperimentStore } from "@iter8ts/engine";

/** A store that remembers which object versions its own writes produced. */
export interface OwnWriteTrackingStore extends ExperimentStore {
  /**
   * Whether this object version is exactly what the last own write of the experiment produced.
   * Any other change (spec edits, someone else's status write) has another resourceVersion.
   */
  isOwnWrite(key: ExperimentKey, resourceVersion: string | undefined): boolean;
  /** Forgets an experiment (it was deleted). */
  forget(key: ExperimentKey): void;
}

const id = (key: ExperimentKey) => `${key.namespace}/${key.name}`;

/** Wraps a store to remember the resourceVersion of each successful status write (the latest per experiment). */
export function trackOwnWrites(store: ExperimentStore): OwnWriteTrackingStore {
  // One entry per experiment at most: a newer write replaces it, a deletion removes it.
  const written = new Map<string, string>();
  return {
    getExperiment: (key) => store.getExperiment(key),
    listExperiments: (filter) => store.listExperiments(filter),
    getMetric: (namespace, name) => store.getMetric(namespace, name),
    async writeStatus(key, status, resourceVersion, previous) {
      const result = await store.writeStatus(key, status, resourceVersion, previous);
      if (result.kind === "written" && result.resourceVersion !== undefined) written.set(id(key), result.resourceVersion);
      else written.delete(id(key));
      return result;
    },
    isOwnWrite(key, resourceVersion) {
      return resourceVersion !== undefined && written.get(id(key)) === resourceVersion;
    },
    forget(key) {
      written.delete(id(key));
    },
  };
}
