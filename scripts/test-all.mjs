// Builds, typechecks, lints and tests every package and app, then prints one summary line
// `N passed, N failed` counted from the vitest JSON reports the packages write. A skipped test
// is listed, and fails the run unless it states why it cannot run (see skipReason below): a
// missing prerequisite is installed by .ci/run or fails its test, it is never skipped silently.
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensurePnpm, root, run } from "./pnpm.mjs";
import { skippedTests } from "./skipped-tests.mjs";

const pnpm = ensurePnpm();
const workspaces = [
  ...["packages", "apps"].flatMap((dir) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(root, dir, name)) : [])),
  join(root, "tools", "eslint"),
];
for (const ws of workspaces) for (const file of [".vitest-report.json", ".vitest-errors.json"]) rmSync(join(ws, file), { force: true });

const checks = run(pnpm, ["exec", "turbo", "run", "build", "typecheck", "lint", "--concurrency=2", "--continue"]);
const tests = run(pnpm, ["exec", "turbo", "run", "test", "--concurrency=2", "--continue"]);

let passed = 0;
let failed = 0;
const missing = [];
const skipped = [];
const failures = [];
for (const ws of workspaces) {
  if (!existsSync(join(ws, "package.json"))) continue;
  const pkg = JSON.parse(readFileSync(join(ws, "package.json"), "utf8"));
  if (!pkg.scripts?.test) continue;
  const report = join(ws, ".vitest-report.json");
  if (!existsSync(report)) {
    missing.push(pkg.name);
    continue;
  }
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  for (const t of skippedTests(r)) skipped.push({ pkg: pkg.name, ...t });
  for (const file of r.testResults ?? []) {
    const rel = String(file.name ?? "").replace(`${ws}/`, "");
    const broken = (file.assertionResults ?? []).filter((a) => a.status === "failed");
    for (const a of broken) failures.push({ pkg: pkg.name, name: `${rel}: ${a.fullName ?? a.title}`, message: (a.failureMessages ?? []).join("\n") });
    if (file.status === "failed" && !broken.length) failures.push({ pkg: pkg.name, name: rel, message: file.message ?? "" });
  }
  // Errors outside any test (an unhandled rejection, a timer firing after its test) fail vitest's
  // run even when every test passed; the shared config writes them next to the report.
  const errorsFile = join(ws, ".vitest-errors.json");
  const unhandled = existsSync(errorsFile) ? JSON.parse(readFileSync(errorsFile, "utf8")).errors ?? [] : [];
  for (const e of unhandled) failures.push({ pkg: pkg.name, name: "unhandled error outside the tests", message: [`${e.name ?? "Error"}: ${e.message ?? ""}`, e.stack ?? ""].join("\n") });
  failed += unhandled.length;
  if (r.success === false && !(r.testResults ?? []).some((f) => f.status === "failed") && !unhandled.length) {
    failures.push({ pkg: pkg.name, name: "vitest reported failure with every test passing", message: "see this package's output above" });
  }
  // A test file that fails to load has no test results of its own; count it as one failure.
  failed += (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).length).length;
}
if (missing.length) console.log(`no test report from: ${missing.join(", ")}`);
if (checks !== 0) console.log("build, typecheck or lint failed (see above)");
// Failures are repeated here, after turbo's interleaved output, so a log's tail names them.
if (failures.length) {
  console.log(`${failures.length} failed:`);
  for (const f of failures) {
    console.log(`  ${f.pkg}: ${f.name}`);
    const lines = f.message.split("\n").filter((l) => l.trim()).slice(0, 12);
    for (const l of lines) console.log(`      ${l.length > 300 ? `${l.slice(0, 300)}…` : l}`);
  }
}
const silent = skipped.filter((t) => !t.reason);
if (skipped.length) {
  console.log(`${skipped.length} skipped:`);
  for (const t of skipped) console.log(`  ${t.pkg}: ${t.name} — ${t.reason ?? "NO REASON GIVEN: install what it needs (.ci/run) or make it fail saying what is missing"}`);
}
const ok = checks === 0 && tests === 0 && failed === 0 && missing.length === 0 && silent.length === 0 && passed > 0;
if (!ok && failed === 0) failed = 1;
if (skipped.length) console.log(`${skipped.length} skipped (${silent.length} without a reason)`);
// The last line is exactly `N passed, N failed`: CI reads it.
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
