import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freshProject, type FreshProject } from "./fresh-project";
import type { PackedSet } from "./pack-all";
import { publicPackages, WORKSPACE_ROOT } from "./workspace";

/** The @types/node the repository builds with (root devDependencies), for consumers' type checks. */
export function typesNodeVersion(root: string = WORKSPACE_ROOT): string {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies?: Record<string, string> };
  const version = manifest.devDependencies?.["@types/node"];
  if (!version) throw new Error(`${root}/package.json has no devDependencies["@types/node"]; the TypeScript checks install that version`);
  return version;
}

/**
 * One consumer project with every public library (a package with an exports map) installed from
 * its tarball, plus @types/node as a TypeScript user on Node has it. The checks share it: each
 * writes its files into its own {@link FreshProject.subproject}.
 */
export function libraryConsumer(packed: PackedSet): Promise<FreshProject> {
  const libraries = publicPackages().filter((p) => p.manifest.exports !== undefined);
  return freshProject({ packed, install: libraries.map((p) => p.name), registry: { "@types/node": typesNodeVersion() }, label: "all-libraries" });
}
