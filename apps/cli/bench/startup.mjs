// Start-up time of the built iter8ctl, command by command, against `node -e 0` measured in the same
// run (issue 18), and the time a fresh process takes to import @iter8ts/analytics. Run with
// `pnpm -F @iter8ts/cli bench` (or `pnpm bench`), which builds first. Prints numbers; asserts nothing.
//
//   node bench/startup.mjs [--runs N] [--only NAME[,NAME…]] [--cli PATH]
//
// Every process is a whole process, as a user waits for it: spawn, Node's own start, module
// loading, the command, exit. The cases run round-robin (one of each per round) so a burst of
// load from another process on a shared machine spreads over all of them instead of one.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { abInput } from "@iter8ts/report/testing";

const cliRoot = join(import.meta.dirname, "..");
const repoRoot = join(cliRoot, "..", "..");
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "15" },
    only: { type: "string" },
    cli: { type: "string", default: join(cliRoot, "dist", "iter8ctl.js") },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number (got ${values.runs})`);

const dir = mkdtempSync(join(tmpdir(), "iter8ctl-startup-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
// A completed A/B experiment with a winner: describe, assert and report have something to show.
const experiment = join(dir, "exp.yaml");
writeFileSync(experiment, stringify(abInput()));
const sample = "samples/local/ab-progressive";

const node = process.execPath;
const cli = (...args) => [values.cli, ...args];
/** [name, argv after `node`, expected exit code]. */
const cases = [
  ["node -e 0", ["-e", "0"], 0],
  ["import('@iter8ts/analytics')", ["--input-type=module", "-e", "await import('@iter8ts/analytics')"], 0],
  ["import('@iter8ts/types')", ["--input-type=module", "-e", "await import('@iter8ts/types')"], 0],
  ["iter8ctl --version", cli("--version"), 0],
  ["iter8ctl --help", cli("--help"), 0],
  ["iter8ctl describe -f exp.yaml", cli("describe", "-f", experiment), 0],
  ["iter8ctl describe -o json", cli("describe", "-f", experiment, "-o", "json"), 0],
  ["iter8ctl validate -f sample", cli("validate", "-f", `${sample}/experiment.yaml`, "-f", `${sample}/metrics.yaml`), 0],
  ["iter8ctl assert -c completed", cli("assert", "-f", experiment, "-c", "completed,winnerFound"), 0],
  ["iter8ctl report -o json", cli("report", "-f", experiment, "-o", "json"), 0],
  ["iter8ctl report (html)", cli("report", "-f", experiment), 0],
  ["iter8ctl crd", cli("crd"), 0],
  ["iter8ctl analyze -f exp.yaml", cli("analyze", "-f", experiment), 0],
  ["iter8ctl run --dry-run sample", cli("run", "--dry-run", "--plain", sample), 0],
  ["iter8ctl debug -f sample", cli("debug", "-f", sample), 0],
  ["iter8ctl run --help", cli("run", "--help"), 0],
].filter(([name]) => values.only === undefined || name === "node -e 0" || values.only.split(",").some((o) => name.includes(o)));

function once([name, argv, expected]) {
  const start = performance.now();
  // The analytics import resolves @iter8ts/analytics from apps/cli, as the CLI's dependency.
  const result = spawnSync(node, argv, { cwd: name.startsWith("import(") ? cliRoot : repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - start;
  if (result.error) throw result.error;
  if (result.status !== expected) {
    throw new Error(`${name} exited ${result.status} (expected ${expected}):\n${result.stderr.slice(0, 2000) || result.stdout.slice(0, 2000)}`);
  }
  return ms;
}

const times = new Map(cases.map(([name]) => [name, []]));
// One unmeasured round warms the file system cache and checks every case works.
for (const c of cases) once(c);
for (let round = 0; round < runs; round++) for (const c of cases) times.get(c[0]).push(once(c));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const baseline = median(times.get("node -e 0"));
// Issue 18's goals: the analytics import ≤ 2×, and ≤ 1.5× for the commands people wait on
// (--help, describe, validate); the others print their ratio for comparison.
const GOALS = new Map([
  ["import('@iter8ts/analytics')", 2],
  ["iter8ctl --help", 1.5],
  ["iter8ctl describe -f exp.yaml", 1.5],
  ["iter8ctl validate -f sample", 1.5],
]);
const goal = (name) => GOALS.get(name);
process.stdout.write(`iter8ctl start-up: ${values.cli}\nNode ${process.version}, median of ${runs} whole processes per row, rows interleaved\n\n`);
process.stdout.write(`${"what".padEnd(34)} ${"median".padStart(9)} ${"min".padStart(8)} ${"max".padStart(8)} ${"× node -e 0".padStart(12)}  goal\n`);
for (const [name] of cases) {
  const xs = times.get(name);
  const m = median(xs);
  const ratio = m / baseline;
  const g = goal(name);
  const verdict = g === undefined ? "" : `≤ ${g}×  ${ratio <= g ? "met" : "not met"}`;
  process.stdout.write(
    `${name.padEnd(34)} ${`${m.toFixed(0)} ms`.padStart(9)} ${`${Math.min(...xs).toFixed(0)}`.padStart(8)} ${`${Math.max(...xs).toFixed(0)}`.padStart(8)} ${`${ratio.toFixed(2)}×`.padStart(12)}  ${verdict}\n`,
  );
}
