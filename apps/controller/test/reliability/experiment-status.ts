// Reading experiments back from the cluster, typed as far as the tests look into them.
import { readEngineStatus, type EngineStatus } from "@iter8ts/engine";
import { isConditionTrue } from "@iter8ts/types";
import type { TestCluster } from "../cluster/test-cluster";

/** The parts of a stored experiment the tests check. */
export interface StoredExperiment {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec: { duration?: { intervalSeconds?: number } };
  /** Read through the engine's status schema (hostile specs are read as they are). */
  status?: EngineStatus;
}

/**
 * Reads an experiment with the admin's identity, past the faults: straight from testkit's store,
 * around the fault proxy on kube-apiserver. Throws when there is no such experiment.
 */
export async function readExperiment(cluster: TestCluster, namespace: string, name: string): Promise<StoredExperiment> {
  const experiment = await cluster.get("iter8.tools/v2alpha2", "Experiment", name, namespace);
  if (experiment === undefined) throw new Error(`experiment ${namespace}/${name} does not exist`);
  const stored = experiment as unknown as StoredExperiment;
  if (stored.status !== undefined) stored.status = readEngineStatus(stored.status);
  return stored;
}

/** Whether the experiment has ended (`Completed=True`). */
export function isCompleted(experiment: StoredExperiment): boolean {
  return isConditionTrue(experiment.status, "Completed");
}
