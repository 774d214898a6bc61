// Reading experiments back from the test server, typed as far as the tests look into them.
import type { KubeTestServer } from "@iter8ts/testkit";

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

/** Reads an experiment straight from the server's store (no HTTP, no faults). */
export function readExperiment(server: KubeTestServer, namespace: string, name: string): StoredExperiment {
  return server.get("iter8.tools/v2alpha2", "Experiment", name, namespace) as unknown as StoredExperiment;
}

/** The condition of a type, if set. */
export function conditionOf(experiment: StoredExperiment, type: string): Condition | undefined {
  return experiment.status?.conditions?.find((c) => c.type === type);
}

/** Whether the experiment has ended (`Completed=True`). */
export function isCompleted(experiment: StoredExperiment): boolean {
  return conditionOf(experiment, "Completed")?.status === "True";
}
