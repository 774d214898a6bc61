// `pnpm release` publishes only tarballs whose package.json has real version ranges: its guard
// passes the pnpm-packed set and refuses a tarball made by `npm pack`, which keeps `workspace:`.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, mustRun, publicPackages, runCommand, WORKSPACE_ROOT } from "../src/index";

const release = join(WORKSPACE_ROOT, "scripts", "release.mjs");
const scratch = mkdtempSync(join(tmpdir(), "iter8ts-release-guard-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));

describe("pnpm release", () => {
  it("--dry-run packs every public package with pnpm pack, finds no workspace: range and names what it would publish", async () => {
    // The packages were built by turbo before this test (the test task depends on ^build).
    const result = await runCommand(process.execPath, [release, "--dry-run", "--skip-build"], { cwd: WORKSPACE_ROOT, env: cleanEnv(), timeoutMs: 600_000 });
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    const pkgs = publicPackages();
    expect(result.stdout).toContain(`${pkgs.length} tarball(s) checked: no workspace-only ranges`);
    for (const p of pkgs) expect(result.stdout).toContain(`would publish ${p.name}@${p.manifest.version}`);
    // Dependencies first: @iter8ts/types before every package that depends on it.
    const order = [...result.stdout.matchAll(/would publish (\S+)@/g)].map((m) => m[1]);
    expect(order.indexOf("@iter8ts/types")).toBeLessThan(order.indexOf("@iter8ts/analytics"));
  });

  it("refuses a tarball made by npm pack, naming the package and the workspace: range", async () => {
    const analytics = publicPackages().find((p) => p.name === "@iter8ts/analytics");
    expect(analytics, "@iter8ts/analytics must be public").toBeDefined();
    await mustRun("npm", ["pack", "--pack-destination", scratch, "--ignore-scripts"], { cwd: analytics!.dir, env: cleanEnv() });
    const tarball = join(scratch, readdirSync(scratch).find((f) => f.endsWith(".tgz"))!);
    const result = await runCommand(process.execPath, [release, "--check", tarball], { cwd: WORKSPACE_ROOT, env: cleanEnv() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused: @iter8ts\/analytics@\S+ \(.+\): dependencies\.@iter8ts\/types = workspace:\^ — pack with `pnpm pack`/);
  });
});
