// Replicas sharing the work: SHARDED_REPLICAS (default 3) built controllers with --shards against
// testkit's loopback API server, SHARDED_EXPERIMENTS (default 3,000) Canary experiments with mock
// metrics and an iteration every 10 s. Prints each replica's CPU (share of one core), RSS,
// iterations per second and iteration lateness (p50/p99, from status.decisions of the experiments
// whose shards it holds), measured over SHARDED_MEASURE_SECONDS (default 30) of steady state; then
// kills the replica holding the most experiments with SIGKILL and prints how long until its shard
// Leases are held by the others and until every one of its experiments has run an iteration
// again. Run with `pnpm -F @iter8ts/controller bench:sharded` (after a build).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { EngineStatus } from "@iter8ts/engine";
import { shardOf } from "@iter8ts/kube";
import { KubeTestServer, type JsonObject } from "@iter8ts/testkit";
import { ControllerProcess, requireBuiltController, sampleValue } from "../test/reliability/controller-process";
import { canaryExperiment, mockMetrics, virtualService } from "../test/reliability/routing-fixtures";

const REPLICAS = Number(process.env.SHARDED_REPLICAS ?? 3);
const EXPERIMENTS = Number(process.env.SHARDED_EXPERIMENTS ?? 3_000);
const MEASURE_SECONDS = Number(process.env.SHARDED_MEASURE_SECONDS ?? 30);
const SHARDS = 32;
const INTERVAL_SECONDS = 10;
const LEASE = { duration: 6_000, renewDeadline: 4_000, retryPeriod: 1_000 };

interface Stored {
  metadata: { name: string; namespace?: string };
  status?: EngineStatus;
}
interface Lease {
  metadata: { name: string };
  spec?: { holderIdentity?: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function usage(controller: ControllerProcess): Promise<{ at: number; cpuSeconds: number; rss: number; iterations: number }> {
  const { body } = await controller.get("/metrics");
  return {
    at: performance.now(),
    cpuSeconds: sampleValue(body, "process_cpu_seconds_total"),
    rss: sampleValue(body, "process_resident_memory_bytes"),
    iterations: sampleValue(body, "iter8_iterations_total"),
  };
}

requireBuiltController();
const server = await KubeTestServer.start({ namespaces: ["default", "iter8-system"], jobs: false, requestLogLimit: 1 });
const experiments = () => server.list("iter8.tools/v2alpha2", "Experiment", "default") as unknown as Stored[];
/** Shard → the replica holding its Lease now. */
function shardHolders(): Map<number, string> {
  const holders = new Map<number, string>();
  for (const lease of server.list("coordination.k8s.io/v1", "Lease", "iter8-system") as unknown as Lease[]) {
    const match = /-shard-(\d+)$/.exec(lease.metadata.name);
    if (match && lease.spec?.holderIdentity) holders.set(Number(match[1]), lease.spec.holderIdentity);
  }
  return holders;
}

const logDir = mkdtempSync(join(tmpdir(), "iter8ts-sharded-"));
const replicas: ControllerProcess[] = [];
try {
  for (const metric of mockMetrics("default")) server.create(metric);
  for (let i = 0; i < EXPERIMENTS; i++) server.create(virtualService("default", `sharded-${i}`));
  for (let r = 0; r < REPLICAS; r++) {
    replicas.push(
      ControllerProcess.start({
        kubeconfigPath: server.kubeconfigPath,
        name: `replica-${r}`,
        args: [`--shards=${SHARDS}`, `--lease-duration=${LEASE.duration}ms`, `--renew-deadline=${LEASE.renewDeadline}ms`, `--retry-period=${LEASE.retryPeriod}ms`],
        logFile: join(logDir, `replica-${r}.log`),
      }),
    );
  }
  for (const replica of replicas) {
    await replica.ports;
    for (let ready = false; !ready; await sleep(100)) ready = (await replica.get("/readyz")).status === 200;
  }
  // Every shard held before the experiments arrive, so the split is the steady one from the start.
  while (shardHolders().size < SHARDS || new Set(shardHolders().values()).size < REPLICAS) await sleep(200);

  const createStarted = performance.now();
  for (let i = 0; i < EXPERIMENTS; i++) {
    server.create(canaryExperiment(`sharded-${i}`, { intervalSeconds: INTERVAL_SECONDS, iterationsPerLoop: 1_000, maxLoops: 1, actions: false }) as JsonObject);
    const wait = createStarted + ((i + 1) * INTERVAL_SECONDS * 1000) / EXPERIMENTS - performance.now();
    if (wait > 0) await sleep(wait);
  }
  // Listing thousands of experiments costs the server (this process) real time: not too often.
  while (experiments().filter((e) => (e.status?.completedIterations ?? 0) >= 1).length < EXPERIMENTS) await sleep(5_000);
  const warmSeconds = (performance.now() - createStarted) / 1000;

  const start = await Promise.all(replicas.map(usage));
  const windowStart = Date.now();
  await sleep(MEASURE_SECONDS * 1000);
  const end = await Promise.all(replicas.map(usage));
  const windowEnd = Date.now();

  const holders = shardHolders();
  const ownerOf = (e: Stored) => holders.get(shardOf(e.metadata.namespace ?? "default", e.metadata.name, SHARDS)) ?? "?";
  const lateness = new Map<string, number[]>(replicas.map((r) => [r.name, []]));
  const owned = new Map<string, number>();
  for (const e of experiments()) {
    const owner = ownerOf(e);
    owned.set(owner, (owned.get(owner) ?? 0) + 1);
    const decisions = e.status?.decisions ?? [];
    for (let i = 1; i < decisions.length; i++) {
      const ran = Date.parse(decisions[i]!.time);
      if (ran < windowStart || ran > windowEnd) continue;
      lateness.get(owner)?.push(ran - (Date.parse(decisions[i - 1]!.time) + INTERVAL_SECONDS * 1000));
    }
  }
  console.log(`${REPLICAS} sharded replicas (${SHARDS} shards) on testkit: ${EXPERIMENTS} experiments, an iteration every ${INTERVAL_SECONDS} s each; all running after ${warmSeconds.toFixed(1)} s; measured over ${MEASURE_SECONDS} s`);
  console.log("| replica | shards | experiments | iterations/s | CPU (% of a core) | CPU ms/iteration | RSS | lateness p50 / p99 |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  replicas.forEach((r, i) => {
    const seconds = (end[i]!.at - start[i]!.at) / 1000;
    const cpu = (end[i]!.cpuSeconds - start[i]!.cpuSeconds) / seconds;
    const rate = (end[i]!.iterations - start[i]!.iterations) / seconds;
    const late = lateness.get(r.name)!.sort((a, b) => a - b);
    const shards = [...holders.values()].filter((h) => h === r.name).length;
    console.log(
      `| ${r.name} | ${shards} | ${owned.get(r.name) ?? 0} | ${rate.toFixed(1)} | ${(cpu * 100).toFixed(1)} | ${((cpu * 1000) / rate).toFixed(2)} | ${mib(end[i]!.rss)} | ${percentile(late, 50).toFixed(0)} / ${percentile(late, 99).toFixed(0)} ms |`,
    );
  });

  // SIGKILL the busiest replica: no release, its Leases just stop being renewed.
  const victim = replicas.reduce((a, b) => ((owned.get(b.name) ?? 0) > (owned.get(a.name) ?? 0) ? b : a));
  const victimShards = [...holders].filter(([, h]) => h === victim.name).map(([s]) => s);
  const orphans = experiments().filter((e) => ownerOf(e) === victim.name).map((e) => e.metadata.name);
  const killedAt = Date.now();
  await victim.kill("SIGKILL");
  let leasesMovedMs = Number.NaN;
  let experimentsMovedMs = Number.NaN;
  const orphanSet = new Set(orphans);
  for (let round = 0; Number.isNaN(experimentsMovedMs) && Date.now() - killedAt < 120_000; round++) {
    await sleep(100);
    const now = shardHolders();
    if (Number.isNaN(leasesMovedMs) && victimShards.every((s) => now.get(s) !== undefined && now.get(s) !== victim.name)) leasesMovedMs = Date.now() - killedAt;
    // The Leases every 100 ms, the experiments (thousands of objects) every second.
    if (round % 10 !== 9) continue;
    const waiting = experiments().filter((e) => orphanSet.has(e.metadata.name) && !(e.status?.decisions ?? []).some((d) => Date.parse(d.time) > killedAt + LEASE.duration - LEASE.retryPeriod));
    if (waiting.length === 0) experimentsMovedMs = Date.now() - killedAt;
  }
  console.log(
    `SIGKILL of ${victim.name} (${victimShards.length} shards, ${orphans.length} experiments; lease ${LEASE.duration / 1000} s, retry ${LEASE.retryPeriod / 1000} s): ` +
      `its shard Leases held by the others after ${(leasesMovedMs / 1000).toFixed(1)} s; every one of its experiments iterated again after ${(experimentsMovedMs / 1000).toFixed(1)} s ` +
      `(at most the lease duration plus one ${INTERVAL_SECONDS} s interval)`,
  );
} finally {
  await Promise.all(replicas.map((r) => r.kill("SIGKILL")));
  await server.close();
  rmSync(logDir, { recursive: true, force: true });
}
