// The built iter8ctl loads only what a command uses (issue 18): a module-loading hook lists every
// file a run of the bundle loads, and the test reads those files for the marks of code that must
// not be there. Timings are the start-up benchmark's job (pnpm -F @iter8ts/cli bench), not this test's.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { abInput } from "@iter8ts/report/testing";
import { cliPath, repoRoot, runCli } from "./run-cli";

const dir = mkdtempSync(join(tmpdir(), "iter8ctl-lazy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const experiment = join(dir, "exp.yaml");
writeFileSync(experiment, stringify(abInput()));
const sample = join(repoRoot, "samples", "local", "ab-progressive");
// The sample with a template its exec task cannot render: validate must still find that.
const brokenTemplate = join(dir, "broken-template.yaml");
writeFileSync(brokenTemplate, readFileSync(join(sample, "experiment.yaml"), "utf8").replace('args: ["{{ .promote }}"', 'args: ["{{ if .promote }}"'));
// The sample with an `if` condition in JSONata that does not parse.
const brokenCondition = join(dir, "broken-condition.yaml");
writeFileSync(brokenCondition, readFileSync(join(sample, "experiment.yaml"), "utf8").replace("- task: common/exec\n", "- task: common/exec\n        if: status.versionRecommendedForPromotion = (\n"));
/** Whether a run loaded the jsonata package (compiled-out of the bundle, so a file of its own). */
const loadsJsonata = (files: readonly string[]) => files.some((f) => /[\\/]node_modules[\\/](?:\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?jsonata[\\/]/.test(f));

// Prints the URL of every module Node loads, on standard error: ES modules as they load, and at
// exit the CommonJS modules require() loaded (createRequire, as for jsonata; the load hook does
// not see those).
const hook = `data:text/javascript,${encodeURIComponent(
  `import { createRequire, register } from "node:module";
process.on("exit", () => { for (const file of Object.keys(createRequire("file:///").cache)) process.stderr.write("LOADED file://" + file + "\\n"); });
register("data:text/javascript," + encodeURIComponent("export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\\\n'); return next(url, context); }"));`,
)}`;

/** The files (and bare module URLs) a run of the built CLI loads. */
function loaded(args: readonly string[]): { files: string[]; urls: string[]; status: number | null } {
  runCli(["--version"]); // fails with build instructions when the CLI is not built
  const run = spawnSync(process.execPath, ["--import", hook, cliPath, ...args], { cwd: repoRoot, encoding: "utf8", timeout: 30_000 });
  const urls = [...run.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!);
  expect(urls[0], `the hook saw nothing; stderr: ${run.stderr}`).toBeDefined();
  const files = urls.filter((u) => u.startsWith("file:")).map((u) => fileURLToPath(u));
  return { files, urls, status: run.status };
}

/** Marks that only the named code contains (string literals survive minification). */
const MARKS = {
  zod: '"ZodObject"',
  yaml: "Implicit keys need to be on a single line",
  "describe's layout": "Number of completed iterations: ",
  "validate's report": "skipped, not an Experiment or Metric",
  "local mode": '"LocalRunError"',
  "the Kubernetes client": "/var/run/secrets/kubernetes.io/serviceaccount",
  "the template engine (Handlebars)": "You must pass a string or Handlebars AST to Handlebars.compile",
  "the metrics package (load generator)": "must list at least one {name, url}",
  "the analytics": "probability-best-below-confidence",
} as const;

function marksIn(files: readonly string[]): string[] {
  const text = files.map((f) => readFileSync(f, "utf8")).join("\n");
  return Object.entries(MARKS)
    .filter(([, mark]) => text.includes(mark))
    .map(([name]) => name);
}

describe("iter8ctl loads only what a command uses (built)", () => {
  it("finds each mark in the bundle, so its absence below means something", () => {
    const all = loaded(["describe", "-f", experiment]).files;
    expect(marksIn(all)).toEqual(expect.arrayContaining(["zod", "yaml", "describe's layout"]));
    expect(marksIn(loaded(["validate", "-f", join(sample, "experiment.yaml")]).files)).toContain("validate's report");
    expect(marksIn(loaded(["debug", "-f", sample]).files)).toContain("local mode");
    expect(marksIn(loaded(["describe", "x", "--kubeconfig", join(dir, "missing-kubeconfig")]).files)).toContain("the Kubernetes client");
    // Handlebars is loaded by the tasks that render templates; the bundle holds it in a chunk of its own.
    const dist = dirname(cliPath);
    expect(marksIn(readdirSync(dist).filter((f) => f.endsWith(".js")).map((f) => join(dist, f)))).toContain("the template engine (Handlebars)");
    expect(marksIn(loaded(["analyze", "-f", experiment]).files)).toEqual(expect.arrayContaining(["the metrics package (load generator)", "the analytics"]));
  });

  it("--help and --version load no command's implementation, no zod and no yaml", () => {
    for (const args of [["--help"], ["--version"], ["describe", "--help"], ["run", "--help"]]) {
      const run = loaded(args);
      expect(run.status).toBe(0);
      expect(marksIn(run.files), `iter8ctl ${args.join(" ")}`).toEqual([]);
    }
  });

  it("describe and validate of a file load neither the Kubernetes client nor local mode, nor each other", () => {
    const describeRun = loaded(["describe", "-f", experiment]);
    expect(describeRun.status).toBe(0);
    expect(marksIn(describeRun.files)).not.toContain("validate's report");
    expect(marksIn(describeRun.files)).not.toContain("local mode");
    expect(marksIn(describeRun.files)).not.toContain("the Kubernetes client");
    const validateRun = loaded(["validate", "-f", join(sample, "experiment.yaml")]);
    expect(validateRun.status).toBe(0);
    expect(marksIn(validateRun.files)).not.toContain("describe's layout");
    expect(marksIn(validateRun.files)).not.toContain("the Kubernetes client");
  });

  it("validate checks task templates without loading the template engine, the metrics package or the analytics", () => {
    // The sample's exec task has a template (its args), so validate checks one.
    const valid = loaded(["validate", "-f", join(sample, "experiment.yaml"), "-f", join(sample, "metrics.yaml")]);
    expect(valid.status).toBe(0);
    expect(marksIn(valid.files)).not.toContain("the template engine (Handlebars)");
    // The task definitions refer to @iter8ts/metrics (the load generator, notifications' URLs) only when they run.
    expect(marksIn(valid.files)).not.toContain("the metrics package (load generator)");
    expect(marksIn(valid.files)).not.toContain("the analytics");
    const broken = loaded(["validate", "-f", brokenTemplate]);
    expect(broken.status).toBe(1);
    expect(marksIn(broken.files)).not.toContain("the template engine (Handlebars)");
    const report = runCli(["validate", "-f", brokenTemplate]);
    expect(report.stdout).toContain("spec.strategy.actions.finish[0]");
    expect(report.stdout).toContain("{{if}} is not closed with {{end}}");
  });

  it("validate loads jsonata only for an experiment with a JSONata condition, and then reports it", () => {
    const plain = loaded(["validate", "-f", join(sample, "experiment.yaml"), "-f", join(sample, "metrics.yaml")]);
    expect(plain.status).toBe(0);
    expect(loadsJsonata(plain.files)).toBe(false);
    const broken = loaded(["validate", "-f", brokenCondition]);
    expect(broken.status).toBe(1);
    expect(loadsJsonata(broken.files)).toBe(true);
    expect(runCli(["validate", "-f", brokenCondition]).stdout).toContain("spec.strategy.actions.finish[0].if");
  });
});
