import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Iter8Log } from "../cluster/iter8-log";

/**
 * The file in a local run's state folder where its actions' Iter8Log lines are appended, one
 * JSON object per line, as an action Job prints them in a cluster: `iter8ctl debug -f` reads it.
 */
export const ACTION_LOG_FILE = "action-log.jsonl";

/**
 * Appends Iter8Log lines to a file, one write after another in the order given. A failed write
 * is reported once to `onError` and does not stop the run: the log is for debugging, the
 * experiment's progress does not depend on it.
 */
export class ActionLogWriter {
  readonly path: string;
  readonly #onError: (error: Error) => void;
  #writes: Promise<void> = Promise.resolve();
  #failed = false;

  constructor(path: string, onError: (error: Error) => void) {
    this.path = path;
    this.#onError = onError;
  }

  append(log: Iter8Log): void {
    const line = `${JSON.stringify(log)}\n`;
    this.#writes = this.#writes
      .then(async () => {
        await mkdir(dirname(this.path), { recursive: true });
        await appendFile(this.path, line, "utf8");
      })
      .catch((error: unknown) => {
        if (this.#failed) return;
        this.#failed = true;
        this.#onError(error instanceof Error ? error : new Error(String(error)));
      });
  }

  /** Resolves once every line given so far is written (or failed). */
  flush(): Promise<void> {
    return this.#writes;
  }
}
