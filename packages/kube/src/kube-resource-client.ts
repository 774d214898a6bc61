import { PatchStrategy } from "@kubernetes/client-node";
import type { CallOptions, JsonPatchOperation, KubeObject, ListQuery, ObjectKey, ObjectList, ResourceClient, WatchEvent } from "@iter8ts/resources";
import type { KubeClients } from "./create-kube-clients";
import { toResourceError } from "./kube-error";
import { classifyPatchRefusal, mayHaveFailedTest } from "./json-patch-refusal";
import { describeCoordinates } from "./resource-mapper";
import { listAll } from "./list-all";
import { toKubeError } from "./to-kube-error";
import { watchEventError, watchStream } from "./watch-stream";

/** Settings of {@link KubeResourceClient}. */
export interface KubeResourceClientOptions {
  /** Page size of lists (default 500). */
  pageSize?: number;
}

/** apiVersion of a list's items, from the path `/api/v1/...` or `/apis/<group>/<version>/...`. */
function apiVersionFromPath(path: string): string {
  const parts = path.split("/");
  return parts[1] === "api" ? (parts[2] ?? "v1") : `${parts[2]}/${parts[3]}`;
}

/**
 * The weights package's `ResourceClient` on the Kubernetes API: any kind the server serves, found
 * through discovery. Patches are JSON Patches (`application/json-patch+json`) applied atomically
 * by the server; a `test` operation that fails is reported as a `conflict`, so callers re-read and
 * plan again. The server's 422 does not say that a test failed, so a refused patch with tests is
 * followed by a read of the object: a tested value that changed makes it a `conflict`, tests that
 * all still hold leave it `invalid` (see {@link classifyPatchRefusal}). Every failure is a `ResourceError`: `not_found` (404, or a kind the server does not
 * serve) and `invalid` (400/422) are final; `conflict` (409) and `unavailable` (network, 429,
 * 5xx) are retryable.
 */
export class KubeResourceClient implements ResourceClient {
  readonly #clients: KubeClients;
  readonly #pageSize: number;

  constructor(clients: KubeClients, options: KubeResourceClientOptions = {}) {
    this.#clients = clients;
    this.#pageSize = options.pageSize ?? 500;
  }

  async #run<T>(subject: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toResourceError(toKubeError(error, subject));
    }
  }

  get(key: ObjectKey, options: CallOptions = {}): Promise<KubeObject> {
    const subject = describeCoordinates(key);
    return this.#run(subject, async () => {
      const path = await this.#clients.mapper.path(key, "object");
      return this.#clients.api.request<KubeObject>({ method: "GET", path, subject, ...signal(options) });
    });
  }

  patch(key: ObjectKey, operations: readonly JsonPatchOperation[], options: CallOptions = {}): Promise<KubeObject> {
    const subject = describeCoordinates(key);
    return this.#run(subject, async () => {
      const path = await this.#clients.mapper.path(key, "object");
      try {
        return await this.#clients.api.request<KubeObject>({
          method: "PATCH",
          path,
          body: operations,
          contentType: PatchStrategy.JsonPatch,
          subject,
          ...signal(options),
        });
      } catch (error) {
        const refusal = toKubeError(error, subject);
        if (!mayHaveFailedTest(refusal, operations)) throw refusal;
        // The 422 does not say which operation failed: read the object again to tell a changed
        // object (a conflict, retried by the caller) from a patch that cannot apply.
        const current = await this.#clients.api.request<KubeObject>({ method: "GET", path, subject, ...signal(options) });
        throw classifyPatchRefusal(subject, refusal, operations, current);
      }
    });
  }

  list(query: ListQuery, options: CallOptions = {}): Promise<ObjectList> {
    const subject = describeCoordinates(query);
    return this.#run(subject, async () => {
      const path = await this.#clients.mapper.path(query, "collection");
      return listAll(this.#clients.api, {
        path,
        apiVersion: query.apiVersion ?? apiVersionFromPath(path),
        kind: query.kind,
        labelSelector: query.labelSelector,
        pageSize: this.#pageSize,
        subject,
        signal: options.signal,
      });
    });
  }

  async *watch(query: ListQuery & { resourceVersion?: string }, options: CallOptions = {}): AsyncIterable<WatchEvent> {
    const subject = describeCoordinates(query);
    const path = await this.#run(subject, () => this.#clients.mapper.path(query, "collection"));
    const params: Record<string, string> = { allowWatchBookmarks: "true" };
    if (query.resourceVersion) params.resourceVersion = query.resourceVersion;
    if (query.labelSelector) params.labelSelector = query.labelSelector;
    try {
      for await (const event of watchStream(this.#clients.watch, path, params, options.signal)) {
        if (event.type === "BOOKMARK") continue;
        if (event.type === "ERROR") throw watchEventError(subject, event.object);
        yield { type: event.type, object: event.object as KubeObject };
      }
    } catch (error) {
      throw toResourceError(toKubeError(error, subject));
    }
  }
}

function signal(options: CallOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}
