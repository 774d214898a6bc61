/**
 * A work queue keyed by experiment, with the semantics controllers rely on: a key waits in the
 * queue at most once however often it is added, a key is never handed to two workers at once (an
 * add while it is being processed queues it again once the worker is done), delayed adds keep the
 * earliest due time, and failures back off exponentially per key.
 *
 * Keys are handed out fairly across groups (namespaces, for `namespace/name` keys): one key of
 * each group that has keys waiting, in turn, so one namespace with many experiments due cannot
 * make another namespace's experiment wait behind all of them.
 */

/** Timers, injectable so tests can step through delays. */
export interface QueueTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: QueueTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // Pending retries must not keep a process alive that is otherwise done.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

/** Settings of a {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Delay of the first rate-limited retry of a key; doubles with each further failure. Default 500 ms. */
  baseRetryDelayMs?: number;
  /** Longest rate-limited retry delay. Default 5 min. */
  maxRetryDelayMs?: number;
  timers?: QueueTimers;
  /** The group of a key, served in turn with the other groups (default: the text before the first `/`). */
  groupOf?: (key: string) => string;
  /** Keys of one group handed out and not yet done, at most (default: no limit). */
  maxProcessingPerGroup?: number;
}

const namespaceOf = (key: string): string => {
  const slash = key.indexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
};

interface Delayed {
  dueAt: number;
  handle: unknown;
}

/** The queue. Keys are strings such as `namespace/name`. */
export class WorkQueue {
  /** Waiting keys, first in first out within each group. */
  private readonly queues = new Map<string, string[]>();
  /** Groups with waiting keys, in the order they are served. */
  private readonly turns: string[] = [];
  private waiting = 0;
  private readonly groupOf: (key: string) => string;
  private readonly maxPerGroup: number;
  /** Keys being processed, by group. */
  private readonly processingByGroup = new Map<string, number>();
  /** Keys that need processing: waiting in `queue`, or re-added while being processed. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly timers: QueueTimers;
  private readonly baseRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.timers = options.timers ?? realTimers;
    this.baseRetryDelayMs = options.baseRetryDelayMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5 * 60_000;
    this.groupOf = options.groupOf ?? namespaceOf;
    this.maxPerGroup = Math.max(1, options.maxProcessingPerGroup ?? Number.POSITIVE_INFINITY);
  }

  /** Queues a key now. Adding a key that is already waiting changes nothing. */
  add(key: string): void {
    if (this.shuttingDown) return;
    this.cancelDelayed(key);
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /**
   * Queues a key after `delayMs`. When the key already has a delayed add, the earlier of the two
   * due times wins, so a short requeue is never pushed back by a long one.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const dueAt = this.timers.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.dueAt <= dueAt) return;
    if (existing) this.timers.clearTimeout(existing.handle);
    const handle = this.timers.setTimeout(() => {
      const current = this.delayed.get(key);
      if (current?.handle !== handle) return;
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { dueAt, handle });
  }

  /** Queues a key after its backoff: base delay doubled for each failure since the last {@link forget}. */
  addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = Math.min(this.maxRetryDelayMs, this.baseRetryDelayMs * 2 ** Math.min(failures - 1, 30));
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears a key's failure count, so its next rate-limited add starts from the base delay. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Failures counted for a key since the last {@link forget}. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * The next key to process, once one is ready; `undefined` after {@link shutDown}. The caller
   * owns the key until it calls {@link done}.
   */
  get(): Promise<string | undefined> {
    const key = this.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the processing of a key; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    const group = this.groupOf(key);
    const count = (this.processingByGroup.get(group) ?? 1) - 1;
    if (count > 0) this.processingByGroup.set(group, count);
    else this.processingByGroup.delete(group);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
    // A key of a group that was at its limit may be handed out now.
    this.serveWaiters();
    if (this.processing.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Keys waiting to be processed now (not delayed ones, not those being processed). */
  get length(): number {
    return this.waiting;
  }

  /** Keys with a pending delayed add. */
  get delayedCount(): number {
    return this.delayed.size;
  }

  /** Keys handed out and not yet done. */
  get processingCount(): number {
    return this.processing.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops handing out keys: waiting workers get `undefined`, adds are ignored, delayed adds are
   * dropped. Keys being processed may still call {@link done}. Resolves once none is processing.
   */
  shutDown(): Promise<void> {
    this.shuttingDown = true;
    for (const { handle } of this.delayed.values()) this.timers.clearTimeout(handle);
    this.delayed.clear();
    this.queues.clear();
    this.turns.length = 0;
    this.waiting = 0;
    this.dirty.clear();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private push(key: string): void {
    const group = this.groupOf(key);
    const queue = this.queues.get(group);
    if (queue) queue.push(key);
    else {
      this.queues.set(group, [key]);
      this.turns.push(group);
    }
    this.waiting += 1;
    this.serveWaiters();
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0) {
      const key = this.shift();
      if (key === undefined) return;
      this.waiters.shift()!(this.take(key));
    }
  }

  /**
   * The next waiting key: the oldest of the first group in turn that is below its limit; that
   * group goes to the back. None when every group with waiting keys is at its limit.
   */
  private shift(): string | undefined {
    const at = this.turns.findIndex((g) => (this.processingByGroup.get(g) ?? 0) < this.maxPerGroup);
    if (at < 0) return undefined;
    const group = this.turns.splice(at, 1)[0]!;
    const queue = this.queues.get(group)!;
    const key = queue.shift()!;
    if (queue.length > 0) this.turns.push(group);
    else this.queues.delete(group);
    this.waiting -= 1;
    return key;
  }

  private take(key: string): string {
    const group = this.groupOf(key);
    this.processingByGroup.set(group, (this.processingByGroup.get(group) ?? 0) + 1);
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private cancelDelayed(key: string): void {
    const existing = this.delayed.get(key);
    if (!existing) return;
    this.timers.clearTimeout(existing.handle);
    this.delayed.delete(key);
  }
}
