import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Iter8Log } from "@iter8ts/tasks";

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

  /**
   * Drops the lines of the given experiments (`namespace/name`), for a run that starts them over,
   * so that their old runs' logs do not mix with the new ones. A missing file is left missing.
   */
  async forget(experiments: readonly string[]): Promise<void> {
    await this.#writes;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return;
      throw error;
    }
    const kept = text.split("\n").filter((line) => {
      if (line === "") return false;
      try {
        const log = JSON.parse(line) as Partial<Iter8Log>;
        return !experiments.includes(`${log.experimentNamespace}/${log.experimentName}`);
      } catch {
        return true;
      }
    });
    await writeFile(this.path, kept.map((line) => `${line}\n`).join(""), "utf8");
  }

  /** Resolves once every line given so far is written (or failed). */
  flush(): Promise<void> {
    return this.#writes;
  }
}
