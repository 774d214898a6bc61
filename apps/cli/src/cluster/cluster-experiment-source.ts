import { EXPERIMENT_RESOURCE, experimentPath, isKubeError, KubeErrorCode } from "@iter8ts/kube";
import type { KubeObject } from "@iter8ts/resources";
import { ExperimentLoadError, ExperimentLoadErrorCode, type ExperimentSource } from "@iter8ts/report";
import { parseExperimentText } from "../experiment-source";
import { ClusterConfigError, connectCluster, type ClusterConnection, type ClusterEnv, type ClusterTarget } from "./cluster-connection";

/** Which experiment to read, and from which cluster. */
export interface ClusterExperimentOptions extends ClusterTarget {
  /** Absent: the most recently created experiment of the namespace. */
  name?: string;
  /** An open connection (tests); otherwise one is made on the first load. */
  connection?: ClusterConnection;
}

interface RawList {
  items?: KubeObject[];
}

/**
 * The most recently created of `items`. Creation times have one-second resolution, so equal
 * times are ordered by name to make the choice repeatable.
 */
export function latestCreated<T extends { metadata: { name?: string; creationTimestamp?: string } }>(items: readonly T[]): T | undefined {
  let latest: T | undefined;
  let latestTime = -Infinity;
  for (const item of items) {
    const time = Date.parse(item.metadata.creationTimestamp ?? "");
    const t = Number.isNaN(time) ? -Infinity : time;
    if (!latest || t > latestTime || (t === latestTime && (item.metadata.name ?? "") > (latest.metadata.name ?? ""))) {
      latest = item;
      latestTime = t;
    }
  }
  return latest;
}

/**
 * An experiment read from the cluster through the kubeconfig, afresh on every `load`, so
 * `assert --timeout` sees the controller's progress. Without a name it takes the experiment
 * created last in the namespace (Iter8's iter8ctl took the last by name, whatever its help said).
 */
export function clusterExperimentSource(options: ClusterExperimentOptions, env: ClusterEnv): ExperimentSource {
  let connection = options.connection;
  let namespace = options.namespace;
  let chosen: string | undefined = options.name;

  const label = () => {
    const where = namespace ? ` in namespace ${namespace}` : "";
    return chosen ? `experiment ${chosen}${where}` : `the latest experiment${where}`;
  };

  function connect(): ClusterConnection {
    if (connection) return connection;
    try {
      connection = connectCluster(options, env);
    } catch (error) {
      if (!(error instanceof ClusterConfigError)) throw error;
      throw new ExperimentLoadError(ExperimentLoadErrorCode.ReadFailed, label(), error.message, [], { cause: error });
    }
    return connection;
  }

  function readFailed(error: unknown, what: string): ExperimentLoadError {
    const reason = error instanceof Error ? error.message : String(error);
    return new ExperimentLoadError(ExperimentLoadErrorCode.ReadFailed, label(), `cannot read ${what} from the cluster: ${reason}`, [], { cause: error });
  }

  async function fetchObject(conn: ClusterConnection, ns: string): Promise<KubeObject> {
    if (options.name !== undefined) {
      const name = options.name;
      try {
        return await conn.clients.api.request<KubeObject>({ method: "GET", path: experimentPath({ namespace: ns, name }), subject: `Experiment ${ns}/${name}` });
      } catch (error) {
        if (isKubeError(error, KubeErrorCode.NotFound)) {
          throw new ExperimentLoadError(ExperimentLoadErrorCode.NotFound, label(), `Experiment ${name} not found in namespace ${ns}`, [], { cause: error });
        }
        throw readFailed(error, `experiment ${ns}/${name}`);
      }
    }
    const path = `/apis/${EXPERIMENT_RESOURCE.group}/${EXPERIMENT_RESOURCE.version}/namespaces/${encodeURIComponent(ns)}/${EXPERIMENT_RESOURCE.plural}`;
    let list: RawList;
    try {
      list = await conn.clients.api.request<RawList>({ method: "GET", path, subject: `Experiments in namespace ${ns}` });
    } catch (error) {
      throw readFailed(error, `experiments in namespace ${ns}`);
    }
    const latest = latestCreated(list.items ?? []);
    if (!latest) throw new ExperimentLoadError(ExperimentLoadErrorCode.NotFound, label(), "no experiments found in cluster");
    return latest;
  }

  return {
    get label() {
      return label();
    },
    rereadable: true,
    async load() {
      const conn = connect();
      namespace = options.namespace || conn.namespace;
      const object = await fetchObject(conn, namespace);
      chosen = object.metadata.name;
      // List items come without apiVersion and kind; the schema wants them.
      const full = { ...object, apiVersion: EXPERIMENT_RESOURCE.apiVersion, kind: EXPERIMENT_RESOURCE.kind };
      return parseExperimentText(JSON.stringify(full), label());
    },
  };
}
