// Writes the CRD manifests under deploy/crds/ from the built package. Run it through the
// package script, which builds first: `pnpm -F @iter8ts/types generate`.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stdout } from "node:process";
import { fileURLToPath } from "node:url";
import { crdFiles } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const file of crdFiles()) {
  const target = join(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.text);
  stdout.write(`wrote ${file.path}\n`);
}
