// `npm test` never skips silently: scripts/test-all.mjs lists the skipped tests of every vitest
// report and fails on one that does not say why. Checked on the report a real vitest run writes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "./run-shell";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const work = mkdtempSync(join(tmpdir(), "docs-check-skips-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Skipped {
  name: string;
  reason?: string;
}

describe("skippedTests (scripts/skipped-tests.mjs)", () => {
  it("finds every skipped test of a vitest report and the reason it states, if any", async () => {
    writeFileSync(join(work, "vitest.config.mjs"), 'export default { test: { include: ["*.test.mjs"], reporters: [["json", { outputFile: "report.json" }]] } };\n');
    writeFileSync(
      join(work, "sample.test.mjs"),
      [
        'import { describe, it } from "vitest";',
        'it("runs", () => {});',
        'it.skip("skipped: python3 is not on PATH", () => {});',
        'it.skipIf(true)("403 for a token without RBAC (kube-apiserver only)", () => {});',
        'it("skips at run time with a reason", (ctx) => { ctx.task.meta.skipReason = "the server still serves from its cache"; ctx.skip(); });',
        'it.skip("just skipped", () => {});',
        'describe.skipIf(true)("needs prometheus", () => { it("queries", () => {}); });',
        "",
      ].join("\n"),
    );
    const run = await runProcess(process.execPath, [join(root, "node_modules", "vitest", "vitest.mjs"), "run", "--root", work, "--config", join(work, "vitest.config.mjs")], { cwd: work, env: process.env, timeoutMs: 120_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const { skippedTests } = (await import(join(root, "scripts", "skipped-tests.mjs"))) as { skippedTests: (report: unknown) => Skipped[] };
    const skipped = skippedTests(JSON.parse(readFileSync(join(work, "report.json"), "utf8")));
    expect(skipped).toEqual([
      { name: "skipped: python3 is not on PATH", reason: "python3 is not on PATH" },
      { name: "403 for a token without RBAC (kube-apiserver only)", reason: "kube-apiserver only" },
      { name: "skips at run time with a reason", reason: "the server still serves from its cache" },
      { name: "just skipped", reason: undefined },
      { name: "needs prometheus queries", reason: undefined },
    ]);
  }, 150_000);
});
