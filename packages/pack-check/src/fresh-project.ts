import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { cleanEnv, PACK_CHECK_TMP, pruneOldest, type PackedPackage, type PackedSet } from "./pack-all";
import { mustRun, runCommand, type CommandResult } from "./run-command";

/** Options of {@link freshProject}. */
export interface FreshProjectOptions {
  /** The tarballs, from {@link packAll}. */
  packed: PackedSet;
  /** Our packages to install; the `@iter8ts/*` packages they depend on are added from the set too. */
  install: readonly string[];
  /** Packages from the npm registry, name → version or range (`@types/node`, a user's own `zod`). */
  registry?: Readonly<Record<string, string>>;
  /** Part of the folder name, to tell projects apart. */
  label?: string;
  /**
   * Reinstall into an empty folder even when a project with the same tarballs and packages was
   * installed before (default false: reuse it; each check writes into its own {@link FreshProject.subproject}).
   */
  reinstall?: boolean;
}

/** A project outside the workspace with the tarballs installed by npm. */
export interface FreshProject {
  /** Its folder (under the OS temporary folder, never inside the repository). */
  dir: string;
  /** The packed packages installed into it (the requested ones and their `@iter8ts/*` dependencies). */
  installed: PackedPackage[];
  /** Runs a command in the project folder (or `cwd`), with no npm/pnpm variables of the caller. */
  run(command: string, args: readonly string[], cwd?: string): Promise<CommandResult>;
  /** Runs this Node with `args` in the project folder (or `cwd`). */
  node(args: readonly string[], cwd?: string): Promise<CommandResult>;
  /**
   * An empty folder `name` inside the project, emptied first, with the given package.json (for
   * example `{ type: "commonjs" }`): the place for one check's files. Returns its path.
   */
  subproject(name: string, manifest: Readonly<Record<string, unknown>>): string;
  /** Bytes of everything under node_modules. */
  installedBytes(): number;
  /** Every package npm installed, path in node_modules → version and where it came from. */
  lockedPackages(): Record<string, { version?: string; resolved?: string }>;
}

/** npm's download cache for the checks, so a second run installs without the network. */
export function npmCacheDir(): string {
  return join(process.env.ITER8TS_CACHE ?? join(homedir(), ".cache", "iter8ts"), "npm");
}

/**
 * A consumer's project in the OS temporary folder, with the packed tarballs (and their `@iter8ts/*`
 * dependencies) installed by `npm install <tarballs…>` the way a user installs downloaded
 * packages. Our packages never come from a registry: the install fails if package-lock.json says
 * one did. Third-party dependencies come from the npm registry through a cache kept under
 * `~/.cache/iter8ts/npm` (or `$ITER8TS_CACHE/npm`), `--prefer-offline`, so repeated runs are fast.
 * A project with the same inputs is reused unless `reinstall`; the newest twenty are kept.
 */
export async function freshProject(options: FreshProjectOptions): Promise<FreshProject> {
  const installed = options.packed.closure(options.install);
  const registry = options.registry ?? {};
  const key = createHash("sha256")
    .update(JSON.stringify({ packs: options.packed.key, ours: installed.map((p) => p.name), registry, node: process.version }))
    .digest("hex")
    .slice(0, 12);
  const base = join(PACK_CHECK_TMP, "projects");
  const dir = join(base, `${(options.label ?? "project").replace(/[^a-z0-9-]/gi, "-")}-${key}`);
  const env = cleanEnv({ npm_config_update_notifier: "false" });
  if (options.reinstall || !existsSync(join(dir, ".installed"))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "iter8ts-fresh-consumer", version: "1.0.0", private: true }, null, 2) + "\n");
    const specs = [...installed.map((p) => p.tarball), ...Object.entries(registry).map(([name, version]) => `${name}@${version}`)];
    await mustRun("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "--cache", npmCacheDir(), ...specs], { cwd: dir, env, timeoutMs: 600_000 });
    assertOursFromTarballs(dir);
    writeFileSync(join(dir, ".installed"), new Date().toISOString());
    mkdirSync(base, { recursive: true });
    pruneOldest(base, 20, ".installed");
  }
  const run = (command: string, args: readonly string[], cwd = dir) => runCommand(command, args, { cwd, env });
  return {
    dir,
    installed,
    run,
    node: (args, cwd) => run(process.execPath, args, cwd),
    subproject(name, manifest) {
      const sub = join(dir, name);
      rmSync(sub, { recursive: true, force: true });
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, "package.json"), JSON.stringify({ private: true, ...manifest }, null, 2) + "\n");
      return sub;
    },
    installedBytes: () => directoryBytes(join(dir, "node_modules")),
    lockedPackages: () => readLock(dir),
  };
}

function readLock(dir: string): Record<string, { version?: string; resolved?: string }> {
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as { packages?: Record<string, { version?: string; resolved?: string }> };
  return Object.fromEntries(Object.entries(lock.packages ?? {}).filter(([path]) => path !== ""));
}

/** Fails when npm took one of our packages from a registry instead of the tarballs. */
function assertOursFromTarballs(dir: string): void {
  const fromRegistry = Object.entries(readLock(dir)).filter(([path, entry]) => /(^|\/)node_modules\/@iter8ts\/[^/]+$/.test(path) && !entry.resolved?.startsWith("file:"));
  if (fromRegistry.length > 0) {
    const list = fromRegistry.map(([path, entry]) => `${path} (${entry.resolved ?? "no resolved field"})`).join(", ");
    throw new Error(`npm installed ${list} from a registry, not from the tarballs: a packed dependency range does not match the packed version (check the ranges pnpm wrote for workspace: dependencies)`);
  }
}

/** Apparent size of a folder's files (symbolic links not followed). */
export function directoryBytes(path: string): number {
  if (!existsSync(path)) return 0;
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += directoryBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}
