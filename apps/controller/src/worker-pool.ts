import type { WorkQueue } from "./work-queue";

/** A running set of workers pulling keys from one queue. */
export interface WorkerPool {
  /** Resolves when every worker has returned (after the queue shut down). */
  readonly finished: Promise<void>;
}

/**
 * Starts `count` workers. Each takes a key, runs `handle` on it and marks it done, until the queue
 * shuts down. A throw from `handle` goes to `onError` and never stops a worker: the handler is
 * responsible for requeueing.
 */
export function startWorkers(
  queue: WorkQueue,
  count: number,
  handle: (key: string) => Promise<void>,
  onError: (key: string, error: unknown) => void,
): WorkerPool {
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await handle(key);
      } catch (error) {
        onError(key, error);
      } finally {
        queue.done(key);
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, count) }, () => worker());
  return { finished: Promise.all(workers).then(() => undefined) };
}
