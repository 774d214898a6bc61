import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { mustRun } from "./run-command";
import { publicPackages, WORKSPACE_ROOT, type PackageManifest, type PublicPackage } from "./workspace";

/** One package packed by `pnpm pack`. */
export interface PackedPackage {
  name: string;
  version: string;
  /** The workspace folder it was packed from ("" when the workspace has no package of that name). */
  sourceDir: string;
  /** The .tgz file, absolute. */
  tarball: string;
  /** Size of the .tgz file. */
  bytes: number;
  /** Sum of the sizes of the files inside it. */
  unpackedBytes: number;
  /** The files inside, relative to the package root (`dist/index.js`, `package.json`, ...). */
  files: string[];
  /** The package.json as packed (pnpm has replaced `workspace:` ranges and applied publishConfig). */
  manifest: PackageManifest;
}

/** Every public package packed into one folder. */
export interface PackedSet {
  /** The folder holding the tarballs (under the OS temporary folder). */
  dir: string;
  /** A hash of everything that went into the tarballs; equal keys mean equal tarballs. */
  key: string;
  packages: PackedPackage[];
  /** The packed package of that name; throws naming the packages there are. */
  get(name: string): PackedPackage;
  /**
   * The named packages plus every `@iter8ts/*` package they depend on (dependencies and peer
   * dependencies, transitively): what must be installed together so npm never asks a registry
   * for one of ours.
   */
  closure(names: readonly string[]): PackedPackage[];
}

/** Options of {@link packAll}. */
export interface PackAllOptions {
  /** Repository root; default the one this package is in. */
  root?: string;
  /** Where packed sets are kept; default `<os tmpdir>/iter8ts-pack-check/packs`. */
  cacheDir?: string;
}

/** Base of every temporary folder the checks create. */
export const PACK_CHECK_TMP = join(tmpdir(), "iter8ts-pack-check");

/**
 * Packs every public workspace package (see {@link publicPackages}) with `pnpm pack`, the way
 * `pnpm release` does, into a folder under the OS temporary folder. The packages must be built
 * first (`turbo run build`; `npm test` does it). A set whose inputs (package.json, dist, README,
 * LICENSE, CHANGELOG, the other `files`) are unchanged is reused, so several test files can call
 * this and only the first one packs; the newest three sets are kept.
 */
export async function packAll(options: PackAllOptions = {}): Promise<PackedSet> {
  const root = options.root ?? WORKSPACE_ROOT;
  const cacheDir = options.cacheDir ?? join(PACK_CHECK_TMP, "packs");
  const pkgs = publicPackages(root);
  if (pkgs.length === 0) throw new Error(`no public package under ${root}/packages or ${root}/apps (all are "private": true)`);
  for (const pkg of pkgs) assertBuilt(pkg);
  const key = inputsKey(pkgs);
  const dir = join(cacheDir, key);
  if (!existsSync(join(dir, ".done"))) {
    mkdirSync(cacheDir, { recursive: true });
    const work = `${dir}.tmp-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    await forEachLimited(pkgs, 2, (pkg) => mustRun("pnpm", ["pack", "--pack-destination", work], { cwd: pkg.dir, env: cleanEnv() }));
    writeFileSync(join(work, ".done"), new Date().toISOString());
    if (existsSync(dir)) rmSync(work, { recursive: true, force: true });
    else renameSync(work, dir);
    pruneOldest(cacheDir, 3);
  }
  const packed = await readPackedSet(dir, key);
  for (const pkg of pkgs) packed.get(pkg.name); // each must be there
  return packed;
}

/**
 * The tarballs already in a folder as a {@link PackedSet} (for example tarballs of an older
 * commit, to compare sizes); `sourceDir` is the workspace folder of the package of that name,
 * when there is one.
 */
export async function readPackedSet(dir: string, key?: string): Promise<PackedSet> {
  const tarballs = readdirSync(dir).filter((f) => f.endsWith(".tgz")).sort();
  if (tarballs.length === 0) throw new Error(`no .tgz files in ${dir}`);
  const sources = new Map(publicPackages().map((p) => [p.name, p.dir]));
  const packages: PackedPackage[] = [];
  for (const file of tarballs) packages.push(await readPacked(join(dir, file), sources));
  const digest = key ?? createHash("sha256").update(packages.map((p) => `${p.name}@${p.version}:${p.bytes}:${p.unpackedBytes}`).join("\n")).update(dir).digest("hex").slice(0, 16);
  return makeSet(dir, digest, packages);
}

function makeSet(dir: string, key: string, packages: PackedPackage[]): PackedSet {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const get = (name: string): PackedPackage => {
    const found = byName.get(name);
    if (!found) throw new Error(`${name} is not among the packed public packages (${[...byName.keys()].join(", ")}); is it still "private": true?`);
    return found;
  };
  const closure = (names: readonly string[]): PackedPackage[] => {
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      const pkg = get(name);
      seen.add(name);
      for (const dep of Object.keys({ ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies })) if (byName.has(dep)) visit(dep);
    };
    names.forEach(visit);
    return [...seen].map(get);
  };
  return { dir, key, packages, get, closure };
}

/**
 * Every file the manifest points consumers at (main, module, types, the exports map but the
 * in-repo `@iter8ts/source` condition) and every `files` entry must exist: a build that has not
 * run, or is still running in the shared tree, would otherwise pack a tarball without them.
 */
function assertBuilt(pkg: PublicPackage): void {
  const wanted = new Set<string>((pkg.manifest.files ?? []).filter((f) => !f.includes("*")));
  const visit = (value: unknown, key?: string): void => {
    if (key === "@iter8ts/source") return;
    if (typeof value === "string") wanted.add(value);
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  for (const field of ["main", "module", "types"]) visit(pkg.manifest[field]);
  visit(pkg.manifest.exports);
  const missing = [...wanted].filter((f) => !existsSync(join(pkg.dir, f)));
  if (missing.length > 0) {
    throw new Error(`${pkg.name}: ${missing.join(", ")} (named in its package.json) missing in ${pkg.dir}; build it first (pnpm exec turbo run build --filter=${pkg.name}) and wait for builds others run to finish`);
  }
}

function inputsKey(pkgs: readonly PublicPackage[]): string {
  const hash = createHash("sha256");
  for (const pkg of pkgs) {
    const entries = new Set(["package.json", "README.md", "LICENSE", "CHANGELOG.md", ...(pkg.manifest.files ?? [])]);
    for (const entry of [...entries].sort()) hashPath(hash, pkg.dir, join(pkg.dir, entry));
  }
  return hash.digest("hex").slice(0, 16);
}

function hashPath(hash: ReturnType<typeof createHash>, base: string, path: string): void {
  if (!existsSync(path)) return;
  const stat = statSync(path);
  if (stat.isDirectory()) {
    for (const name of readdirSync(path).sort()) hashPath(hash, base, join(path, name));
    return;
  }
  hash.update(relative(base, path)).update("\0").update(readFileSync(path)).update("\0");
}

async function readPacked(tarball: string, sources: ReadonlyMap<string, string>): Promise<PackedPackage> {
  const dir = dirname(tarball);
  const listing = await mustRun("tar", ["-tvzf", tarball], { cwd: dir });
  const files: string[] = [];
  let unpackedBytes = 0;
  for (const line of listing.stdout.split("\n")) {
    // GNU tar: "-rw-r--r-- 0/0   1234 1985-10-26 08:15 package/dist/index.js"
    const m = /^\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+package\/(.+)$/.exec(line);
    if (!m) continue;
    unpackedBytes += Number(m[1]);
    files.push(m[2]!);
  }
  const manifestText = await mustRun("tar", ["-xzOf", tarball, "package/package.json"], { cwd: dir });
  const manifest = JSON.parse(manifestText.stdout) as PackageManifest;
  return { name: manifest.name, version: manifest.version, sourceDir: sources.get(manifest.name) ?? "", tarball, bytes: statSync(tarball).size, unpackedBytes, files: files.sort(), manifest };
}

/** The environment without the npm_* variables of whatever script started the tests. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !/^pnpm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Runs `fn` over `items`, at most `limit` at a time (the machine has two cores). */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Keeps the `keep` entries of `dir` whose `marker` file is newest, removing the rest. */
export function pruneOldest(dir: string, keep: number, marker = ".done"): void {
  const entries = readdirSync(dir)
    .filter((name) => !name.includes(".tmp-"))
    .map((name) => ({ name, mtime: existsSync(join(dir, name, marker)) ? statSync(join(dir, name, marker)).mtimeMs : 0 }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of entries.slice(keep)) rmSync(join(dir, old.name), { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
