import type { Watch } from "@kubernetes/client-node";
import { KubeError, KubeErrorCode } from "./kube-error";
import { kubeErrorFromResponse, toKubeError } from "./to-kube-error";

/** One line of a watch stream as the server sent it. */
export interface RawWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: unknown;
}

const TYPES: ReadonlySet<string> = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]);

/**
 * client-node's callback watch as an async iterable. The iteration ends when the server closes
 * the stream or `signal` aborts, and throws a {@link KubeError} when the request fails (a non-200
 * answer, a reset connection). `ERROR` events (such as 410 Gone) are yielded as they come: the
 * server closes the stream right after them.
 */
export async function* watchStream(
  watch: Watch,
  path: string,
  params: Readonly<Record<string, string>>,
  signal?: AbortSignal,
): AsyncGenerator<RawWatchEvent> {
  const subject = `watch of ${path}`;
  const queue: RawWatchEvent[] = [];
  let finished = false;
  let failure: KubeError | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const controller = await watch.watch(
    path,
    params,
    (type, object) => {
      if (TYPES.has(type)) queue.push({ type: type as RawWatchEvent["type"], object });
      notify();
    },
    (error: unknown) => {
      finished = true;
      if (error && !signal?.aborted) {
        const status = (error as { statusCode?: unknown }).statusCode;
        failure = typeof status === "number" ? kubeErrorFromResponse(subject, status, (error as Error).message) : toKubeError(error, subject);
      }
      notify();
    },
  );
  const stop = () => {
    controller.abort();
    finished = true;
    notify();
  };
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", stop, { once: true });
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure && !signal?.aborted) throw failure;
  } finally {
    signal?.removeEventListener("abort", stop);
    controller.abort();
  }
}

/** The {@link KubeError} an `ERROR` watch event stands for (410 becomes `Gone`). */
export function watchEventError(subject: string, object: unknown): KubeError {
  const status = (typeof object === "object" && object !== null ? object : {}) as { code?: unknown; message?: unknown; reason?: unknown };
  const httpStatus = typeof status.code === "number" ? status.code : undefined;
  const said = typeof status.message === "string" ? status.message : typeof status.reason === "string" ? status.reason : "unknown error";
  if (httpStatus === 410) return new KubeError(KubeErrorCode.Gone, `${subject}: ${said}; list again`, { httpStatus });
  return httpStatus === undefined ? new KubeError(KubeErrorCode.Unavailable, `${subject}: the watch failed: ${said}`) : kubeErrorFromResponse(subject, httpStatus, object);
}
