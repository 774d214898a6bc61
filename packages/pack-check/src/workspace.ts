import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is packages/pack-check/src/workspace.ts). */
export const WORKSPACE_ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");

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
