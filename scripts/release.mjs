// `pnpm release`: builds every public package, packs each with `pnpm pack` (which turns
// `workspace:` ranges into real ones; `npm pack` does not), refuses to go on when any packed
// package.json still holds a `workspace:`, `link:`, `file:` or `catalog:` range, then publishes
// the very tarballs it checked, dependencies first, skipping versions already on the registry.
//
//   pnpm release                 build, pack, check, publish
//   pnpm release --dry-run       build, pack, check; print what would be published
//   pnpm release --skip-build    use the existing dist folders (the pack-check test, after turbo built them)
//   node scripts/release.mjs --check a.tgz b.tgz   only check the given tarballs
//
// Versions and changelogs come from changesets first: `pnpm changeset`, then `pnpm changeset version`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePnpm, root } from "./pnpm.mjs";

const LOCAL_PROTOCOL = /^(workspace|link|file|catalog|portal):/;
const RANGE_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"];

/** The package.json inside a tarball. */
function packedManifest(tarball) {
  const r = spawnSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cannot read package/package.json from ${tarball}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

/** Every range of a packed manifest that only means something inside this workspace. */
function localRanges(manifest) {
  const found = [];
  for (const field of RANGE_FIELDS) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (typeof range === "string" && LOCAL_PROTOCOL.test(range)) found.push(`${field}.${dep} = ${range}`);
    }
  }
  return found;
}

/** Checks tarballs; returns the problems, one line each, naming the package and the field. */
function checkTarballs(tarballs) {
  const problems = [];
  for (const tarball of tarballs) {
    const manifest = packedManifest(tarball);
    for (const bad of localRanges(manifest)) {
      problems.push(`${manifest.name}@${manifest.version} (${tarball}): ${bad} — pack with \`pnpm pack\` (pnpm release does), never \`npm pack\``);
    }
    if (manifest.private) problems.push(`${manifest.name} (${tarball}) is private and must not be published`);
  }
  return problems;
}

function publicPackages() {
  const found = [];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, group))) {
      const file = join(root, group, name, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      if (!manifest.private) found.push({ dir: join(root, group, name), manifest });
    }
  }
  return found;
}

/** Orders packages so each comes after the `@iter8ts/*` packages it depends on. */
function dependenciesFirst(pkgs) {
  const byName = new Map(pkgs.map((p) => [p.manifest.name, p]));
  const ordered = [];
  const seen = new Set();
  const visit = (p) => {
    if (seen.has(p.manifest.name)) return;
    seen.add(p.manifest.name);
    for (const dep of Object.keys({ ...p.manifest.dependencies, ...p.manifest.peerDependencies })) {
      const inner = byName.get(dep);
      if (inner) visit(inner);
    }
    ordered.push(p);
  };
  pkgs.forEach(visit);
  return ordered;
}

function must(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
  if (r.status !== 0) {
    console.error(`release: ${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  return r;
}

function main(argv) {
  if (argv[0] === "--check") {
    const tarballs = argv.slice(1);
    if (tarballs.length === 0) {
      console.error("release --check: name the tarballs to check");
      return 2;
    }
    const problems = checkTarballs(tarballs);
    for (const p of problems) console.error(`refused: ${p}`);
    if (problems.length === 0) console.log(`${tarballs.length} tarball(s) checked: no workspace-only ranges`);
    return problems.length === 0 ? 0 : 1;
  }
  const unknown = argv.filter((a) => !["--dry-run", "--skip-build"].includes(a));
  if (unknown.length) {
    console.error(`release: unknown option ${unknown.join(" ")} (use --dry-run, --skip-build or --check <tarballs>)`);
    return 2;
  }
  const dryRun = argv.includes("--dry-run");
  const pnpm = ensurePnpm();
  const pkgs = dependenciesFirst(publicPackages());
  if (!argv.includes("--skip-build")) {
    must(pnpm, ["exec", "turbo", "run", "build", ...pkgs.map((p) => `--filter=${p.manifest.name}`), "--output-logs=errors-only"]);
  }
  const out = mkdtempSync(join(tmpdir(), "iter8ts-release-"));
  try {
    const tarballs = [];
    for (const p of pkgs) {
      const before = new Set(readdirSync(out));
      must(pnpm, ["pack", "--pack-destination", out], { cwd: p.dir, stdio: ["ignore", "ignore", "inherit"] });
      const made = readdirSync(out).filter((f) => !before.has(f) && f.endsWith(".tgz"));
      if (made.length !== 1) throw new Error(`pnpm pack of ${p.manifest.name} made ${made.length} tarballs in ${out}`);
      tarballs.push(join(out, made[0]));
    }
    const problems = checkTarballs(tarballs);
    if (problems.length > 0) {
      for (const p of problems) console.error(`refused: ${p}`);
      console.error(`release: nothing published (${problems.length} problem(s))`);
      return 1;
    }
    console.log(`${tarballs.length} tarball(s) checked: no workspace-only ranges`);
    for (const tarball of tarballs) {
      const { name, version } = packedManifest(tarball);
      if (dryRun) {
        console.log(`would publish ${name}@${version}`);
        continue;
      }
      const seen = spawnSync("npm", ["view", `${name}@${version}`, "version"], { encoding: "utf8" });
      if (seen.status === 0 && seen.stdout.trim() === version) {
        console.log(`${name}@${version} is already published; skipped`);
        continue;
      }
      must(pnpm, ["publish", tarball, "--access", "public", "--no-git-checks"]);
    }
    return 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

process.exit(main(process.argv.slice(2)));
