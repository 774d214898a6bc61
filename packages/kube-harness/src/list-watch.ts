/**
 * Keeping up with a collection on the API server, as client-go's reflector does: list, then watch
 * from the list's resourceVersion; resume after a stream ends (the API server closes watches now
 * and then, and restarts), list again after 410 Gone.
 */
import { apiRequest, apiStream } from "./api-request";
import type { ClusterAccess } from "./cluster-access";

/** A JSON object as the API server sends it. */
export type ApiObject = Record<string, unknown> & { metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string } };

/** What happened to an object; after a relist, objects that went missing are reported `DELETED`. */
export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

/** Options of {@link listWatch}. */
export interface ListWatchOptions {
  /** Ends the loop (and the open stream). */
  readonly signal: AbortSignal;
  /** Pause after a failed list or stream before trying again; default 250 ms. */
  readonly retryDelayMs?: number;
  /** Called once the first list has been handled. */
  readonly onSynced?: () => void;
}

interface WatchEvent {
  type: ChangeType | "BOOKMARK" | "ERROR";
  object: ApiObject & { code?: number };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Calls `onChange` for every object of the collection at `path` (e.g. `/apis/batch/v1/jobs`) and
 * every change after, until `options.signal` aborts. Resolves then.
 */
export async function listWatch(access: ClusterAccess, path: string, onChange: (type: ChangeType, object: ApiObject) => void, options: ListWatchOptions): Promise<void> {
  const { signal } = options;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const known = new Map<string, ApiObject>();
  let resourceVersion = "";
  let synced = false;
  const uidOf = (o: ApiObject) => o.metadata?.uid ?? "";

  while (!signal.aborted) {
    if (!resourceVersion) {
      const list = await apiRequest(access, "GET", path, { timeoutMs: 30_000 });
      if (signal.aborted) break;
      if (list.status !== 200) {
        await sleep(retryDelayMs, signal);
        continue;
      }
      const { items = [], metadata = {} } = JSON.parse(list.body) as { items?: ApiObject[]; metadata?: { resourceVersion?: string } };
      const listed = new Set(items.map(uidOf));
      for (const [uid, object] of known) {
        if (listed.has(uid)) continue;
        known.delete(uid);
        onChange("DELETED", object);
      }
      for (const item of items) {
        const before = known.get(uidOf(item));
        known.set(uidOf(item), item);
        if (!before) onChange("ADDED", item);
        else if (before.metadata?.resourceVersion !== item.metadata?.resourceVersion) onChange("MODIFIED", item);
      }
      resourceVersion = metadata.resourceVersion ?? "";
      if (!synced) {
        synced = true;
        options.onSynced?.();
      }
    }

    const query = new URLSearchParams({ watch: "true", resourceVersion, allowWatchBookmarks: "true" });
    const stream = new AbortController();
    const streamSignal = AbortSignal.any([signal, stream.signal]);
    const result = await apiStream(
      access,
      `${path}?${query}`,
      (line) => {
        let event: WatchEvent;
        try {
          event = JSON.parse(line) as WatchEvent;
        } catch {
          return;
        }
        if (event.type === "ERROR") {
          // 410 Gone: the resourceVersion is too old to resume from; anything else, start over too.
          resourceVersion = "";
          stream.abort();
          return;
        }
        resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
        if (event.type === "BOOKMARK") return;
        if (event.type === "DELETED") known.delete(uidOf(event.object));
        else known.set(uidOf(event.object), event.object);
        onChange(event.type, event.object);
      },
      streamSignal,
    );
    if (result.status === 410) resourceVersion = "";
    if (result.status !== 200 && !signal.aborted) await sleep(retryDelayMs, signal);
  }
}
