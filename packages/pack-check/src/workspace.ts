import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root: the nearest folder above this module holding pnpm-workspace.yaml (found
 * by walking up, so it holds for the sources and for the bundled bench scripts alike).
 */
export const WORKSPACE_ROOT = findWorkspaceRoot(fileURLToPath(new URL(".", import.meta.url)));

function findWorkspaceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}: @iter8ts/pack-check runs inside the iter8ts repository`);
  }
}

/** The fields of a package.json the checks read. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  main?: string;
  types?: string;
  bin?: string | Record<string, string>;
  files?: string[];
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** A workspace package that is published (not `private`). */
export interface PublicPackage {
  name: string;
  /** Its folder, absolute. */
  dir: string;
  manifest: PackageManifest;
}

/**
 * Every workspace under packages/ and apps/ whose package.json is not `private`, sorted by name.
 * A package becomes part of every pack check by dropping `private`; nothing else lists them.
 */
export function publicPackages(root: string = WORKSPACE_ROOT): PublicPackage[] {
  const found: PublicPackage[] = [];
  for (const group of ["packages", "apps"]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const file = join(base, name, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8")) as PackageManifest;
      if (manifest.private) continue;
      found.push({ name: manifest.name, dir: join(base, name), manifest });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The entry points of a manifest's exports map other than `./package.json`, as the specifiers a
 * consumer writes: `@iter8ts/report`, `@iter8ts/report/html`, ...
 */
export function entrySpecifiers(manifest: PackageManifest): string[] {
  return Object.keys(manifest.exports ?? { ".": null })
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}
