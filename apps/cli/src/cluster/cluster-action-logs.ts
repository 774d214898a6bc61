import { ActionJobLabel, isKubeError, KubeErrorCode, labelValue, type KubeClients } from "@iter8ts/kube";
import type { ExperimentKey } from "@iter8ts/engine";

/** Where Iter8 v0.7 and installs of this project before issue 14 ran every action Job. */
export const LEGACY_ACTION_NAMESPACE = "iter8-system";
/** Bytes read of one pod's log at most (an action prints a few lines per task). */
const LOG_LIMIT_BYTES = 10 * 1024 * 1024;

/** The logs of an experiment's action pods, and what could not be read. */
export interface ClusterActionLogs {
  /** One entry per pod read, oldest pod first (creation time, then name). */
  pods: Array<{ namespace: string; name: string; log: string }>;
  /** Namespaces or pods that could not be read, with why. */
  problems: string[];
  /** How many namespaces were searched without an error. */
  searched: number;
}

interface Pod {
  metadata: { name: string; creationTimestamp?: string };
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads the logs of the pods of an experiment's action Jobs (labels `iter8/experimentName` and
 * `iter8/experimentNamespace`, as the controller and Iter8's handler set them) in each of
 * `namespaces`: the experiment's own, where Jobs run now, and `iter8-system`, where older
 * installs ran them. A namespace the caller may not read or that does not exist is skipped
 * without a problem when it is only `optional` (a tenant usually cannot list pods in
 * iter8-system); anything else that fails is reported in `problems`, and the rest still read.
 */
export async function readClusterActionLogs(
  clients: KubeClients,
  target: ExperimentKey,
  namespaces: readonly string[],
  optional: ReadonlySet<string> = new Set([LEGACY_ACTION_NAMESPACE]),
): Promise<ClusterActionLogs> {
  const selector = `${ActionJobLabel.ExperimentName}=${labelValue(target.name)},${ActionJobLabel.ExperimentNamespace}=${labelValue(target.namespace)}`;
  const result: ClusterActionLogs = { pods: [], problems: [], searched: 0 };
  for (const namespace of [...new Set(namespaces)]) {
    let pods: Pod[];
    try {
      const list = await clients.api.request<{ items?: Pod[] }>({
        method: "GET",
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        query: { labelSelector: selector },
        subject: `pods of the action Jobs of Experiment ${target.namespace}/${target.name} in namespace ${namespace}`,
      });
      pods = list.items ?? [];
      result.searched++;
    } catch (error) {
      const skippable = isKubeError(error, KubeErrorCode.Forbidden) || isKubeError(error, KubeErrorCode.NotFound);
      if (!(skippable && optional.has(namespace))) result.problems.push(`cannot list pods in namespace ${namespace}: ${reason(error)}`);
      continue;
    }
    pods.sort((a, b) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") || a.metadata.name.localeCompare(b.metadata.name));
    for (const pod of pods) {
      try {
        const log = await clients.api.requestText({
          method: "GET",
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod.metadata.name)}/log`,
          query: { limitBytes: LOG_LIMIT_BYTES },
          subject: `log of pod ${namespace}/${pod.metadata.name}`,
        });
        result.pods.push({ namespace, name: pod.metadata.name, log });
      } catch (error) {
        result.problems.push(`cannot read the log of pod ${namespace}/${pod.metadata.name}: ${reason(error)}`);
      }
    }
  }
  return result;
}
