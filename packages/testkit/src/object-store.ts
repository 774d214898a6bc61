/**
 * The server's "etcd": stored objects by collection, one global resourceVersion counter bumped on
 * every write, and a bounded history of changes that watches resume from. Resuming from a version
 * older than the history answers 410 Gone, as a compacted etcd does.
 */
import { deepClone, type JsonObject } from "./json-value";
import { metaString, metadataOf } from "./kube-object";

/** The three kinds of change a watch reports. */
export const ChangeType = {
  Added: "ADDED",
  Modified: "MODIFIED",
  Deleted: "DELETED",
} as const;
export type ChangeType = (typeof ChangeType)[keyof typeof ChangeType];

/** One committed write. `object` carries the new resourceVersion (also on deletes). */
export interface StoredChange {
  resourceVersion: number;
  type: ChangeType;
  storage: string;
  object: JsonObject;
  /** The object before the write (absent for ADDED); used to turn selector transitions into ADDED/DELETED. */
  previous: JsonObject | undefined;
}

/** Receives every committed write, in order. */
export type ChangeListener = (change: StoredChange) => void;

/** Key of an object within its collection: `namespace/name` (namespace empty for cluster scope). */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Versioned in-memory storage. Objects handed out are copies; callers never alias stored state. */
export class ObjectStore {
  private counter = 0;
  private compacted = 0;
  private readonly collections = new Map<string, Map<string, JsonObject>>();
  private history: StoredChange[] = [];
  private readonly listeners = new Set<ChangeListener>();

  /** @param historyLimit how many changes a watch can resume across before 410 Gone. */
  constructor(private readonly historyLimit: number) {}

  /** The latest resourceVersion (what a list reports). */
  get resourceVersion(): number {
    return this.counter;
  }

  /** The highest version no longer in the history; a watch must start at or after it. */
  get compactedVersion(): number {
    return this.compacted;
  }

  private collection(storage: string): Map<string, JsonObject> {
    let c = this.collections.get(storage);
    if (!c) {
      c = new Map();
      this.collections.set(storage, c);
    }
    return c;
  }

  /** A copy of one stored object. */
  get(storage: string, namespace: string, name: string): JsonObject | undefined {
    const obj = this.collections.get(storage)?.get(objectKey(namespace, name));
    return obj ? deepClone(obj) : undefined;
  }

  /** Copies of the objects of a collection (one namespace, or all), in key order like etcd. */
  list(storage: string, namespace?: string): JsonObject[] {
    return this.peek(storage, namespace).map((o) => deepClone(o));
  }

  /**
   * The stored objects themselves, in key order, for read paths that copy what they hand out
   * anyway (lists and watches serve thousands of objects; copying twice shows). Never modify them.
   */
  peek(storage: string, namespace?: string): readonly Readonly<JsonObject>[] {
    const c = this.collections.get(storage);
    if (!c) return [];
    const keys = [...c.keys()].filter((k) => namespace === undefined || k.startsWith(`${namespace}/`)).sort();
    return keys.map((k) => c.get(k) as JsonObject);
  }

  /**
   * Writes `object` (ADDED/MODIFIED) or removes it (DELETED), stamping the next resourceVersion.
   * Returns the change, whose object is what clients see.
   */
  commit(type: ChangeType, storage: string, object: JsonObject): StoredChange {
    const namespace = metaString(object, "namespace");
    const name = metaString(object, "name");
    const key = objectKey(namespace, name);
    const c = this.collection(storage);
    const previous = c.get(key);
    this.counter += 1;
    const stored = deepClone(object);
    metadataOf(stored).resourceVersion = String(this.counter);
    if (type === ChangeType.Deleted) c.delete(key);
    else c.set(key, stored);
    const change: StoredChange = { resourceVersion: this.counter, type, storage, object: stored, previous: previous ? deepClone(previous) : undefined };
    this.history.push(change);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compacted = dropped[dropped.length - 1]?.resourceVersion ?? this.compacted;
    }
    for (const l of [...this.listeners]) l(change);
    return change;
  }

  /** Changes after `version`, or undefined when some of them are no longer kept. */
  changesSince(version: number): StoredChange[] | undefined {
    if (version < this.compacted) return undefined;
    return this.history.filter((c) => c.resourceVersion > version);
  }

  /** Forgets the whole history, so every watch resume from an older version gets 410 Gone. */
  compact(): void {
    this.history = [];
    this.compacted = this.counter;
  }

  /**
   * Drops every object and the history. The counter keeps counting up, so versions clients hold
   * from before are all "too old" rather than silently meaning something new.
   */
  clear(): void {
    this.collections.clear();
    this.compact();
  }

  /** Calls `listener` for each later commit; returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
