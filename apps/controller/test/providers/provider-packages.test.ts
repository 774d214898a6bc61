// The example provider package loaded into the built controller the way the derived image of
// Dockerfile.providers.example does it: the package installed in node_modules of the process's
// working directory and named by --provider (or ITER8TS_PROVIDERS). On a real kube-apiserver, an
// experiment whose Metric says `provider: jsonfile` runs to the end on the values the provider
// fetched; a module that cannot be used stops the process at start-up with its reason.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { JsonObject } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterKind, REPO_ROOT, startTestCluster, type TestCluster } from "../cluster/test-cluster";
import { CONTROLLER_PATH, requireBuiltController, type LogEntry } from "../reliability/controller-process";

const PACKAGE = "@iter8ts/metrics-provider-jsonfile";
const packageDir = join(REPO_ROOT, "packages", "metrics-provider-jsonfile");

interface Started {
  child: ChildProcess;
  logs: LogEntry[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** `node dist/controller.js` in `cwd`, as the derived image starts it in its WORKDIR. */
function startController(cwd: string, kubeconfig: string, args: readonly string[], env: Record<string, string> = {}): Started {
  const child = spawn(
    process.execPath,
    [CONTROLLER_PATH, `--kubeconfig=${kubeconfig}`, "--metrics-addr=0", "--health-addr=127.0.0.1:0", "--leader-elect=false", "--egress-allow=loopback,apiserver", ...args],
    { cwd, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", POD_NAME: "iter8-controller-providers", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs: LogEntry[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      logs.push(JSON.parse(line) as LogEntry);
    } catch {
      logs.push({ level: 60, time: Date.now(), msg: `not a JSON log line: ${line}` });
    }
  });
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, logs, stderr, exited };
}

async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill("SIGTERM");
  const timer = setTimeout(() => started.child.kill("SIGKILL"), 15_000);
  await started.exited;
  clearTimeout(timer);
}

let cluster: TestCluster;
let server: Server;
let base = "";
let project = "";
let served = 0;
let running: Started | undefined;

interface StoredExperiment {
  status?: {
    stage?: string;
    completedIterations?: number;
    analysis?: { aggregatedMetrics?: { data?: Record<string, { data?: unknown }> }; winnerAssessment?: { data?: { winnerFound?: boolean; winner?: string } } };
  };
}

beforeAll(async () => {
  requireBuiltController();
  if (!existsSync(join(packageDir, "dist", "index.js"))) throw new Error(`${packageDir}/dist does not exist: build it with \`pnpm turbo run build --filter=${PACKAGE}\``);
  server = createServer((req, res) => {
    served += 1;
    if (req.url === "/eval/latest.json") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ "ml/accuracy": { v1: 0.91, v2: { value: 0.95, sampleSize: 800 } } }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The image's WORKDIR after `npm install` of the package (here a link to the workspace's build).
  project = realpathSync(mkdtempSync(join(tmpdir(), "controller-providers-")));
  mkdirSync(join(project, "node_modules", "@iter8ts"), { recursive: true });
  symlinkSync(packageDir, join(project, "node_modules", "@iter8ts", "metrics-provider-jsonfile"), "dir");
  writeFileSync(join(project, "clash.mjs"), 'export const iter8tsProviderApi = 1;\nexport const providers = [{ apiVersion: "metrics.iter8ts/v1", name: "jsonfile", async query() { return { ok: true, value: 1 }; } }];\n');

  cluster = await startTestCluster(ClusterKind.KubeApiserver, { namespaces: ["ml"], tenants: [] });
}, 300_000);

afterAll(async () => {
  await stop(running);
  await cluster?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (project) rmSync(project, { recursive: true, force: true });
});

describe(`the controller with --provider ${PACKAGE}, on kube-apiserver`, () => {
  it("runs an experiment whose Metric uses the package's provider to the end, on the values it fetched", async () => {
    await cluster.create({
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Metric",
      metadata: { name: "accuracy", namespace: "ml" },
      spec: { provider: "jsonfile", type: "Gauge", urlTemplate: `${base}/eval/latest.json` },
    } as JsonObject);
    running = startController(project, cluster.controllerKubeconfigPath, ["--provider", PACKAGE]);
    await cluster.create({
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
    } as JsonObject);

    const deadline = Date.now() + 90_000;
    let stored: StoredExperiment | undefined;
    while (Date.now() < deadline && running.child.exitCode === null) {
      stored = (await cluster.get("iter8.tools/v2alpha2", "Experiment", "model-ab", "ml")) as StoredExperiment | undefined;
      if (stored?.status?.stage === "Completed") break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const loaded = running.logs.find((l) => l.msg === `loaded metric providers jsonfile from ${PACKAGE}`);
    expect(loaded, `controller logs: ${running.logs.map((l) => l.msg).join(" | ")} ${running.stderr.join("\n")}`).toMatchObject({
      module: PACKAGE,
      file: join(project, "node_modules", PACKAGE, "dist", "index.js"),
      providers: ["jsonfile"],
    });
    expect(stored?.status?.stage).toBe("Completed");
    expect(stored?.status?.completedIterations).toBe(2);
    expect(stored?.status?.analysis?.aggregatedMetrics?.data?.["ml/accuracy"]?.data).toEqual({ v1: { value: "0.91" }, v2: { value: "0.95", sampleSize: 800 } });
    expect(stored?.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "v2" });
    expect(served).toBeGreaterThanOrEqual(4);
    expect(running.logs.filter((l) => String(l.msg).startsWith("no value for metric ml/accuracy"))).toEqual([]);
  }, 120_000);

  it("exits 1 at start-up, before listening, when ITER8TS_PROVIDERS names two modules providing the same name", async () => {
    const started = startController(project, cluster.controllerKubeconfigPath, [], { ITER8TS_PROVIDERS: `${PACKAGE},./clash.mjs` });
    expect(await started.exited).toBe(1);
    expect(started.logs.map((l) => [l.level, l.msg])).toEqual([
      [60, `cannot start: the provider name "jsonfile" is provided by both ${PACKAGE} and ./clash.mjs; load only one of them, or rename one`],
    ]);
  }, 60_000);

  it("exits 1 at start-up naming a --provider package that is not installed in its working directory", async () => {
    const started = startController(project, cluster.controllerKubeconfigPath, ["--provider", "@acme/iter8ts-provider-absent"]);
    expect(await started.exited).toBe(1);
    expect(started.logs.at(-1)?.msg).toBe(
      `cannot start: provider module @acme/iter8ts-provider-absent: no package @acme/iter8ts-provider-absent is installed in ${project} or a folder above it (looked for node_modules/@acme/iter8ts-provider-absent); install it there (npm install @acme/iter8ts-provider-absent), or give the module's path`,
    );
    expect(started.logs.some((l) => l.msg === "iter8ts controller starting")).toBe(false);
  }, 60_000);
});
