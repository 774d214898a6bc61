// Start-up time of the built iter8ctl, command by command, against `node -e 0` measured in the same
// run (issue 18), and the time a fresh process takes to import @iter8ts/analytics. Run with
// `pnpm -F @iter8ts/cli bench` (or `pnpm bench`), which builds first. Prints numbers; asserts nothing.
//
//   node bench/startup.mjs [--runs N] [--only NAME[,NAME…]] [--cli PATH] [--compare PATH]
//
// Every process is a whole process, as a user waits for it: spawn, Node's own start, module
// loading, the command, exit. The cases run round-robin (one of each per round) so a burst of
// load from another process on a shared machine spreads over all of them instead of one.
// Each row gives the median wall time and the median CPU time (user + system, read by a tiny
// `--import` hook at exit, which adds the same ~2 ms to every row, node -e 0 included): on a busy
// machine wall time mostly measures waiting for a core, CPU time what the process itself costs.
// --compare PATH runs a second build of iter8ctl (say, of an older commit, with its packages) in
// the same rounds, so before and after meet the same load; its analytics import resolves from
// that build's workspace.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
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
    compare: { type: "string" },
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
const cpuHook = join(dir, "cpu-at-exit.mjs");
writeFileSync(
  cpuHook,
  'import { writeSync } from "node:fs";\nprocess.on("exit", () => { const u = process.cpuUsage(); writeSync(2, `\\niter8ctl-bench-cpu ${(u.user + u.system) / 1000}\\n`); });\n',
);

/** The rows of one build: [name, argv after `node`, cwd]. The import rows resolve from `root` (its apps/cli). */
function casesOf(cliPath, root, label) {
  const cli = (...args) => [cliPath, ...args];
  const tag = (name) => (label ? `${name} [${label}]` : name);
  return [
    [tag("import('@iter8ts/analytics')"), ["--input-type=module", "-e", "await import('@iter8ts/analytics')"], root],
    [tag("import('@iter8ts/types')"), ["--input-type=module", "-e", "await import('@iter8ts/types')"], root],
    [tag("iter8ctl --version"), cli("--version"), repoRoot],
    [tag("iter8ctl --help"), cli("--help"), repoRoot],
    [tag("iter8ctl describe -f exp.yaml"), cli("describe", "-f", experiment), repoRoot],
    [tag("iter8ctl describe -o json"), cli("describe", "-f", experiment, "-o", "json"), repoRoot],
    [tag("iter8ctl validate -f sample"), cli("validate", "-f", `${sample}/experiment.yaml`, "-f", `${sample}/metrics.yaml`), repoRoot],
    [tag("iter8ctl assert -c completed"), cli("assert", "-f", experiment, "-c", "completed,winnerFound"), repoRoot],
    [tag("iter8ctl report -o json"), cli("report", "-f", experiment, "-o", "json"), repoRoot],
    [tag("iter8ctl report (html)"), cli("report", "-f", experiment), repoRoot],
    [tag("iter8ctl crd"), cli("crd"), repoRoot],
    [tag("iter8ctl analyze -f exp.yaml"), cli("analyze", "-f", experiment), repoRoot],
    [tag("iter8ctl run --dry-run sample"), cli("run", "--dry-run", "--plain", sample), repoRoot],
    [tag("iter8ctl debug -f sample"), cli("debug", "-f", sample), repoRoot],
    [tag("iter8ctl run --help"), cli("run", "--help"), repoRoot],
  ];
}
const compareRoot = values.compare ? dirname(dirname(values.compare)) : undefined;
const cases = [
  ["node -e 0", ["-e", "0"], repoRoot],
  ...casesOf(values.cli, cliRoot, values.compare ? "this build" : ""),
  ...(values.compare ? casesOf(values.compare, compareRoot, "compared") : []),
].filter(([name]) => values.only === undefined || name === "node -e 0" || values.only.split(",").some((o) => name.includes(o)));

function once([name, argv, cwd]) {
  const start = performance.now();
  const result = spawnSync(process.execPath, ["--import", pathToFileURL(cpuHook).href, ...argv], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const wall = performance.now() - start;
  if (result.error) throw result.error;
  const cpu = /^iter8ctl-bench-cpu ([\d.]+)$/m.exec(result.stderr);
  if (result.status !== 0 || !cpu) {
    throw new Error(`${name} exited ${result.status} (expected 0):\n${result.stderr.slice(0, 2000) || result.stdout.slice(0, 2000)}`);
  }
  return { wall, cpu: Number(cpu[1]) };
}

const times = new Map(cases.map(([name]) => [name, { wall: [], cpu: [] }]));
// One unmeasured round warms the file system cache and checks every case works.
for (const c of cases) once(c);
for (let round = 0; round < runs; round++) {
  for (const c of cases) {
    const t = once(c);
    times.get(c[0]).wall.push(t.wall);
    times.get(c[0]).cpu.push(t.cpu);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const baseline = { wall: median(times.get("node -e 0").wall), cpu: median(times.get("node -e 0").cpu) };
// Issue 18's goals: the analytics import ≤ 2×, and ≤ 1.5× for the commands people wait on
// (--help, describe, validate); the others print their ratio for comparison.
const goal = (name) => {
  const plain = name.replace(/ \[.*\]$/, "");
  if (plain === "import('@iter8ts/analytics')") return 2;
  return ["iter8ctl --help", "iter8ctl describe -f exp.yaml", "iter8ctl validate -f sample"].includes(plain) ? 1.5 : undefined;
};
const ms = (x) => `${x.toFixed(0)} ms`;
process.stdout.write(
  `iter8ctl start-up: ${values.cli}${values.compare ? `\ncompared with:     ${values.compare}` : ""}\nNode ${process.version}, ${runs} rounds, rows interleaved; medians of whole processes\n\n`,
);
process.stdout.write(`${"what".padEnd(44)} ${"wall".padStart(8)} ${"× node".padStart(7)} ${"cpu".padStart(8)} ${"× node".padStart(7)}  goal (× node -e 0)\n`);
for (const [name] of cases) {
  const { wall, cpu } = times.get(name);
  const w = median(wall) / baseline.wall;
  const c = median(cpu) / baseline.cpu;
  const g = goal(name);
  const verdict = g === undefined ? "" : `≤ ${g}×: wall ${w <= g ? "met" : "not met"}, cpu ${c <= g ? "met" : "not met"}`;
  process.stdout.write(`${name.padEnd(44)} ${ms(median(wall)).padStart(8)} ${`${w.toFixed(2)}×`.padStart(7)} ${ms(median(cpu)).padStart(8)} ${`${c.toFixed(2)}×`.padStart(7)}  ${verdict}\n`);
}
