import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { memoryIo, type Printed } from "./__fixtures__/memory-io";
import { analyzeCommand } from "./commands/analyze";
import { runCommand, type RunRuntime } from "./commands/run";

// `--provider` on the two commands that query metrics, with real module files in a project folder.
const project = realpathSync(mkdtempSync(join(tmpdir(), "cli-provider-")));
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** A provider module answering `ml/score` with 10 for v1 and 20 for v2, under `name`. */
function writeModule(file: string, name: string): void {
  writeFileSync(
    join(project, file),
    `export const iter8tsProviderApi = 1;
export const providers = [{ apiVersion: "metrics.iter8ts/v1", name: ${JSON.stringify(name)},
  async query(q) { return { ok: true, value: q.version.name === "v1" ? 10 : 20 }; } }];
`,
  );
}
writeModule("scores.mjs", "scores");
writeModule("prom.mjs", "prometheus");

const metric = { apiVersion: "iter8.tools/v2alpha2", kind: "Metric", metadata: { name: "score", namespace: "ml" }, spec: { provider: "scores", type: "Gauge" } };
const experiment = (extra: Record<string, unknown> = {}) => ({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "model-ab", namespace: "ml" },
  spec: {
    target: "ml/model",
    strategy: { testingPattern: "A/B", deploymentPattern: "FixedSplit" },
    criteria: { rewards: [{ metric: "ml/score", preferredDirection: "High" }] },
    duration: { intervalSeconds: 1, iterationsPerLoop: 1 },
    versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] },
    ...extra,
  },
});

async function analyze(args: string[]): Promise<Printed> {
  const { io, printed } = memoryIo({ "exp.yaml": stringify(experiment()), "metrics.yaml": stringify(metric) });
  await analyzeCommand(io, { cwd: project, now: () => new Date("2024-05-01T10:00:00Z") }).exitOverride().parseAsync(["-f", "exp.yaml", "--metrics", "metrics.yaml", "-o", "json", ...args], { from: "user" });
  return printed;
}

describe("iter8ctl analyze --provider", () => {
  it("queries a metric with a provider from the module", async () => {
    const printed = await analyze(["--provider", "./scores.mjs"]);
    expect(printed.err).toBe("");
    const analysis = JSON.parse(printed.out) as { aggregatedMetrics: { data: Record<string, { data: Record<string, { value: number }> }> } };
    expect(analysis.aggregatedMetrics.data["ml/score"]?.data).toMatchObject({ v1: { value: 10 }, v2: { value: 20 } });
  });

  it("without it the provider is unknown", async () => {
    const printed = await analyze([]);
    expect(printed.err).toContain('no provider is registered for provider "scores"');
  });

  it("refuses a module that takes a builtin's name, and one that is not installed, exiting 1 before any query", async () => {
    const clash = await analyze(["--provider", "./scores.mjs", "--provider", "./prom.mjs"]);
    expect([clash.code, clash.out]).toEqual([1, ""]);
    expect(clash.err).toBe(
      'Error: --provider: provider module ./prom.mjs provides "prometheus", the name of a builtin provider (builtins: elastic, iter8, mock, newrelic, prometheus, rest, sysdig); a loaded provider cannot replace a builtin: give it another name\n',
    );
    const missing = await analyze(["--provider", "@acme/absent"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`Error: --provider: provider module @acme/absent: no package @acme/absent is installed in ${project} or a folder above it`);
  });
});

describe("iter8ctl run --provider", () => {
  const runtime: RunRuntime = {
    progress: { write: () => true, isTTY: false } as unknown as RunRuntime["progress"],
    env: {},
    ask: async () => undefined,
    onInterrupt: () => () => {},
    cwd: project,
  };

  it("runs an experiment whose metric comes from the module, writing its values into the file", async () => {
    const folder = join(project, "run");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "experiment.yaml"), `${stringify(experiment())}---\n${stringify(metric)}`);
    const { io, printed } = memoryIo({});
    await runCommand(io, runtime).exitOverride().parseAsync(["--provider", "./scores.mjs", "--plain", folder], { from: "user" });
    expect([printed.code, printed.err]).toEqual([0, ""]);
    const stored = parse(readFileSync(join(folder, "experiment.yaml"), "utf8").split("\n---\n")[0]!) as { status: { analysis: { aggregatedMetrics: { data: Record<string, { data: unknown }> } } } };
    expect(stored.status.analysis.aggregatedMetrics.data["ml/score"]?.data).toMatchObject({ v1: { value: 10 }, v2: { value: 20 } });
  });

  it("stops before reading the documents when a module cannot be loaded", async () => {
    writeFileSync(join(project, "v2.mjs"), "export const iter8tsProviderApi = 2;\nexport const providers = [];\n");
    const { io, printed } = memoryIo({});
    await runCommand(io, runtime).exitOverride().parseAsync(["--provider", "./v2.mjs", join(project, "nowhere")], { from: "user" });
    expect(printed.code).toBe(1);
    expect(printed.err).toContain("Error: --provider: provider module ./v2.mjs declares iter8tsProviderApi 2, but this runtime loads provider modules of API 1");
  });
});
