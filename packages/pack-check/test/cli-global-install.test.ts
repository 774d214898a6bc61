// iter8ctl as a user installs it (issue 17): the @iter8ts/cli tarball alone, `npm install -g` into
// a temporary prefix outside the workspace, then `iter8ctl` and `kubectl-iter8` from its bin
// folder. The CLI is one bundle (the Kubernetes client included), so the tarball needs none of the
// library tarballs; its only dependencies, jq-wasm and jsonata, come from the npm registry
// (through the checks' cache).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, mustRun, npmCacheDir, packAll, PACK_CHECK_TMP, runCommand, WORKSPACE_ROOT, type PackedPackage } from "../src/index";

let cli: PackedPackage;
let prefix: string;
let work: string;
// A loopback Prometheus stand-in for `iter8ctl analyze`: latency 42 ms for v1, 250 ms for v2.
let prometheus: Server;
let promUrl = "";

const env = cleanEnv({ npm_config_update_notifier: "false" });
/** Runs one of the installed commands, with the prefix's bin folder first on PATH. */
const installed = (bin: string, args: readonly string[]) =>
  runCommand(join(prefix, "bin", bin), args, { cwd: work, env: { ...env, PATH: `${join(prefix, "bin")}:${env.PATH ?? ""}` }, timeoutMs: 120_000 });

beforeAll(async () => {
  cli = (await packAll()).get("@iter8ts/cli");
  mkdirSync(PACK_CHECK_TMP, { recursive: true });
  prefix = mkdtempSync(join(PACK_CHECK_TMP, "cli-global-"));
  work = mkdtempSync(join(PACK_CHECK_TMP, "cli-work-"));
  await mustRun("npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "--cache", npmCacheDir(), cli.tarball], {
    cwd: work,
    env,
    timeoutMs: 600_000,
  });
  prometheus = createServer((req, res) => {
    const version = new URL(req.url ?? "/", "http://x").searchParams.get("version");
    const value = { v1: "42", v2: "250" }[version ?? ""];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: value === undefined ? [] : [{ metric: {}, value: [1714557600, value] }] } }));
  });
  await new Promise<void>((resolve) => prometheus.listen(0, "127.0.0.1", resolve));
  promUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}/api/v1/query`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (prometheus ? prometheus.close(() => resolve()) : resolve()));
  for (const dir of [prefix, work]) if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

describe("the @iter8ts/cli tarball", () => {
  it("ships the bundle only: no sources, tests, fixtures, bench, source maps or workspace paths", () => {
    const extra = cli.files.filter((f) => !/^(dist\/[^/]+\.js|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(f));
    expect(extra).toEqual([]);
    expect(cli.files).toContain("dist/iter8ctl.js");
    expect(cli.manifest.bin).toEqual({ iter8ctl: "dist/iter8ctl.js", "kubectl-iter8": "dist/iter8ctl.js" });
    expect(cli.manifest.private).toBeUndefined();
  });

  it("depends only on what the bundle cannot hold, with semver ranges and none of our packages", () => {
    const dependencies = cli.manifest.dependencies ?? {};
    expect(Object.keys(dependencies).sort()).toEqual(["jq-wasm", "jsonata"]);
    for (const range of Object.values(dependencies)) expect(range).toMatch(/^\^/);
    expect(cli.manifest.peerDependencies ?? {}).toEqual({});
  });
});

describe("npm install -g of the @iter8ts/cli tarball", () => {
  it("installs iter8ctl, whose --version is the package's", async () => {
    const run = await installed("iter8ctl", ["--version"]);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(cli.manifest.version);
    expect(run.code).toBe(0);
  });

  it("installs the kubectl plugin kubectl-iter8, the same program", async () => {
    const run = await installed("kubectl-iter8", ["--help"]);
    expect(run.code, run.stderr).toBe(0);
    for (const command of ["describe", "assert", "validate", "run", "analyze", "report", "crd"]) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
  });

  it("validates the local sample's documents", async () => {
    const sample = join(WORKSPACE_ROOT, "samples", "local", "ab-progressive");
    const run = await installed("iter8ctl", ["validate", "-f", join(sample, "experiment.yaml"), "-f", join(sample, "metrics.yaml")]);
    expect(run.stdout).toMatch(/^\d+ valid, 0 invalid, 0 skipped$/m);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it("analyzes an experiment against a loopback Prometheus, extracting values with jq in its worker", async () => {
    const experiment = join(work, "experiment.yaml");
    writeFileSync(
      experiment,
      JSON.stringify({
        apiVersion: "iter8.tools/v2alpha2",
        kind: "Experiment",
        metadata: { name: "checkout", namespace: "shop" },
        spec: {
          target: "shop/checkout",
          strategy: { testingPattern: "Canary" },
          criteria: { objectives: [{ metric: "shop/latency", upperLimit: 100 }] },
          versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] },
        },
        status: { startTime: "2024-05-01T10:00:00Z" },
      }),
    );
    const metrics = join(work, "metrics.yaml");
    writeFileSync(
      metrics,
      JSON.stringify({
        apiVersion: "iter8.tools/v2alpha2",
        kind: "Metric",
        metadata: { name: "latency", namespace: "shop" },
        spec: { provider: "prometheus", urlTemplate: promUrl, params: [{ name: "version", value: "$name" }], jqExpression: ".data.result[0].value[1] | tonumber" },
      }),
    );
    const run = await installed("iter8ctl", ["analyze", "-f", experiment, "--metrics", metrics, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const analysis = JSON.parse(run.stdout) as { aggregatedMetrics: { data: Record<string, { data: Record<string, { value: unknown }> }> }; versionAssessments: { data: Record<string, boolean[]> } };
    const latency = analysis.aggregatedMetrics.data["shop/latency"]?.data;
    expect([latency?.v1?.value, latency?.v2?.value].map(Number)).toEqual([42, 250]);
    expect(analysis.versionAssessments.data).toEqual({ v1: [true], v2: [false] });
  });

  it("leaves nothing of the workspace in the installed package", () => {
    const root = join(prefix, "lib", "node_modules", "@iter8ts", "cli");
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies?: unknown };
    const text = cli.files.filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(root, f), "utf8"));
    expect(text.filter((t) => t.includes(WORKSPACE_ROOT))).toEqual([]);
    expect(JSON.stringify(manifest)).not.toContain("workspace:");
  });
});
