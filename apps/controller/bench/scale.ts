// The controller at scale: 1,000 concurrent Canary experiments (each on its own VirtualService,
// mock metrics, an iteration every 10 s, progressive weights) against testkit's loopback API
// server, or with SCALE_SERVER=kube-apiserver against a real kube-apiserver and etcd from
// @iter8ts/kube-harness (`bench:scale` runs both, one after the other). The built executable runs
// in its own process, so the CPU and memory printed are the controller's alone; this process is
// the observer (and, on testkit, the API server). Prints the controller's
// CPU (share of one core) and RSS idle and in steady state, RSS per experiment, and how late
// iterations ran after their due time (p50/p99, from status.decisions). Run with
// `pnpm -F @iter8ts/controller bench:scale` (after a build); SCALE_EXPERIMENTS and
// SCALE_MEASURE_SECONDS change the size and the length of the measurement, SCALE_CONTROLLER_ARGS
// adds controller flags, SCALE_PROFILE_DIR writes a CPU profile of the controller there and
// SCALE_HEAP_SNAPSHOT_DIR a heap snapshot at the end of the steady state.
//
// Each run measures the write patterns in SCALE_PATTERNS (default "legacy,lean"), one after the
// other on a fresh server: `--write-pattern=legacy` is the pattern before issue 18 (the routing
// object read before and after each weight patch, the whole status PUT, an Event per iteration),
// `lean` the current one. With SCALE_PREVIOUS_KUBE_DIST (a copy of an earlier build of
// packages/kube/dist, saved before rebuilding) the pattern `previous` runs `lean` with that build
// of @iter8ts/kube loaded instead (bench/previous-kube-build.mjs), so an earlier commit's
// controller and the current one are measured in the same run. API requests per iteration are counted at the server (testkit's request
// log; kube-apiserver's apiserver_request_total), for Experiments, their status, routing objects
// and Events (watches and Leases left out).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { EngineStatus } from "@iter8ts/engine";
import { startControlPlane, waitForCrdsEstablished } from "@iter8ts/kube-harness";
import { KubeTestServer, defaultCustomResourceDefinitions, type JsonObject } from "@iter8ts/testkit";
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from "@kubernetes/client-node";
import { ControllerProcess, requireBuiltController, sampleValue } from "../test/reliability/controller-process";
import { canaryExperiment, mockMetrics, virtualService } from "../test/reliability/routing-fixtures";

const SERVER = process.env.SCALE_SERVER === "kube-apiserver" ? "kube-apiserver" : "testkit";
const EXPERIMENTS = Number(process.env.SCALE_EXPERIMENTS ?? 1_000);
const INTERVAL_SECONDS = 10;
const MEASURE_SECONDS = Number(process.env.SCALE_MEASURE_SECONDS ?? 60);
const CONTROLLER_ARGS = (process.env.SCALE_CONTROLLER_ARGS ?? "").split(" ").filter(Boolean);
/** A saved earlier build of packages/kube/dist, measured as the pattern `previous` (lean writes). */
const PREVIOUS_KUBE_DIST = process.env.SCALE_PREVIOUS_KUBE_DIST;
const PATTERNS = (process.env.SCALE_PATTERNS ?? (PREVIOUS_KUBE_DIST ? "legacy,previous,lean" : "legacy,lean")).split(",").filter(Boolean);
if (PATTERNS.includes("previous") && !PREVIOUS_KUBE_DIST) throw new Error("SCALE_PATTERNS names `previous`: set SCALE_PREVIOUS_KUBE_DIST to a saved copy of an earlier packages/kube/dist");
/** A folder for a CPU profile of the controller (`node --cpu-prof`), written when it stops. */
const PROFILE_DIR = process.env.SCALE_PROFILE_DIR;
/** A folder for a heap snapshot of the controller at the end of the steady state. */
const HEAP_DIR = process.env.SCALE_HEAP_SNAPSHOT_DIR;

interface Stored {
  metadata: { name: string };
  status?: EngineStatus;
}

function experiment(index: number): JsonObject {
  // Far more iterations than the run lasts: every experiment stays in Running.
  return canaryExperiment(`scale-${index}`, { intervalSeconds: INTERVAL_SECONDS, iterationsPerLoop: 1_000, maxLoops: 1, actions: false });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** CPU seconds and memory of the controller process, from its own /metrics. */
async function usage(controller: ControllerProcess): Promise<{ at: number; cpuSeconds: number; systemSeconds: number; rss: number; heapUsed: number }> {
  const { body } = await controller.get("/metrics");
  return {
    at: performance.now(),
    cpuSeconds: sampleValue(body, "process_cpu_seconds_total"),
    systemSeconds: sampleValue(body, "process_cpu_system_seconds_total"),
    rss: sampleValue(body, "process_resident_memory_bytes"),
    heapUsed: sampleValue(body, "nodejs_heap_size_used_bytes"),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The API server the controller runs against, as the benchmark uses it. */
interface BenchServer {
  kubeconfigPath: string;
  create(object: JsonObject): Promise<void>;
  experiments(): Promise<Stored[]>;
  /** Requests so far to experiments (and their status), routing objects and events, by `VERB resource`; no watches, no Leases. */
  requestCounts(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** The resources whose requests make up an iteration. */
const ITERATION_RESOURCES = new Set(["experiments", "experiments/status", "virtualservices", "events"]);

async function testkitServer(): Promise<BenchServer> {
  // Room for every request of a run: a few per iteration, 100 iterations a second.
  const server = await KubeTestServer.start({ namespaces: ["default", "iter8-system"], jobs: false, requestLogLimit: 2_000_000 });
  return {
    kubeconfigPath: server.kubeconfigPath,
    create: async (object) => void server.create(object),
    experiments: async () => server.list("iter8.tools/v2alpha2", "Experiment", "default") as unknown as Stored[],
    requestCounts: async () => {
      const counts = new Map<string, number>();
      for (const r of server.requests()) {
        const resource = r.subresource ? `${r.resource}/${r.subresource}` : (r.resource ?? "");
        if (r.verb === "watch" || !ITERATION_RESOURCES.has(resource)) continue;
        const key = `${r.method} ${resource}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    close: () => server.close(),
  };
}

/** apiserver_request_total from kube-apiserver's /metrics, summed by verb and resource as above. */
function apiserverRequestCounts(metricsText: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of metricsText.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const resource = labels.subresource ? `${labels.resource}/${labels.subresource}` : (labels.resource ?? "");
    if (labels.verb === "WATCH" || !ITERATION_RESOURCES.has(resource)) continue;
    // kube-apiserver names a GET of one object GET and a list LIST; the HTTP method is what counts here.
    const method = labels.verb === "LIST" ? "GET" : labels.verb === "APPLY" ? "PATCH" : labels.verb;
    const key = `${method} ${resource}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return counts;
}

/** etcd, kube-apiserver and kube-controller-manager on loopback; the CRDs applied with kubectl. */
async function kubeApiserver(): Promise<BenchServer> {
  const plane = await startControlPlane();
  const crds = [...defaultCustomResourceDefinitions()];
  const applied = await plane.kubectl(["apply", "--server-side", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: crds }) });
  if (applied.exitCode !== 0) throw new Error(`kubectl apply of the CRDs failed: ${applied.stderr}`);
  await waitForCrdsEstablished(plane);
  await plane.kubectl(["create", "namespace", "iter8-system"]);
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  const api = KubernetesObjectApi.makeApiClient(kc);
  return {
    kubeconfigPath: plane.kubeconfigPath,
    create: async (object) => void (await api.create(object as KubernetesObject)),
    experiments: async () => (await api.list("iter8.tools/v2alpha2", "Experiment", "default")).items as unknown as Stored[],
    requestCounts: async () => {
      const metrics = await plane.kubectl(["get", "--raw", "/metrics"]);
      if (metrics.exitCode !== 0) throw new Error(`kubectl get --raw /metrics failed: ${metrics.stderr}`);
      return apiserverRequestCounts(metrics.stdout);
    },
    close: () => plane.stop(),
  };
}

/** What one pattern measured. */
interface Row {
  pattern: string;
  iterationsPerSecond: number;
  cpu: number;
  msPerIteration: number;
  requestsPerIteration: number;
  requests: string;
  rssPerExperimentKiB: number;
  p50: number;
  p99: number;
}

async function measure(pattern: string): Promise<Row> {
  const server = SERVER === "kube-apiserver" ? await kubeApiserver() : await testkitServer();
  for (const metric of mockMetrics("default")) await server.create(metric);
  for (let i = 0; i < EXPERIMENTS; i++) await server.create(virtualService("default", `scale-${i}`));

  const logDir = mkdtempSync(join(tmpdir(), "iter8ts-scale-"));
  const controller = ControllerProcess.start({
    kubeconfigPath: server.kubeconfigPath,
    name: "scale-controller",
    args: ["--leader-elect=false", `--write-pattern=${pattern === "previous" ? "lean" : pattern}`, ...CONTROLLER_ARGS],
    logFile: join(logDir, "controller.log"),
    ...(pattern === "previous" ? { env: { ITER8TS_PREVIOUS_KUBE_DIST: PREVIOUS_KUBE_DIST! } } : {}),
    nodeArgs: [
      ...(pattern === "previous" ? ["--import", join(import.meta.dirname, "..", "..", "bench", "previous-kube-build.mjs")] : []),
      ...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []),
      ...(HEAP_DIR ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${HEAP_DIR}`] : []),
    ],
  });
  try {
    await controller.ports;
    for (let ready = false; !ready; await sleep(100)) ready = (await controller.get("/readyz")).status === 200;
    // Idle: synced, nothing to do; let start-up garbage settle before sampling.
    await sleep(5_000);
    const idleStart = await usage(controller);
    await sleep(5_000);
    const idle = await usage(controller);
    const idleCpu = (idle.cpuSeconds - idleStart.cpuSeconds) / ((idle.at - idleStart.at) / 1000);

    // Created at an even pace over one interval, as experiments arrive over time in a cluster;
    // all at once would make every iteration of every experiment due in the same instant.
    const createStarted = performance.now();
    for (let i = 0; i < EXPERIMENTS; i++) {
      await server.create(experiment(i));
      const due = createStarted + ((i + 1) * INTERVAL_SECONDS * 1000) / EXPERIMENTS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const running = async () => (await server.experiments()).filter((e) => (e.status?.completedIterations ?? 0) >= 1).length;
    while ((await running()) < EXPERIMENTS) await sleep(1_000);
    const warmSeconds = (performance.now() - createStarted) / 1000;

    const requestsStart = await server.requestCounts();
    const steadyStart = await usage(controller);
    const windowStart = Date.now();
    let peakRss = steadyStart.rss;
    const deadline = performance.now() + MEASURE_SECONDS * 1000;
    while (performance.now() < deadline) {
      await sleep(5_000);
      peakRss = Math.max(peakRss, (await usage(controller)).rss);
    }
    const steady = await usage(controller);
    const windowEnd = Date.now();
    const requestsEnd = await server.requestCounts();
    if (HEAP_DIR) {
      // Writing a snapshot of a few hundred MB takes a while; the controller answers nothing meanwhile.
      controller.child.kill("SIGUSR2");
      await sleep(15_000);
    }
    const steadyCpu = (steady.cpuSeconds - steadyStart.cpuSeconds) / ((steady.at - steadyStart.at) / 1000);
    const steadySystem = (steady.systemSeconds - steadyStart.systemSeconds) / ((steady.at - steadyStart.at) / 1000);

    // Lateness: when an iteration ran minus when it was due (the previous one's time + interval).
    const lateness: number[] = [];
    let iterations = 0;
    const final = await server.experiments();
    for (const exp of final) {
      const decisions = exp.status?.decisions ?? [];
      for (let i = 1; i < decisions.length; i++) {
        const ran = Date.parse(decisions[i]!.time);
        if (ran < windowStart || ran > windowEnd) continue;
        iterations++;
        lateness.push(ran - (Date.parse(decisions[i - 1]!.time) + INTERVAL_SECONDS * 1000));
      }
    }
    lateness.sort((a, b) => a - b);
    const statusBytes = JSON.stringify(final[0]?.status ?? {}).length;
    const perExperiment = (steady.rss - idle.rss) / EXPERIMENTS;

    const byKind = [...requestsEnd].map(([k, n]) => [k, n - (requestsStart.get(k) ?? 0)] as const).filter(([, n]) => n > 0);
    const requestTotal = byKind.reduce((sum, [, n]) => sum + n, 0);
    const perIteration = (n: number) => (iterations > 0 ? n / iterations : Number.NaN);

    console.log(pattern === "previous" ? `--write-pattern=lean with the @iter8ts/kube build in ${PREVIOUS_KUBE_DIST}:` : `--write-pattern=${pattern}:`);
    console.log(`controller at scale on ${SERVER}: ${EXPERIMENTS} experiments, an iteration every ${INTERVAL_SECONDS} s each, measured over ${MEASURE_SECONDS} s of steady state`);
    console.log(`  created over ${INTERVAL_SECONDS} s; all running after ${warmSeconds.toFixed(1)} s; ${iterations} iterations in the window (${(iterations / MEASURE_SECONDS).toFixed(1)}/s); status ${(statusBytes / 1024).toFixed(1)} KiB each`);
    console.log(`  CPU and RSS are the controller process's own (from its /metrics; the API server runs in this benchmark process, not in the controller's)`);
    console.log(`  CPU: idle ${(idleCpu * 100).toFixed(1)}% of a core, steady ${(steadyCpu * 100).toFixed(1)}% of a core, of which ${(steadySystem * 100).toFixed(1)}% in the kernel (goal <= 10%); ${((steadyCpu * 1000) / (iterations / MEASURE_SECONDS)).toFixed(2)} ms of CPU per iteration`);
    console.log(`  RSS: idle ${mib(idle.rss)}, steady ${mib(steady.rss)} (peak ${mib(peakRss)}); heap used ${mib(idle.heapUsed)} -> ${mib(steady.heapUsed)}`);
    console.log(`  RSS per experiment: ${(perExperiment / 1024).toFixed(1)} KiB (goal <= 100 KB)`);
    console.log(`  API requests per iteration: ${perIteration(requestTotal).toFixed(2)} (${byKind.map(([k, n]) => `${k} ${perIteration(n).toFixed(2)}`).join(", ")})`);
    console.log(
      `  iteration lateness: p50 ${percentile(lateness, 50).toFixed(0)} ms, p99 ${percentile(lateness, 99).toFixed(0)} ms, max ${percentile(lateness, 100).toFixed(0)} ms (goal p99 <= 100 ms)`,
    );
    return {
      pattern,
      iterationsPerSecond: iterations / MEASURE_SECONDS,
      cpu: steadyCpu,
      msPerIteration: (steadyCpu * 1000) / (iterations / MEASURE_SECONDS),
      requestsPerIteration: perIteration(requestTotal),
      requests: byKind.map(([k, n]) => `${k} ${perIteration(n).toFixed(2)}`).join(", "),
      rssPerExperimentKiB: perExperiment / 1024,
      p50: percentile(lateness, 50),
      p99: percentile(lateness, 99),
    };
  } finally {
    // A graceful stop writes the profile; otherwise there is nothing to wait for.
    await controller.kill(PROFILE_DIR ? "SIGTERM" : "SIGKILL");
    await server.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}

requireBuiltController();
const rows: Row[] = [];
for (const pattern of PATTERNS) rows.push(await measure(pattern));
console.log(`\nbefore (legacy${PATTERNS.includes("previous") ? "; previous: the saved earlier build" : ""}) and after (lean), ${EXPERIMENTS} experiments on ${SERVER}; the controller's own CPU and RSS:`);
console.log("| pattern | iterations/s | CPU (% of a core) | CPU ms/iteration | API requests/iteration | RSS/experiment | lateness p50 / p99 |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  console.log(`| ${r.pattern} | ${r.iterationsPerSecond.toFixed(1)} | ${(r.cpu * 100).toFixed(1)} | ${r.msPerIteration.toFixed(2)} | ${r.requestsPerIteration.toFixed(2)} | ${r.rssPerExperimentKiB.toFixed(1)} KiB | ${r.p50.toFixed(0)} / ${r.p99.toFixed(0)} ms |`);
}
