import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ExperimentKey } from "@iter8ts/engine";
import { experimentNamespace } from "@iter8ts/types";
import { ACTION_LOG_FILE } from "./action-log";
import { diskDocumentFiles } from "./document-files";
import { LocalDocuments } from "./local-documents";
import { LocalExperimentStore } from "./local-experiment-store";
import { resolveRunPaths } from "./resolve-run-paths";
import { STATE_FOLDER } from "./run-local";

/** What `iter8ctl debug -f` found: the experiment, and its run's action log. */
export interface LocalActionLog {
  target: ExperimentKey;
  /** The action log file. */
  path: string;
  /** Its text; empty when the file does not exist yet (`exists` false). */
  text: string;
  exists: boolean;
}

/** Which experiment of the documents, and where the run kept its state. */
export interface LocalActionLogOptions {
  /** `NAME` or `NAMESPACE/NAME`; may be left out when the documents hold one experiment. */
  name?: string;
  namespace?: string;
  /** As given to `iter8ctl run --state-dir`; default `<folder of the first path>/.iter8ctl`. */
  stateDir?: string;
}

/**
 * Finds the experiment in the documents `iter8ctl run` was given (the same paths) and reads the
 * action log that run appended to in its state folder.
 * @returns the log, or the error to print.
 * @throws LocalRunError when the documents cannot be read or do not validate.
 */
export async function readLocalActionLog(paths: readonly string[], options: LocalActionLogOptions): Promise<LocalActionLog | { error: string }> {
  const { files, home } = await resolveRunPaths(paths);
  const experiments = await new LocalExperimentStore(await LocalDocuments.open(diskDocumentFiles, files)).listExperiments();
  const keys = experiments.map((e) => ({ name: e.metadata.name ?? "", namespace: experimentNamespace(e) }));
  let wanted = options.name;
  let namespace = options.namespace;
  if (wanted?.includes("/")) {
    const slash = wanted.indexOf("/");
    namespace = wanted.slice(0, slash);
    wanted = wanted.slice(slash + 1);
  }
  const matching = keys.filter((k) => (wanted === undefined || k.name === wanted) && (namespace === undefined || k.namespace === namespace));
  const all = keys.map((k) => `${k.namespace}/${k.name}`).join(", ");
  const where = files.join(", ");
  if (matching.length === 0) {
    if (keys.length === 0) return { error: `no Experiment found in ${where}; pass the folder or files iter8ctl run was given` };
    const which = `${namespace !== undefined ? `${namespace}/` : ""}${wanted ?? ""}`;
    return { error: `Experiment ${which} not found in ${where}; it holds ${all}` };
  }
  if (matching.length > 1) return { error: `${where} hold ${matching.length} experiments (${matching.map((k) => `${k.namespace}/${k.name}`).join(", ")}); name one: iter8ctl debug NAMESPACE/NAME -f ...` };
  const target = matching[0]!;
  const path = join(options.stateDir ?? join(home, STATE_FOLDER), ACTION_LOG_FILE);
  try {
    return { target, path, text: await readFile(path, "utf8"), exists: true };
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") return { error: `${path} cannot be read: ${(error as Error).message}` };
    return { target, path, text: "", exists: false };
  }
}
