import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Where local mode reads and writes its documents: the disk, or (for `--dry-run` and tests) a
 * copy in memory. A write replaces the whole file atomically, so a reader (the demo's router, a
 * restarted `iter8ctl run`) sees either the old text or the new one, never half of each.
 */
export interface DocumentFiles {
  /** The file's text. Rejects when it cannot be read. */
  read(path: string): Promise<string>;
  /** Replaces the file with `text`, atomically. */
  write(path: string, text: string): Promise<void>;
}

/**
 * Files on disk. A write goes to a temporary file in the same folder, is flushed, and is renamed
 * over the target: rename within a folder is atomic, so a crash or SIGKILL at any moment leaves
 * either the previous content or the new one. The file keeps its permission bits.
 */
export const diskDocumentFiles: DocumentFiles = {
  read: (path) => readFile(path, "utf8"),
  async write(path, text) {
    let mode = 0o644;
    try {
      mode = (await stat(path)).mode & 0o777;
    } catch {
      // A new file gets the usual permissions.
    }
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    const handle = await open(temp, "w", mode);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  },
};

/** Files in memory: a dry run's working copy, and tests. */
export class MemoryDocumentFiles implements DocumentFiles {
  readonly #texts = new Map<string, string>();
  /** Paths written, in order (one entry per write). */
  readonly writes: string[] = [];

  constructor(texts: Readonly<Record<string, string>> = {}) {
    for (const [path, text] of Object.entries(texts)) this.#texts.set(path, text);
  }

  /** Copies files from another source (e.g. the disk) into memory. */
  static async copyOf(source: DocumentFiles, paths: readonly string[]): Promise<MemoryDocumentFiles> {
    const files = new MemoryDocumentFiles();
    for (const path of paths) files.#texts.set(path, await source.read(path));
    return files;
  }

  async read(path: string): Promise<string> {
    const text = this.#texts.get(path);
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
    return text;
  }

  async write(path: string, text: string): Promise<void> {
    this.#texts.set(path, text);
    this.writes.push(path);
  }

  /** The current text, or undefined; for assertions. */
  peek(path: string): string | undefined {
    return this.#texts.get(path);
  }
}
