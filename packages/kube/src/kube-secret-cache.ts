import type { SecretData, SecretStore } from "@iter8ts/metrics";
import { secretValues, type Secret } from "@iter8ts/types";
import type { KubeClients } from "./create-kube-clients";
import { isKubeError, KubeError, KubeErrorCode } from "./kube-error";

/** Settings of {@link KubeSecretCache}. */
export interface KubeSecretCacheOptions {
  /** How long a Secret read (or its absence) is reused, in ms (default 10 s, as in Iter8). */
  ttlMs?: number;
  /** Milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
}

/** Secrets loaded for one round of queries, and why some could not be read. */
export interface LoadedSecrets {
  /** Holds every Secret that could be read; the others are absent. */
  store: SecretStore;
  /** Secrets that exist but may not be read (RBAC), or do not exist. */
  problems: KubeError[];
}

interface Entry {
  data: SecretData | undefined;
  problem: KubeError | undefined;
  expires: number;
}

/**
 * Reads Secrets from the API for metric queries and keeps them for a short while, so an
 * iteration of many metrics reads each Secret once and a rotated credential is picked up
 * within `ttlMs`. Concurrent reads of one Secret share one request.
 */
export class KubeSecretCache {
  readonly #clients: KubeClients;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<Entry>>();

  constructor(clients: KubeClients, options: KubeSecretCacheOptions = {}) {
    this.#clients = clients;
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The decoded data of Secret `namespace/name`, or undefined when it does not exist or may not
   * be read (`problem` says which).
   *
   * @throws KubeError `Unavailable` when the API server cannot be reached: the caller retries later.
   */
  async get(namespace: string, name: string): Promise<{ data: SecretData | undefined; problem: KubeError | undefined }> {
    const id = `${namespace}/${name}`;
    const cached = this.#entries.get(id);
    if (cached && cached.expires > this.#now()) return cached;
    let pending = this.#inFlight.get(id);
    if (!pending) {
      pending = this.#read(namespace, name).finally(() => this.#inFlight.delete(id));
      this.#inFlight.set(id, pending);
    }
    return pending;
  }

  /**
   * Reads several Secrets at once into a store for `queryMetrics`.
   *
   * @throws KubeError `Unavailable` when the API server cannot be reached.
   */
  async load(refs: ReadonlyArray<{ namespace: string; name: string }>): Promise<LoadedSecrets> {
    const unique = new Map(refs.map((r) => [`${r.namespace}/${r.name}`, r]));
    const read = await Promise.all([...unique.values()].map(async (r) => ({ id: `${r.namespace}/${r.name}`, ...(await this.get(r.namespace, r.name)) })));
    const found = new Map<string, SecretData>();
    const problems: KubeError[] = [];
    for (const r of read) {
      if (r.data) found.set(r.id, r.data);
      if (r.problem) problems.push(r.problem);
    }
    return { store: { get: (namespace, name) => found.get(`${namespace}/${name}`) }, problems };
  }

  /** Forgets every cached Secret. */
  clear(): void {
    this.#entries.clear();
  }

  async #read(namespace: string, name: string): Promise<Entry> {
    const subject = `Secret ${namespace}/${name}`;
    let entry: Entry;
    try {
      const secret = await this.#clients.api.request<Secret>({
        method: "GET",
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
        subject,
      });
      entry = { data: secretValues(secret), problem: undefined, expires: this.#now() + this.#ttlMs };
    } catch (error) {
      if (isKubeError(error, KubeErrorCode.NotFound)) {
        const problem = new KubeError(KubeErrorCode.NotFound, `${subject} does not exist; create it in namespace ${namespace} or qualify spec.secret as namespace/name`, { cause: error });
        entry = { data: undefined, problem, expires: this.#now() + this.#ttlMs };
      } else if (isKubeError(error, KubeErrorCode.Forbidden)) {
        entry = { data: undefined, problem: error, expires: this.#now() + this.#ttlMs };
      } else {
        throw error;
      }
    }
    this.#entries.set(`${namespace}/${name}`, entry);
    return entry;
  }
}
