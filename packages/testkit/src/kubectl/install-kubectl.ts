/**
 * Puts the kubectl stand-in (kubectl.mjs) on a PATH: a folder holding an executable `kubectl`
 * that runs it with this Node.js, for action Jobs and finish tasks that call `kubectl apply`.
 */
import { existsSync } from "node:fs";
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

// Beside this file in the sources; from a build (dist/), in the sources it was built from.
const SCRIPT = [join(import.meta.dirname, "kubectl.mjs"), join(import.meta.dirname, "..", "src", "kubectl", "kubectl.mjs")].find((p) => existsSync(p)) ?? join(import.meta.dirname, "kubectl.mjs");

/** Writes a `kubectl` executable into a fresh temporary folder; it applies to the cluster of `$KUBECONFIG`. */
export async function installKubectl(): Promise<InstalledKubectl> {
  const folder = await mkdtemp(join(tmpdir(), "iter8ts-quickstart-kubectl-"));
  await writeFile(join(folder, "kubectl"), `#!/bin/sh\nexec "${process.execPath}" "${SCRIPT}" "$@"\n`, { mode: 0o755 });
  return { folder, remove: () => rm(folder, { recursive: true, force: true }) };
}
