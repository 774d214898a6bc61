// The built iter8ctl against a Kubernetes API server (the loopback test server of
// @iter8ts/testkit): the Kubernetes client is compiled into a chunk that only the commands talking
// to a cluster load, and it must work from there as it does from the workspace packages.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeTestServer, writeKubeconfig, type JsonObject } from "@iter8ts/testkit";
import { abInput } from "@iter8ts/report/testing";
import { cliPath, repoRoot, runCli, type CliRun } from "./run-cli";

let server: KubeTestServer;

/** Runs the built CLI without blocking this process, which serves the API the CLI calls. */
function runAsync(args: readonly string[]): Promise<CliRun> {
  runCli(["--version"]); // fails with build instructions when the CLI is not built
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  server = await KubeTestServer.start({ namespaces: ["default", "ml"], jobs: false });
  dir = mkdtempSync(join(tmpdir(), "iter8ctl-cluster-built-"));
  kubeconfig = writeKubeconfig(server, join(dir, "kubeconfig"), { namespace: "ml" });
  const { status, ...object } = structuredClone(abInput()) as unknown as JsonObject & { status?: unknown };
  const created = server.create(object);
  server.replaceStatus({ ...created, status } as JsonObject);
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("iter8ctl against a cluster (built)", () => {
  it("describes an experiment read through the kubeconfig", async () => {
    const run = await runAsync(["describe", "recommender-ab", "--kubeconfig", kubeconfig]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("Experiment name: recommender-ab\nExperiment namespace: ml\n");
    expect(run.status).toBe(0);
  });

  it("asserts on the latest experiment of the context's namespace", async () => {
    const run = await runAsync(["assert", "-c", "completed,winnerFound", "--kubeconfig", kubeconfig]);
    expect(run.stdout).toBe("All conditions satisfied.\n");
    expect(run.status).toBe(0);
  });

  it("says which experiment is missing", async () => {
    const run = await runAsync(["describe", "no-such-experiment", "--kubeconfig", kubeconfig]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("no-such-experiment");
  });
});
