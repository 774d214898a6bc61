import { InvalidStoredExperimentError, type ExperimentKey, type ExperimentStore, type StatusWriteResult } from "@iter8ts/engine";
import type { Experiment, ExperimentStatus, Metric } from "@iter8ts/types";
import type { JsonPatchOperation, KubeObject } from "@iter8ts/resources";
import { cloneJson, withoutManagedFields } from "./clone-json";
import { statusPatch } from "./status-patch";
import type { KubeClients } from "./create-kube-clients";
import { isKubeError, KubeErrorCode } from "./kube-error";
import { EXPERIMENT_RESOURCE, experimentPath, metricPath, parseStoredExperiment, parseStoredMetric } from "./iter8-resources";
import { listAll } from "./list-all";
import type { ResourceInformer } from "./resource-informer";

/** Settings of {@link KubeExperimentStore}. */
export interface KubeExperimentStoreOptions {
  /** Experiments are read from this informer's cache once it has synced (else from the API). */
  experiments?: ResourceInformer;
  /** Metrics are read from this informer's cache once it has synced (else from the API). */
  metrics?: ResourceInformer;
  /**
   * Status writes send only the fields that changed, as a guarded JSON Patch (default true);
   * false replaces the whole status with a PUT every time.
   */
  statusPatches?: boolean;
}

/** Marks a key whose next read must go to the API. */
const READ_FROM_API = "";

/**
 * The engine's store on the Kubernetes API. Reads come from informer caches when given (and
 * synced), writes go to the API:
 *
 * - `writeStatus` replaces the status through the `status` subresource with the
 *   resourceVersion the engine read, so a concurrent change answers `conflict` (HTTP 409) and is
 *   never overwritten; the engine then reads again and decides again.
 * - After its own write or a conflict the store reads that experiment from the API until the
 *   cache has caught up, so the engine never decides twice on a stale copy.
 * - A cache miss is confirmed with the API before answering "does not exist": an object created
 *   a moment ago may not have reached the cache, and a missing Metric fails an experiment.
 */
/**
 * The stored object parsed; one the schema refuses (the CRD let it in) is reported to the engine
 * as an invalid experiment, which it ends as failed instead of reading it again and again.
 */
function readExperiment(object: KubeObject): Experiment {
  try {
    return parseStoredExperiment(object);
  } catch (error) {
    if (!isKubeError(error, KubeErrorCode.Invalid)) throw error;
    const status = (object as { status?: unknown }).status;
    throw new InvalidStoredExperimentError(error.message, { resourceVersion: object.metadata.resourceVersion, status, cause: error });
  }
}

export class KubeExperimentStore implements ExperimentStore {
  readonly #clients: KubeClients;
  readonly #experiments: ResourceInformer | undefined;
  readonly #metrics: ResourceInformer | undefined;
  /** namespace/name → the newest resourceVersion known to the store, while the cache lags. */
  readonly #fresher = new Map<string, string>();
  /**
   * namespace/name → the object as this store's last write left it (the API server's answer),
   * while the cache lags behind it: read instead of asking the API server again.
   */
  readonly #written = new Map<string, KubeObject>();
  readonly #statusPatches: boolean;

  constructor(clients: KubeClients, options: KubeExperimentStoreOptions = {}) {
    this.#clients = clients;
    this.#experiments = options.experiments;
    this.#metrics = options.metrics;
    this.#statusPatches = options.statusPatches ?? true;
    // Once the cache holds what this store wrote, the kept answer is dropped: it is held only while the watch event travels.
    options.experiments?.onChange((event) => {
      const id = `${event.object.metadata.namespace ?? ""}/${event.object.metadata.name}`;
      const written = this.#written.get(id);
      if (written && (event.type === "deleted" || written.metadata.resourceVersion === event.object.metadata.resourceVersion)) this.#written.delete(id);
    });
  }

  #cachedExperiment(key: ExperimentKey): KubeObject | undefined {
    if (!this.#experiments?.synced) return undefined;
    const cached = this.#experiments.get(key.namespace, key.name);
    if (!cached) return undefined;
    const id = `${key.namespace}/${key.name}`;
    const fresher = this.#fresher.get(id);
    if (fresher === undefined) return cached;
    if (fresher !== READ_FROM_API && cached.metadata.resourceVersion === fresher) {
      this.#fresher.delete(id);
      this.#written.delete(id);
      return cached;
    }
    const written = this.#written.get(id);
    return written !== undefined && written.metadata.resourceVersion === fresher ? written : undefined;
  }

  /** @throws KubeError when the API cannot be read, or `Invalid` when the object is not a valid Experiment. */
  async getExperiment(key: ExperimentKey): Promise<Experiment | undefined> {
    const cached = this.#cachedExperiment(key);
    // A copy: whatever the caller changes must not change the cache under the informer.
    if (cached) return readExperiment(cloneJson(cached));
    let object: KubeObject;
    try {
      object = await this.#clients.api.request<KubeObject>({ method: "GET", path: experimentPath(key), subject: `Experiment ${key.namespace}/${key.name}` });
    } catch (error) {
      if (isKubeError(error, KubeErrorCode.NotFound)) {
        this.#fresher.delete(`${key.namespace}/${key.name}`);
        this.#written.delete(`${key.namespace}/${key.name}`);
        return undefined;
      }
      throw error;
    }
    if (this.#experiments && object.metadata.resourceVersion) this.#fresher.set(`${key.namespace}/${key.name}`, object.metadata.resourceVersion);
    return readExperiment(object);
  }

  /** Experiments that do not match the schema are left out: they can neither run nor hold a target. */
  async listExperiments(filter: { target?: string } = {}): Promise<Experiment[]> {
    let objects: KubeObject[];
    const cache = this.#experiments?.synced ? this.#experiments : undefined;
    if (cache) {
      objects = cache.list();
    } else {
      const path = `/apis/${EXPERIMENT_RESOURCE.group}/${EXPERIMENT_RESOURCE.version}/${EXPERIMENT_RESOURCE.plural}`;
      ({ items: objects } = await listAll(this.#clients.api, { path, apiVersion: EXPERIMENT_RESOURCE.apiVersion, kind: EXPERIMENT_RESOURCE.kind, subject: "Experiments in all namespaces" }));
    }
    const experiments: Experiment[] = [];
    for (const object of objects) {
      if (filter.target !== undefined && (object.spec as { target?: unknown } | undefined)?.target !== filter.target) continue;
      try {
        experiments.push(parseStoredExperiment(cache ? cloneJson(object) : object));
      } catch {
        // See the method's documentation.
      }
    }
    return experiments;
  }

  async writeStatus(key: ExperimentKey, status: ExperimentStatus, resourceVersion: string | undefined, previous?: ExperimentStatus): Promise<StatusWriteResult> {
    const id = `${key.namespace}/${key.name}`;
    const metadata: Record<string, string> = { name: key.name, namespace: key.namespace };
    let written: KubeObject | undefined;
    try {
      // With no status stored yet there is no /status to patch into: the first write is a PUT.
      if (resourceVersion !== undefined && previous !== undefined && Object.keys(previous).length > 0 && this.#statusPatches) written = await this.#patchChangedStatus(key, status, resourceVersion, previous);
      if (written !== undefined) {
        // Sent as a patch of what changed.
      } else if (resourceVersion !== undefined) {
        metadata.resourceVersion = resourceVersion;
        written = await this.#clients.api.request<KubeObject>({
          method: "PUT",
          path: experimentPath(key, "status"),
          body: { apiVersion: EXPERIMENT_RESOURCE.apiVersion, kind: EXPERIMENT_RESOURCE.kind, metadata, status },
          subject: `status of Experiment ${id}`,
        });
      } else {
        // Asked for an unguarded write: replace the whole status in one patch.
        written = await this.#clients.api.request<KubeObject>({
          method: "PATCH",
          path: experimentPath(key, "status"),
          body: [{ op: "add", path: "/status", value: status }],
          contentType: "application/json-patch+json",
          subject: `status of Experiment ${id}`,
        });
      }
    } catch (error) {
      if (isKubeError(error, KubeErrorCode.Conflict)) {
        if (this.#experiments) this.#fresher.set(id, READ_FROM_API);
        this.#written.delete(id);
        return { kind: "conflict" };
      }
      if (isKubeError(error, KubeErrorCode.NotFound)) {
        this.#fresher.delete(id);
        this.#written.delete(id);
        return { kind: "notFound" };
      }
      throw error;
    }
    const version = written?.metadata.resourceVersion;
    if (this.#experiments) {
      this.#fresher.set(id, version ?? READ_FROM_API);
      // The answer is the whole object as stored: the next reconcile reads it while the watch event is on its way.
      if (version !== undefined && written?.metadata.name === key.name) this.#written.set(id, withoutManagedFields(written));
      else this.#written.delete(id);
    }
    return version === undefined ? { kind: "written" } : { kind: "written", resourceVersion: version };
  }

  /**
   * Sends only what changed between `previous` and `status` as a JSON Patch whose first operation
   * puts back the resourceVersion that was read: the API server then refuses the write with a
   * conflict when the object changed since, exactly like a PUT carrying that resourceVersion.
   * Answers undefined when the patch could not be applied (the stored status is not the one it
   * was computed from, which the API server reports as a bare 422): the caller then PUTs the
   * whole status with the same guard, which settles it with success or a conflict.
   */
  async #patchChangedStatus(key: ExperimentKey, status: ExperimentStatus, resourceVersion: string, previous: ExperimentStatus): Promise<KubeObject | undefined> {
    const operations: JsonPatchOperation[] = [{ op: "replace", path: "/metadata/resourceVersion", value: resourceVersion }, ...statusPatch(previous, status)];
    try {
      return await this.#clients.api.request<KubeObject>({
        method: "PATCH",
        path: experimentPath(key, "status"),
        body: operations,
        contentType: "application/json-patch+json",
        subject: `status of Experiment ${key.namespace}/${key.name}`,
      });
    } catch (error) {
      if (isKubeError(error, KubeErrorCode.Invalid) && error.httpStatus === 422 && error.causes.length === 0) return undefined;
      throw error;
    }
  }

  /** @throws KubeError when the API cannot be read, or `Invalid` (final) when the object is not a valid Metric. */
  async getMetric(namespace: string, name: string): Promise<Metric | undefined> {
    const cached = this.#metrics?.synced ? this.#metrics.get(namespace, name) : undefined;
    if (cached) return parseStoredMetric(cloneJson(cached));
    try {
      return parseStoredMetric(await this.#clients.api.request<KubeObject>({ method: "GET", path: metricPath(namespace, name), subject: `Metric ${namespace}/${name}` }));
    } catch (error) {
      if (isKubeError(error, KubeErrorCode.NotFound)) return undefined;
      throw error;
    }
  }
}
