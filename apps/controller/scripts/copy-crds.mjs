// Copies the Experiment and Metric CRDs that @iter8ts/types generates into deploy/base/crds, so
// kustomize finds them inside its root. Run `pnpm -F @iter8ts/controller generate` after
// `pnpm -F @iter8ts/types generate`; test/deploy-manifests.test.ts fails while the copies drift.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { stdout } from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const typesRoot = dirname(createRequire(import.meta.url).resolve("@iter8ts/types/package.json"));
const from = join(typesRoot, "deploy", "crds");
const header = "# Copied from @iter8ts/types (deploy/crds) by `pnpm -F @iter8ts/controller generate`; do not edit.\n";
for (const name of readdirSync(from).filter((n) => n.endsWith(".yaml")).sort()) {
  const text = readFileSync(join(from, name), "utf8");
  // The source's first line says how it was generated; the copy says how it was copied.
  const body = text.startsWith("#") ? text.slice(text.indexOf("\n") + 1) : text;
  writeFileSync(join(root, "deploy", "base", "crds", name), header + body);
  stdout.write(`wrote deploy/base/crds/${name}\n`);
}
