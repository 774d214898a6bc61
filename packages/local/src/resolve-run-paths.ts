import { readdir, stat } from "node:fs/promises";
import { dirname, extname, join } from "node:path";
import { LocalRunError, LocalRunErrorCode } from "./local-run-error";

const DOCUMENT_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** The files of a local run, and the folder where its state is kept. */
export interface RunPaths {
  files: string[];
  /** The folder of the first path (itself when it is a folder). */
  home: string;
}

/**
 * Turns the paths given to `iter8ctl run` into files: a folder stands for its own `.yaml`,
 * `.yml` and `.json` files, in name order, without subfolders and hidden files (a sample may keep
 * manifests for its actions in a subfolder); a file stands for itself. Duplicates are dropped.
 *
 * @throws LocalRunError `read_failed` for a path that does not exist or a folder without documents.
 */
export async function resolveRunPaths(paths: readonly string[]): Promise<RunPaths> {
  const files: string[] = [];
  let home: string | undefined;
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new LocalRunError(LocalRunErrorCode.ReadFailed, `${path} cannot be read: ${(error as Error).message}`, [], { cause: error });
    }
    if (info.isDirectory()) {
      home ??= path;
      const names = (await readdir(path, { withFileTypes: true }))
        .filter((e) => e.isFile() && !e.name.startsWith(".") && DOCUMENT_EXTENSIONS.has(extname(e.name)))
        .map((e) => e.name)
        .sort();
      if (names.length === 0) {
        throw new LocalRunError(LocalRunErrorCode.ReadFailed, `${path} holds no .yaml, .yml or .json file; pass the folder of an experiment or its files`);
      }
      files.push(...names.map((n) => join(path, n)));
    } else {
      home ??= dirname(path);
      files.push(path);
    }
  }
  return { files: [...new Set(files)], home: home ?? "." };
}
