import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WorkQueue } from "./work-queue";
import { startWorkers } from "./worker-pool";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("WorkQueue", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("with maxProcessingPerGroup, hands another namespace's key to a free worker while one namespace holds its share", async () => {
    const queue = new WorkQueue({ maxProcessingPerGroup: 2 });
    for (let i = 1; i <= 4; i++) queue.add(`team-a/slow-${i}`);
    expect(await queue.get()).toBe("team-a/slow-1");
    expect(await queue.get()).toBe("team-a/slow-2");
    // team-a holds two workers: a third worker waits, although team-a has keys waiting ...
    let third: string | undefined;
    void queue.get().then((key) => (third = key));
    await Promise.resolve();
    expect(third).toBeUndefined();
    // ... and takes team-b's key as soon as it is added.
    queue.add("team-b/steady");
    await Promise.resolve();
    expect(third).toBe("team-b/steady");
    // When a team-a key is done, the next team-a key is handed out.
    const fourth = queue.get();
    queue.done("team-a/slow-1");
    expect(await fourth).toBe("team-a/slow-3");
    expect(queue.length).toBe(1);
  });

  it("serves namespaces in turn: many keys of one namespace do not make another's key wait behind them all", async () => {
    const queue = new WorkQueue();
    for (let i = 1; i <= 5; i++) queue.add(`team-a/exp-${i}`);
    queue.add("team-b/only");
    queue.add("team-c/one");
    queue.add("team-b/second");
    expect(queue.length).toBe(8);
    const order: string[] = [];
    for (let i = 0; i < 8; i++) {
      const key = (await queue.get())!;
      order.push(key);
      queue.done(key);
    }
    expect(order).toEqual(["team-a/exp-1", "team-b/only", "team-c/one", "team-a/exp-2", "team-b/second", "team-a/exp-3", "team-a/exp-4", "team-a/exp-5"]);
    expect(queue.length).toBe(0);
  });

  it("hands out keys in the order they were first added, and coalesces repeated adds", async () => {
    const queue = new WorkQueue();
    queue.add("default/a");
    queue.add("default/b");
    queue.add("default/a");
    queue.add("default/a");
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe("default/a");
    expect(await queue.get()).toBe("default/b");
    expect(queue.length).toBe(0);
  });

  it("never hands one key to two workers: an add while it is processed queues it again after done", async () => {
    const queue = new WorkQueue();
    queue.add("ns/x");
    const key = await queue.get();
    expect(key).toBe("ns/x");
    queue.add("ns/x");
    queue.add("ns/x");
    // Still owned by the first worker: nothing to hand out yet.
    expect(queue.length).toBe(0);
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    queue.done("ns/x");
    await Promise.resolve();
    expect(second).toBe("ns/x");
    queue.done("ns/x");
    expect(queue.length).toBe(0);
  });

  it("processes a key once after done when it was not added again", async () => {
    const queue = new WorkQueue();
    queue.add("ns/x");
    const key = await queue.get();
    queue.done(key!);
    expect(queue.length).toBe(0);
    expect(queue.processingCount).toBe(0);
  });

  it("delays adds and keeps the earliest due time of a key", async () => {
    const queue = new WorkQueue();
    queue.addAfter("ns/slow", 10_000);
    queue.addAfter("ns/slow", 2_000);
    queue.addAfter("ns/slow", 30_000);
    expect(queue.delayedCount).toBe(1);
    vi.advanceTimersByTime(1_999);
    expect(queue.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe("ns/slow");
    queue.done("ns/slow");
    // The later timers were replaced, not merely outrun.
    vi.advanceTimersByTime(60_000);
    expect(queue.length).toBe(0);
  });

  it("an immediate add replaces a pending delayed add of the same key", () => {
    const queue = new WorkQueue();
    queue.addAfter("ns/a", 5_000);
    queue.add("ns/a");
    expect(queue.delayedCount).toBe(0);
    expect(queue.length).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(queue.length).toBe(1);
  });

  it("backs off exponentially per key until forgotten, capped at the maximum", () => {
    const queue = new WorkQueue({ baseRetryDelayMs: 100, maxRetryDelayMs: 1_000 });
    expect([1, 2, 3, 4, 5, 6].map(() => queue.addRateLimited("ns/bad"))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(queue.retries("ns/bad")).toBe(6);
    expect(queue.addRateLimited("ns/other")).toBe(100);
    queue.forget("ns/bad");
    expect(queue.addRateLimited("ns/bad")).toBe(100);
  });

  it("after shutDown, waiting workers get undefined, adds are ignored and delayed adds dropped", async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.addAfter("ns/later", 1_000);
    await queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add("ns/new");
    expect(queue.length).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(queue.length).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });

  it("shutDown resolves only once keys being processed are done", async () => {
    const queue = new WorkQueue();
    queue.add("ns/busy");
    await queue.get();
    let drained = false;
    const shutdown = queue.shutDown().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    queue.done("ns/busy");
    await shutdown;
    expect(drained).toBe(true);
  });
});

describe("startWorkers", () => {
  it("runs different keys in parallel but one key by one worker at a time", async () => {
    const queue = new WorkQueue();
    const running = new Map<string, number>();
    let maxSameKey = 0;
    let maxParallel = 0;
    let handled = 0;
    const gates: Array<() => void> = [];
    const pool = startWorkers(
      queue,
      4,
      async (key) => {
        running.set(key, (running.get(key) ?? 0) + 1);
        maxSameKey = Math.max(maxSameKey, running.get(key)!);
        maxParallel = Math.max(maxParallel, [...running.values()].reduce((a, b) => a + b, 0));
        const gate = deferred();
        gates.push(gate.resolve);
        await gate.promise;
        running.set(key, running.get(key)! - 1);
        handled += 1;
      },
      () => {},
    );
    for (const key of ["a", "b", "c", "a", "a"]) queue.add(key);
    await new Promise((r) => setImmediate(r));
    expect(maxParallel).toBe(3);
    // "a" is re-added while a worker holds it; it must wait for that worker.
    queue.add("a");
    for (let i = 0; i < 10 && handled < 4; i++) {
      for (const open of gates.splice(0)) open();
      await new Promise((r) => setImmediate(r));
    }
    expect(handled).toBe(4);
    expect(maxSameKey).toBe(1);
    await queue.shutDown();
    await pool.finished;
  });

  it("reports a throwing handler and keeps working", async () => {
    const queue = new WorkQueue();
    const errors: string[] = [];
    const seen: string[] = [];
    const pool = startWorkers(
      queue,
      1,
      async (key) => {
        seen.push(key);
        if (key === "bad") throw new Error("boom");
      },
      (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    );
    queue.add("bad");
    queue.add("good");
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(["bad", "good"]);
    expect(errors).toEqual(["bad: boom"]);
    expect(queue.processingCount).toBe(0);
    await queue.shutDown();
    await pool.finished;
  });
});
