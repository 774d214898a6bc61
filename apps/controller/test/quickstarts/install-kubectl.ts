/**
 * Puts the kubectl stand-in (kubectl.mjs) on a PATH: a folder holding an executable `kubectl`
 * that runs it with this Node.js, for action Jobs whose finish tasks call `kubectl apply`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A folder with `kubectl` in it; see {@link installKubectl}. */
export interface InstalledKubectl {
  /** Put it first on `PATH`. */
  readonly folder: string;
  /** Removes the folder. */
  remove(): Promise<void>;
}

const SCRIPT = join(import.meta.dirname, "kubectl.mjs");

/** Writes a `kubectl` executable into a fresh temporary folder. */
export async function installKubectl(): Promise<InstalledKubectl> {
  const folder = await mkdtemp(join(tmpdir(), "iter8ts-quickstart-kubectl-"));
  await writeFile(join(folder, "kubectl"), `#!/bin/sh\nexec "${process.execPath}" "${SCRIPT}" "$@"\n`, { mode: 0o755 });
  return { folder, remove: () => rm(folder, { recursive: true, force: true }) };
}
