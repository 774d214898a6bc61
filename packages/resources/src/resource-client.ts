/**
 * The port through which Kubernetes-style objects are read and written: weights are patched
 * through it, tasks check through it that objects are ready. `@iter8ts/kube` implements it against
 * the API server, `@iter8ts/local` against files, and `@iter8ts/resources/testing` in memory.
 */

/** Identifies one object. Without `apiVersion`, the implementation resolves `kind` itself. */
export interface ObjectKey {
  apiVersion?: string;
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** A Kubernetes-style object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One RFC 6902 JSON Patch operation. */
export type JsonPatchOperation =
  | { op: "add" | "replace" | "test"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "move" | "copy"; from: string; path: string };

/** Which objects {@link ResourceClient.list} and {@link ResourceClient.watch} return. */
export interface ListQuery {
  apiVersion?: string;
  kind: string;
  /** All namespaces when absent. */
  namespace?: string;
  /** Equality-based selector such as `app=reviews,tier=backend`. */
  labelSelector?: string;
}

/** The objects a list returned, and the version of the collection to watch from. */
export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
}

/** A change to a watched object. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * Reads and writes objects. Every method rejects with a `ResourceError` only:
 * `not_found` for a missing object, `conflict` when a patch's preconditions fail (a JSON Patch
 * `test` operation that does not hold is a conflict, not an invalid request), `invalid`,
 * `forbidden` or `unavailable` otherwise.
 */
export interface ResourceClient {
  /** Reads one object. */
  get(key: ObjectKey, options?: CallOptions): Promise<KubeObject>;
  /**
   * Applies a JSON Patch (`application/json-patch+json`) atomically: either every operation
   * applies or none does. Returns the object as stored afterwards.
   */
  patch(key: ObjectKey, operations: readonly JsonPatchOperation[], options?: CallOptions): Promise<KubeObject>;
  /** Lists objects. */
  list(query: ListQuery, options?: CallOptions): Promise<ObjectList>;
  /**
   * Streams changes after `resourceVersion` (from a list) until the signal aborts. Implementations
   * that cannot watch may omit this; callers then poll with {@link ResourceClient.get}.
   */
  watch?(query: ListQuery & { resourceVersion?: string }, options?: CallOptions): AsyncIterable<WatchEvent>;
}

/** `Kind namespace/name` (or `Kind name` when cluster-scoped), for messages. */
export function describeObject(key: ObjectKey): string {
  return key.namespace ? `${key.kind} ${key.namespace}/${key.name}` : `${key.kind} ${key.name}`;
}

/** The key of an object, for comparing and grouping. */
export function objectKeyOf(object: KubeObject): ObjectKey {
  const key: ObjectKey = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
  if (object.metadata.namespace !== undefined) key.namespace = object.metadata.namespace;
  return key;
}

/** A string that is equal for keys naming the same object. */
export function objectKeyId(key: ObjectKey): string {
  return JSON.stringify([key.apiVersion ?? "", key.kind, key.namespace ?? "", key.name]);
}
