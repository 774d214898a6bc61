// The example provider package loaded by name into the built iter8ctl, as a user does after
// `npm install @iter8ts/metrics-provider-jsonfile` in their project: `iter8ctl run --provider` and
// `iter8ctl analyze --provider` (real processes, cwd in the project) query a Metric with
// `provider: jsonfile` from a loopback server, and a clash stops the run before it starts.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { cliPath, repoRoot } from "./run-cli";

const PACKAGE = "@iter8ts/metrics-provider-jsonfile";
const packageDir = join(repoRoot, "packages", "metrics-provider-jsonfile");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI without blocking this process, which serves the metric values. */
function iter8ctl(args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let server: Server;
let base = "";
const served: string[] = [];
let project = "";

const experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "model-ab", namespace: "ml" },
  spec: {
    target: "ml/model",
    strategy: { testingPattern: "A/B", deploymentPattern: "FixedSplit" },
    criteria: { rewards: [{ metric: "ml/accuracy", preferredDirection: "High" }], objectives: [{ metric: "ml/accuracy", lowerLimit: "0.9" }] },
    duration: { intervalSeconds: 1, iterationsPerLoop: 2 },
    versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] },
  },
};
const metric = (name: string, path: string) => ({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Metric",
  metadata: { name, namespace: "ml" },
  spec: { provider: "jsonfile", type: "Gauge", urlTemplate: `${base}${path}` },
});

beforeAll(async () => {
  for (const built of [cliPath, join(packageDir, "dist", "index.js")]) {
    if (!existsSync(built)) throw new Error(`${built} does not exist: build first with \`pnpm turbo run build --filter=@iter8ts/cli... --filter=${PACKAGE}\``);
  }
  server = createServer((req, res) => {
    served.push(req.url ?? "");
    if (req.url === "/eval/latest.json") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ "ml/accuracy": { v1: 0.91, v2: { value: 0.95, sampleSize: 800 } }, broken: { v1: 1, v2: 1 } }));
    else res.writeHead(500, { "content-type": "application/json" }).end("42");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The user's project: the package installed in its node_modules (here a link to the workspace's
  // build, whose own @iter8ts/metrics resolves next to it, as a peer installed beside it would).
  project = realpathSync(mkdtempSync(join(tmpdir(), "iter8ctl-provider-")));
  mkdirSync(join(project, "node_modules", "@iter8ts"), { recursive: true });
  symlinkSync(packageDir, join(project, "node_modules", "@iter8ts", "metrics-provider-jsonfile"), "dir");
  writeFileSync(join(project, "clash.mjs"), 'export const iter8tsProviderApi = 1;\nexport const providers = [{ apiVersion: "metrics.iter8ts/v1", name: "JSONFILE", async query() { return { ok: true, value: 1 }; } }];\n');
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (project) rmSync(project, { recursive: true, force: true });
});

function experimentFolder(name: string, objectives: Array<Record<string, unknown>> = []): string {
  const folder = join(project, name);
  mkdirSync(folder, { recursive: true });
  const criteria = { ...experiment.spec.criteria, objectives: [...experiment.spec.criteria.objectives, ...objectives] };
  writeFileSync(join(folder, "experiment.yaml"), stringify({ ...experiment, spec: { ...experiment.spec, criteria } }));
  writeFileSync(join(folder, "metrics.yaml"), `${stringify(metric("accuracy", "/eval/latest.json"))}---\n${stringify(metric("broken", "/eval/broken"))}`);
  return folder;
}

describe(`iter8ctl with --provider ${PACKAGE}`, () => {
  it("runs an experiment whose Metric uses the package's provider to the end, with its values in the status", async () => {
    experimentFolder("run");
    served.length = 0;
    const run = await iter8ctl(["run", "--provider", PACKAGE, "--plain", "run"], project);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    interface Stored {
      status?: { stage?: string; analysis?: { aggregatedMetrics?: { data?: Record<string, { data?: unknown }> }; winnerAssessment?: { data?: unknown } } };
    }
    const [stored] = parseAllDocuments(readFileSync(join(project, "run", "experiment.yaml"), "utf8")).map((d) => d.toJSON() as Stored);
    expect(stored?.status?.stage).toBe("Completed");
    expect(stored?.status?.analysis?.aggregatedMetrics?.data?.["ml/accuracy"]?.data).toEqual({ v1: { value: "0.91" }, v2: { value: "0.95", sampleSize: 800 } });
    expect(stored?.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "v2" });
    expect(served.filter((url) => url === "/eval/latest.json").length).toBeGreaterThanOrEqual(4);
  });

  it("analyzes with it: the values from the document, and an HTTP 500 whose body is 42 as an error instead of 42", async () => {
    const folder = experimentFolder("analyze", [{ metric: "ml/broken", upperLimit: 100 }]);
    const analyzed = await iter8ctl(["analyze", "--provider", PACKAGE, "-f", join(folder, "experiment.yaml"), "--metrics", join(folder, "metrics.yaml"), "-o", "json"], project);
    expect(analyzed.code).toBe(0);
    const analysis = JSON.parse(analyzed.stdout) as { aggregatedMetrics: { data: Record<string, { data: Record<string, { value?: string }> }> } };
    expect(analysis.aggregatedMetrics.data["ml/accuracy"]?.data).toEqual({ v1: { value: "0.91" }, v2: { value: "0.95", sampleSize: 800 } });
    expect(analyzed.stderr).toContain(`Warning: metric ml/broken, version v1: "${base}/eval/broken" answered HTTP 500`);
    expect(analysis.aggregatedMetrics.data["ml/broken"]?.data?.v1?.value ?? null).toBeNull();
  });

  it("without --provider, the Metric falls to the generic REST provider, which cannot read it", async () => {
    const folder = experimentFolder("none");
    const analyzed = await iter8ctl(["analyze", "-f", join(folder, "experiment.yaml"), "--metrics", join(folder, "metrics.yaml"), "-o", "json"], project);
    expect(analyzed.stderr).toContain("Warning: metric ml/accuracy, version v1: the metric has no jqExpression (or jsonataExpression) to read its value with; add one");
    const analysis = JSON.parse(analyzed.stdout) as { aggregatedMetrics?: { data?: Record<string, { data?: Record<string, { value?: string }> }> } };
    expect(analysis.aggregatedMetrics?.data?.["ml/accuracy"]?.data?.v1?.value ?? null).toBeNull();
  });

  it("refuses a second module providing the same name, before the run starts", async () => {
    const folder = experimentFolder("clash");
    const before = readFileSync(join(folder, "experiment.yaml"), "utf8");
    const run = await iter8ctl(["run", "--provider", PACKAGE, "--provider", "./clash.mjs", "--plain", "clash"], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`Error: --provider: the provider name "JSONFILE" is provided by both ${PACKAGE} and ./clash.mjs; load only one of them, or rename one\n`);
    expect(readFileSync(join(folder, "experiment.yaml"), "utf8")).toBe(before);
  });

  it("says where it looked for a package that is not installed", async () => {
    const run = await iter8ctl(["run", "--provider", "@iter8ts/metrics-provider-nope", "--plain", "run"], join(project, "run"));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error: --provider: provider module @iter8ts/metrics-provider-nope: no package @iter8ts/metrics-provider-nope is installed in ${join(project, "run")} or a folder above it`);
  });
});
