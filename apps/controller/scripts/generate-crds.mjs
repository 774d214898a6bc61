// Writes the CRDs the controller installs into deploy/base/crds (inside kustomize's root): the
// schemas of @iter8ts/types with the status the engine writes (`EngineStatusSchema` of
// @iter8ts/engine: runId, actions, retry, decisions). @iter8ts/types cannot import the engine,
// so the two meet here, in the runtime that installs them. Run `pnpm -F @iter8ts/controller
// generate` (it builds both first); test/deploy-manifests.test.ts fails while the files drift.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stdout } from "node:process";
import { fileURLToPath } from "node:url";
import { EngineStatusSchema } from "@iter8ts/engine";
import { crdFiles } from "@iter8ts/types";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const header = "# Generated from @iter8ts/types with the status of @iter8ts/engine by `pnpm -F @iter8ts/controller generate`; do not edit.\n";
for (const file of crdFiles({ experimentStatus: EngineStatusSchema, header })) {
  const name = file.path.slice(file.path.lastIndexOf("/") + 1);
  writeFileSync(join(root, "deploy", "base", "crds", name), file.text);
  stdout.write(`wrote deploy/base/crds/${name}\n`);
}
