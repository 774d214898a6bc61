// Finds (or installs) the pinned pnpm so that `npm test` and `npm run demo` work on a machine
// that has only Node and npm. Corepack is not used: it fails on these machines.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wanted = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const localBin = join(root, ".tools", "node_modules", ".bin", "pnpm");

function version(cmd) {
  const r = spawnSync(cmd, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Returns a command that runs pnpm at the pinned version, installing it when missing. */
export function ensurePnpm() {
  if (version("pnpm") === wanted) return "pnpm";
  if (existsSync(localBin) && version(localBin) === wanted) return localBin;
  console.log(`installing pnpm@${wanted} …`);
  const global = spawnSync("npm", ["install", "-g", `pnpm@${wanted}`], { stdio: "inherit" });
  if (global.status === 0 && version("pnpm") === wanted) return "pnpm";
  const local = spawnSync("npm", ["install", "--no-save", "--prefix", join(root, ".tools"), `pnpm@${wanted}`], { stdio: "inherit" });
  if (local.status === 0 && version(localBin) === wanted) return localBin;
  throw new Error(`could not install pnpm@${wanted} with npm; install it by hand (npm i -g pnpm@${wanted}) and retry`);
}

/** Runs a command in the repository root with inherited output; returns its exit code. */
export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
  if (r.error) throw r.error;
  return r.status ?? 1;
}
