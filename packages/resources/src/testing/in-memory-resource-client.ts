import { applyJsonPatch, JsonPatchError } from "../json-patch";
import { LabelSelectorError, matchesLabelSelector, parseLabelSelector, type LabelSelector } from "../label-selector";
import {
  describeObject,
  objectKeyId,
  objectKeyOf,
  type CallOptions,
  type JsonPatchOperation,
  type KubeObject,
  type ListQuery,
  type ObjectKey,
  type ObjectList,
  type ResourceClient,
  type WatchEvent,
} from "../resource-client";
import { ResourceError, type ResourceErrorCode } from "../resource-error";

/** One call the client received, for assertions in tests. */
export type RecordedCall =
  | { method: "get"; key: ObjectKey }
  | { method: "patch"; key: ObjectKey; operations: JsonPatchOperation[]; outcome: "applied" | ResourceErrorCode }
  | { method: "list"; query: ListQuery };

interface Fault {
  key?: ObjectKey;
  code: ResourceErrorCode;
  remaining: number;
}

interface Edit {
  key: ObjectKey;
  mutate: (object: KubeObject) => void;
}

function matches(object: KubeObject, query: { apiVersion?: string; kind: string; namespace?: string; name?: string }): boolean {
  if (object.kind !== query.kind) return false;
  if (query.apiVersion !== undefined && object.apiVersion !== query.apiVersion) return false;
  if (query.namespace !== undefined && (object.metadata.namespace ?? "") !== query.namespace) return false;
  if (query.name !== undefined && object.metadata.name !== query.name) return false;
  return true;
}

/** The selector of a list or watch; text the API server would refuse is `invalid`, as its 400 is. */
function labelSelectorOf(query: ListQuery): LabelSelector {
  try {
    return parseLabelSelector(query.labelSelector);
  } catch (error) {
    if (error instanceof LabelSelectorError) throw new ResourceError("invalid", `label selector ${JSON.stringify(query.labelSelector)}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * A {@link ResourceClient} over objects kept in memory, for tests and examples. It behaves as the
 * API server does where weights and readiness care: every write bumps a cluster-wide
 * `resourceVersion`, a JSON Patch applies atomically, a failing `test` operation is a `conflict`,
 * a missing object is `not_found`. Tests can make a concurrent writer edit an object just before
 * the next patch ({@link InMemoryResourceClient.editBeforeNextPatch}) or make calls fail
 * ({@link InMemoryResourceClient.failNextPatches}).
 */
export class InMemoryResourceClient implements ResourceClient {
  private readonly objects = new Map<string, KubeObject>();
  private version = 0;
  private readonly faults: Fault[] = [];
  private readonly edits: Edit[] = [];
  private readonly history: { rv: number; event: WatchEvent }[] = [];
  private readonly listeners = new Set<() => void>();
  /** Every call received, in order. */
  readonly calls: RecordedCall[] = [];

  constructor(objects: readonly KubeObject[] = []) {
    for (const object of objects) this.put(object);
  }

  /** Creates or replaces an object (as `kubectl apply` would) and returns it as stored. */
  put(object: KubeObject): KubeObject {
    const id = objectKeyId(objectKeyOf(object));
    const existed = this.objects.has(id);
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.version);
    this.objects.set(id, stored);
    this.emit({ type: existed ? "MODIFIED" : "ADDED", object: stored });
    return structuredClone(stored);
  }

  /** Deletes an object. */
  delete(key: ObjectKey): void {
    const id = this.resolve(key);
    const object = this.objects.get(id) as KubeObject;
    this.objects.delete(id);
    this.version++;
    this.emit({ type: "DELETED", object });
  }

  /** The stored object, or undefined; no call is recorded. */
  peek(key: ObjectKey): KubeObject | undefined {
    const id = this.find(key);
    const object = id === undefined ? undefined : this.objects.get(id);
    return object && structuredClone(object);
  }

  /**
   * The next `times` patches (of `key`, or of any object) fail with `code` without changing
   * anything, as an API server under contention or failing would.
   */
  failNextPatches(times: number, code: ResourceErrorCode = "conflict", key?: ObjectKey): void {
    const fault: Fault = { code, remaining: times };
    if (key) fault.key = key;
    this.faults.push(fault);
  }

  /**
   * Just before the next patch of `key` is applied, another writer changes the object with
   * `mutate` (bumping its resourceVersion), so a patch planned from an earlier read is stale.
   */
  editBeforeNextPatch(key: ObjectKey, mutate: (object: KubeObject) => void): void {
    this.edits.push({ key, mutate });
  }

  async get(key: ObjectKey, options: CallOptions = {}): Promise<KubeObject> {
    options.signal?.throwIfAborted();
    this.calls.push({ method: "get", key });
    return structuredClone(this.objects.get(this.resolve(key)) as KubeObject);
  }

  async patch(key: ObjectKey, operations: readonly JsonPatchOperation[], options: CallOptions = {}): Promise<KubeObject> {
    options.signal?.throwIfAborted();
    const record = (outcome: "applied" | ResourceErrorCode) =>
      this.calls.push({ method: "patch", key, operations: structuredClone([...operations]), outcome });
    const id = this.find(key);
    const target = id === undefined ? undefined : this.objects.get(id);
    const fault = this.faults.find((f) => f.remaining > 0 && (!f.key || (target !== undefined && matches(target, { ...f.key, namespace: f.key.namespace ?? "" }))));
    if (fault) {
      fault.remaining--;
      record(fault.code);
      throw new ResourceError(fault.code, `injected ${fault.code} patching ${describeObject(key)}`);
    }
    if (id === undefined) {
      record("not_found");
      throw new ResourceError("not_found", `${describeObject(key)} not found`);
    }
    const editIndex = this.edits.findIndex((e) => this.find(e.key) === id);
    if (editIndex >= 0) {
      const [edit] = this.edits.splice(editIndex, 1);
      const edited = structuredClone(this.objects.get(id) as KubeObject);
      edit?.mutate(edited);
      this.put(edited);
    }
    const current = this.objects.get(id) as KubeObject;
    let next: KubeObject;
    try {
      next = applyJsonPatch(current, operations);
    } catch (error) {
      const code: ResourceErrorCode = error instanceof JsonPatchError && error.code === "test_failed" ? "conflict" : "invalid";
      record(code);
      const reason = error instanceof Error ? error.message : String(error);
      throw new ResourceError(code, `patch of ${describeObject(key)} rejected: ${reason}`, { cause: error });
    }
    if (objectKeyId(objectKeyOf(next)) !== id) {
      record("invalid");
      throw new ResourceError("invalid", `patch of ${describeObject(key)} rejected: it may not change apiVersion, kind, namespace or name`);
    }
    record("applied");
    return this.put(next);
  }

  async list(query: ListQuery, options: CallOptions = {}): Promise<ObjectList> {
    options.signal?.throwIfAborted();
    this.calls.push({ method: "list", query });
    const selector = labelSelectorOf(query);
    const items = [...this.objects.values()].filter((o) => matches(o, query) && matchesLabelSelector(selector, o.metadata.labels)).map((o) => structuredClone(o));
    return { items, resourceVersion: String(this.version) };
  }

  async *watch(query: ListQuery & { resourceVersion?: string }, options: CallOptions = {}): AsyncIterable<WatchEvent> {
    const selector = labelSelectorOf(query);
    let after = query.resourceVersion === undefined ? this.version : Number(query.resourceVersion);
    const signal = options.signal;
    while (!signal?.aborted) {
      const pending = this.history.filter((h) => h.rv > after);
      for (const { rv, event } of pending) {
        after = rv;
        if (matches(event.object, query) && matchesLabelSelector(selector, event.object.metadata.labels)) yield structuredClone(event);
        if (signal?.aborted) return;
      }
      // Writes made while the consumer handled those events are picked up before sleeping.
      if (pending.length > 0) continue;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.listeners.delete(wake);
          signal?.removeEventListener("abort", wake);
          resolve();
        };
        this.listeners.add(wake);
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
  }

  private emit(event: WatchEvent): void {
    this.history.push({ rv: this.version, event: structuredClone(event) });
    if (this.history.length > 1000) this.history.shift();
    for (const wake of [...this.listeners]) wake();
  }

  private find(key: ObjectKey): string | undefined {
    const found = [...this.objects.entries()].filter(([, o]) => matches(o, { ...key, namespace: key.namespace ?? "" }));
    if (found.length > 1) {
      throw new ResourceError("invalid", `${describeObject(key)} is ambiguous: ${found.length} kinds named ${key.kind} exist; give its apiVersion`);
    }
    return found[0]?.[0];
  }

  private resolve(key: ObjectKey): string {
    const id = this.find(key);
    if (id === undefined) throw new ResourceError("not_found", `${describeObject(key)} not found`);
    return id;
  }
}
