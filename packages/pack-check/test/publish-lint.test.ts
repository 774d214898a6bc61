// Every public package's tarball, as `pnpm pack` (and so `pnpm release`) makes it: publint in
// strict mode, arethetypeswrong's resolution check, and the publishing rules of issue 17.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { beforeAll, describe, expect, it } from "vitest";
import { packAll, publicPackages, runCommand, WORKSPACE_ROOT, type PackedSet } from "../src/index";

const PACKAGE_DIR = join(import.meta.dirname, "..");
const pkgs = publicPackages();
let packed: PackedSet;

beforeAll(async () => {
  packed = await packAll();
});

/** What may ship: built code, generated deploy files and the documents. */
const SHIPPABLE = /^(dist\/|deploy\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/;
/** Never shipped, even inside dist: tests, fixtures, benchmarks, build logs, sources. */
const DEV_ONLY = /(\.test\.|\.spec\.|__fixtures__\/|(^|\/)bench\/|(^|\/)test\/|\.log$|(^|\/)src\/|\.tsbuildinfo$)/;

it("depends on every public package, so turbo builds them all before these tests", () => {
  const own = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { devDependencies?: Record<string, string> };
  const missing = pkgs.map((p) => p.name).filter((n) => own.devDependencies?.[n] !== "workspace:*");
  expect(missing, 'add them to packages/pack-check/package.json devDependencies as "workspace:*"').toEqual([]);
});

describe.each(pkgs.map((p) => [p.name, p] as const))("%s", (name, source) => {
  it("ships only its build, LICENSE (Apache-2.0), README and CHANGELOG", () => {
    const pkg = packed.get(name);
    const stray = pkg.files.filter((f) => !SHIPPABLE.test(f) || DEV_ONLY.test(f));
    expect(stray, `files in ${pkg.tarball} that must not ship (fix "files" in ${source.dir}/package.json)`).toEqual([]);
    for (const doc of ["LICENSE", "README.md", "package.json"]) expect(pkg.files, `${name} must ship ${doc}`).toContain(doc);
    const license = readFileSync(join(source.dir, "LICENSE"), "utf8");
    expect(license).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain("END OF TERMS AND CONDITIONS");
    expect(pkg.manifest.license).toBe("Apache-2.0");
  });

  it("has no workspace: ranges and no exact pins in its packed dependencies", () => {
    const { manifest } = packed.get(name);
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"] as const) {
      for (const [dep, range] of Object.entries((manifest[field] ?? {}) as Record<string, string>)) {
        expect(range, `${name} ${field}.${dep}`).not.toMatch(/^workspace:/);
        // An exact pin makes a consumer install a second copy next to its own (zod: 12 MB → 26 MB).
        expect(range, `${name} ${field}.${dep} must be a semver range (^x.y.z), not an exact pin`).not.toMatch(/^\d/);
      }
    }
  });

  it("takes zod as a peer dependency when its code imports zod", () => {
    const pkg = packed.get(name);
    const code = pkg.files.filter((f) => /^dist\/.*\.(c?js)$/.test(f)).map((f) => readFileSync(join(source.dir, f), "utf8"));
    if (!code.some((c) => /from ["']zod["']|require\(["']zod["']\)/.test(c))) return;
    expect(pkg.manifest.dependencies?.zod, `${name}: zod must not be a dependency (a user shares its schemas)`).toBeUndefined();
    expect(pkg.manifest.peerDependencies?.zod, `${name}: zod must be a peer dependency`).toMatch(/^\^4\./);
  });

  it("names its repository folder, homepage, issue tracker and publishes publicly with provenance", () => {
    const { manifest } = packed.get(name);
    const repository = manifest.repository as { type?: string; url?: string; directory?: string } | undefined;
    expect(repository?.type).toBe("git");
    expect(repository?.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
    expect(repository?.directory).toBe(relative(WORKSPACE_ROOT, source.dir));
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect((manifest.bugs as { url?: string } | undefined)?.url).toMatch(/^https:\/\/.+\/issues$/);
    expect(manifest.publishConfig).toMatchObject({ access: "public", provenance: true });
    expect((manifest.engines as { node?: string } | undefined)?.node).toBe(">=20.19");
  });

  it("passes publint --strict on its tarball", async () => {
    const pkg = packed.get(name);
    const tarball = readFileSync(pkg.tarball);
    const { messages, pkg: linted } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) }, strict: true });
    const problems = messages.map((m) => `${m.type}: ${formatMessage(m, linted, { color: false }) ?? m.code}`);
    expect(problems, `publint --strict on ${pkg.tarball}`).toEqual([]);
  });

  // Libraries only: a package with only a bin (the CLI) has no entry points to resolve.
  if (source.manifest.exports !== undefined)
    it("resolves to the right JavaScript and types for every import and require (arethetypeswrong, node16 profile)", async () => {
    const pkg = packed.get(name);
    const result = await runCommand(join(PACKAGE_DIR, "node_modules", ".bin", "attw"), [pkg.tarball, "--profile", "node16", "--format", "table-flipped", "--no-color"], { cwd: PACKAGE_DIR });
    // attw exits 1 on any problem under the profile's resolutions (node16 from CJS and from ESM,
    // bundler); node10 is reported but ignored: it cannot reach subpaths such as /testing.
    expect(result.code, `attw ${pkg.tarball} --profile node16:\n${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/node16 \(from CJS\)/);
  });
});
