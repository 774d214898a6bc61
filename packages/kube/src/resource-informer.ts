import type { KubeObject } from "@iter8ts/resources";
import { abortableDelay, backoffDelay } from "./abortable-delay";
import { withoutManagedFields } from "./clone-json";
import type { KubeClients } from "./create-kube-clients";
import { KubeError, KubeErrorCode } from "./kube-error";
import { describeCoordinates, type ResourceCoordinates } from "./resource-mapper";
import { listAll } from "./list-all";
import { toKubeError } from "./to-kube-error";
import { watchEventError, watchStream } from "./watch-stream";

/** What happened to a cached object. */
export const InformerEventType = {
  Added: "added",
  Modified: "modified",
  Deleted: "deleted",
} as const;
export type InformerEventType = (typeof InformerEventType)[keyof typeof InformerEventType];

/** A change to the cache: the object as it is now (as it was last, for `deleted`). */
export interface InformerEvent<T extends KubeObject = KubeObject> {
  type: InformerEventType;
  object: T;
  /** The cached object before a `modified` event. */
  previous?: T;
}

/** Settings of {@link ResourceInformer}. */
export interface ResourceInformerOptions {
  /** The kind to follow; without `namespace`, every namespace. */
  resource: Omit<ResourceCoordinates, "name">;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of lists (default 500). */
  pageSize?: number;
  /** First delay after a failure (default 250 ms); doubles up to `maxBackoffMs` (default 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * How long the server keeps one watch open before closing it, in seconds (default 300, with
   * jitter up to twice that); the informer then resumes from where it was.
   */
  watchTimeoutSeconds?: number;
}

/** Counters for health checks and metrics. */
export interface InformerStats {
  /** Full lists made (the first one included). */
  lists: number;
  /** Watches opened. */
  watches: number;
  /** Failures (list or watch) followed by a delayed retry. */
  failures: number;
  /** Lists forced by 410 Gone (a resume from a version the server has forgotten). */
  relistsAfterGone: number;
  /** Objects changed by watch events. */
  events: number;
  lastError: KubeError | undefined;
}

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/**
 * A local copy of every object of one kind, kept current by list + watch, with change
 * notifications — the same contract as client-go's informers, and more forgiving than
 * client-node's `makeInformer`, which stops on the first error that is not 410:
 *
 * - a watch the server ends is resumed from the last resourceVersion seen (bookmarks included);
 * - a watch or list that fails (connection refused, 5xx, reset) is retried with backoff, resuming
 *   from the last resourceVersion, forever, until {@link ResourceInformer.stop};
 * - 410 Gone (a resume from a version the server no longer keeps) lists again; objects that
 *   vanished meanwhile are reported as `deleted`, changed ones as `modified`.
 *
 * Listeners see every change exactly once per resourceVersion, in order. Cached objects (and the
 * ones listeners see) carry no `metadata.managedFields`: nothing here reads them, and they would
 * be kept for every object.
 */
export class ResourceInformer<T extends KubeObject = KubeObject> {
  readonly #clients: KubeClients;
  readonly #options: ResourceInformerOptions;
  readonly #subject: string;
  readonly #cache = new Map<string, T>();
  readonly #listeners = new Set<(event: InformerEvent<T>) => void>();
  readonly #errorListeners = new Set<(error: KubeError) => void>();
  readonly #syncWaiters = new Set<(error?: KubeError) => void>();
  #resourceVersion = "";
  #synced = false;
  #abort: AbortController | undefined;
  #running: Promise<void> | undefined;
  readonly #stats: InformerStats = { lists: 0, watches: 0, failures: 0, relistsAfterGone: 0, events: 0, lastError: undefined };

  constructor(clients: KubeClients, options: ResourceInformerOptions) {
    this.#clients = clients;
    this.#options = options;
    this.#subject = `informer for ${describeCoordinates(options.resource)}${options.resource.namespace ? "" : " in all namespaces"}`;
  }

  /** True once the first list has filled the cache. */
  get synced(): boolean {
    return this.#synced;
  }

  /** The resourceVersion the cache is current to. */
  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  /** A snapshot of the counters. */
  get stats(): InformerStats {
    return { ...this.#stats };
  }

  /** True while started. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Starts listing and watching in the background; a second call does nothing. */
  start(): void {
    if (this.#running) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#running = this.#run(abort.signal);
  }

  /** Stops watching; the cache keeps its content. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    const stopped = new KubeError(KubeErrorCode.Aborted, `${this.#subject}: stopped before the first list`);
    for (const waiter of [...this.#syncWaiters]) waiter(stopped);
    await this.#running;
    this.#running = undefined;
    this.#abort = undefined;
  }

  /**
   * Resolves once the cache is filled.
   *
   * @throws KubeError `Unavailable` when `timeoutMs` passes first (the last failure is its cause).
   */
  waitForSync(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (error?: KubeError) => {
        this.#syncWaiters.delete(onSync);
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onSync = (error?: KubeError) => finish(error);
      const onAbort = () => finish(new KubeError(KubeErrorCode.Aborted, `${this.#subject}: stopped waiting for the first list`));
      this.#syncWaiters.add(onSync);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const last = this.#stats.lastError;
          finish(
            new KubeError(KubeErrorCode.Unavailable, `${this.#subject}: not synced after ${options.timeoutMs} ms${last ? `: ${last.message}` : ""}`, last ? { cause: last } : {}),
          );
        }, options.timeoutMs);
      }
    });
  }

  /** The cached object, or undefined. Cluster-scoped objects have no namespace. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.#cache.get(keyOf(namespace, name));
  }

  /** The cached objects (of one namespace, when given). */
  list(namespace?: string): T[] {
    const all = [...this.#cache.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata.namespace ?? "") === namespace);
  }

  /** Calls `listener` on every change; returns the function that unsubscribes it. */
  onChange(listener: (event: InformerEvent<T>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` on every failure that the informer will retry; returns the unsubscriber. */
  onError(listener: (error: KubeError) => void): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  #emit(event: InformerEvent<T>): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the cache and the other listeners carry on.
      }
    }
  }

  #fail(error: KubeError): void {
    this.#stats.failures++;
    this.#stats.lastError = error;
    for (const listener of [...this.#errorListeners]) {
      try {
        listener(error);
      } catch {
        // Same as for change listeners.
      }
    }
  }

  async #run(signal: AbortSignal): Promise<void> {
    const initial = this.#options.initialBackoffMs ?? 250;
    const max = this.#options.maxBackoffMs ?? 10_000;
    let mustList = true;
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const path = await this.#clients.mapper.path(this.#options.resource, "collection");
        if (mustList) {
          await this.#relist(path, signal);
          mustList = false;
        }
        const opened = Date.now();
        const delivered = await this.#watch(path, signal);
        // A stream that ends at once with nothing in it may be a proxy closing on us: back off.
        if (delivered || Date.now() - opened > 1_000) attempt = 0;
        else await abortableDelay(backoffDelay(++attempt, initial, max), signal);
      } catch (error) {
        if (signal.aborted) break;
        const failure = toKubeError(error, this.#subject);
        if (failure.code === KubeErrorCode.Gone) {
          this.#stats.relistsAfterGone++;
          mustList = true;
          continue;
        }
        this.#fail(failure);
        await abortableDelay(backoffDelay(++attempt, initial, max), signal);
      }
    }
  }

  async #relist(path: string, signal: AbortSignal): Promise<void> {
    const apiVersion = this.#options.resource.apiVersion ?? (await this.#clients.mapper.apiVersionOf(this.#options.resource.kind));
    const { items, resourceVersion } = await listAll(this.#clients.api, {
      path,
      apiVersion,
      kind: this.#options.resource.kind,
      labelSelector: this.#options.labelSelector,
      fieldSelector: this.#options.fieldSelector,
      pageSize: this.#options.pageSize,
      subject: this.#subject,
      signal,
    });
    const fresh = new Map<string, T>();
    for (const item of items) fresh.set(keyOf(item.metadata.namespace, item.metadata.name), withoutManagedFields(item) as T);
    this.#stats.lists++;

    const events: InformerEvent<T>[] = [];
    for (const [key, old] of this.#cache) {
      if (!fresh.has(key)) events.push({ type: InformerEventType.Deleted, object: old });
    }
    for (const [key, object] of fresh) {
      const old = this.#cache.get(key);
      if (!old) events.push({ type: InformerEventType.Added, object });
      else if (old.metadata.resourceVersion !== object.metadata.resourceVersion) events.push({ type: InformerEventType.Modified, object, previous: old });
    }
    this.#cache.clear();
    for (const [key, object] of fresh) this.#cache.set(key, object);
    this.#resourceVersion = resourceVersion;
    const firstSync = !this.#synced;
    this.#synced = true;
    for (const event of events) this.#emit(event);
    if (firstSync) for (const waiter of [...this.#syncWaiters]) waiter();
  }

  /** Watches from the cache's version until the stream ends; true when it delivered anything. */
  async #watch(path: string, signal: AbortSignal): Promise<boolean> {
    const base = this.#options.watchTimeoutSeconds ?? 300;
    const params: Record<string, string> = {
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: "true",
      timeoutSeconds: String(Math.round(base * (1 + Math.random()))),
    };
    if (this.#options.labelSelector) params.labelSelector = this.#options.labelSelector;
    if (this.#options.fieldSelector) params.fieldSelector = this.#options.fieldSelector;
    this.#stats.watches++;
    let delivered = false;
    for await (const event of watchStream(this.#clients.watch, path, params, signal)) {
      if (event.type === "ERROR") throw watchEventError(this.#subject, event.object);
      delivered = true;
      const object = event.object as T;
      const version = object.metadata?.resourceVersion;
      if (event.type !== "BOOKMARK") this.#apply(event.type, object);
      if (version) this.#resourceVersion = version;
    }
    return delivered;
  }

  #apply(type: "ADDED" | "MODIFIED" | "DELETED", object: T): void {
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const old = this.#cache.get(key);
    if (type === "DELETED") {
      if (!old) return;
      this.#cache.delete(key);
      this.#stats.events++;
      this.#emit({ type: InformerEventType.Deleted, object });
      return;
    }
    if (old?.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.#cache.set(key, withoutManagedFields(object));
    this.#stats.events++;
    this.#emit(old ? { type: InformerEventType.Modified, object, previous: old } : { type: InformerEventType.Added, object });
  }
}
