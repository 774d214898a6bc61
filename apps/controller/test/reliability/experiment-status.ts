// Reading experiments back from the cluster, typed as far as the tests look into them.
import type { TestCluster } from "../cluster/test-cluster";

/** A condition of an experiment's status. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The parts of a stored experiment the tests check. */
export interface StoredExperiment {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec: { duration?: { intervalSeconds?: number } };
  status?: {
    stage?: string;
    completedIterations?: number;
    lastUpdateTime?: string;
    message?: string;
    conditions?: Condition[];
    currentWeightDistribution?: Array<{ name: string; value: number }>;
    runId?: string;
    actions?: Array<{ action: string; loop?: number; runId: string; state: string; attempts: number }>;
    decisions?: Array<{ iteration: number; loop: number; time: string; outcome: string; reason: string }>;
  };
}

/**
 * Reads an experiment with the admin's identity, past the faults: straight from testkit's store,
 * around the fault proxy on kube-apiserver. Throws when there is no such experiment.
 */
export async function readExperiment(cluster: TestCluster, namespace: string, name: string): Promise<StoredExperiment> {
  const experiment = await cluster.get("iter8.tools/v2alpha2", "Experiment", name, namespace);
  if (experiment === undefined) throw new Error(`experiment ${namespace}/${name} does not exist`);
  return experiment as unknown as StoredExperiment;
}

/** The condition of a type, if set. */
export function conditionOf(experiment: StoredExperiment, type: string): Condition | undefined {
  return experiment.status?.conditions?.find((c) => c.type === type);
}

/** Whether the experiment has ended (`Completed=True`). */
export function isCompleted(experiment: StoredExperiment): boolean {
  return conditionOf(experiment, "Completed")?.status === "True";
}
