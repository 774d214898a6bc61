// Three replicas of the built controller with --shards: the experiments are split among them by
// shard Leases, each experiment reconciled by one replica only. One replica is then killed with
// SIGKILL mid-run (no release of its Leases): its shards must move to the other two once its
// Leases expire, and every experiment must finish without an iteration recorded twice or an
// action run twice. On testkit's loopback API server and on a real kube-apiserver (the replicas
// with the controller's service account and its RBAC, through the fault proxy).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_KINDS } from "../cluster/test-cluster";
import type { ControllerProcess } from "./controller-process";
import { ReliabilityCluster } from "./reliability-cluster";
import { canaryExperiment } from "./routing-fixtures";
import { expectActionsRanOnce, expectCompletedOnce, expectProgressiveSplits, type RunShape } from "./run-expectations";
import { until } from "./wait-until";

const LEASE_DURATION_MS = 3_000;
const RETRY_PERIOD_MS = 500;
const SHARDS = 8;
const SHAPE: RunShape = { iterationsPerLoop: 3, maxLoops: 2 };
const names = Array.from({ length: 9 }, (_, i) => `sharded-${i}`);
const RECONCILED = "reconciled";

describe.each(CLUSTER_KINDS)("three sharded replicas on %s, one killed with SIGKILL", (kind) => {
  let cluster: ReliabilityCluster;
  let replicas: ControllerProcess[];
  let victim: ControllerProcess;
  let killedAt: number;
  /** Experiment → the replicas that reconciled it before the kill. */
  const before = new Map<string, Set<string>>();

  function replica(name: string): ControllerProcess {
    // Debug logs carry one line per reconcile, which tells which replica did the work.
    return cluster.controller(name, ["--workers=4", "--log-level=debug", `--shards=${SHARDS}`, `--lease-duration=${LEASE_DURATION_MS}ms`, "--renew-deadline=2s", `--retry-period=${RETRY_PERIOD_MS}ms`]);
  }

  function reconcilers(since: number, until = Infinity): Map<string, Set<string>> {
    const by = new Map<string, Set<string>>();
    for (const r of replicas) {
      for (const line of r.logged(RECONCILED)) {
        if (line.time < since || line.time >= until) continue;
        const name = String(line.experiment);
        by.set(name, (by.get(name) ?? new Set()).add(r.name));
      }
    }
    return by;
  }

  beforeAll(async () => {
    cluster = await ReliabilityCluster.start({ kind, names, actionMs: 200 });
    replicas = ["replica-a", "replica-b", "replica-c"].map(replica);
    // Every replica holds some shards before the experiments arrive, so none starts with them all.
    await until(() => replicas.every((r) => r.logged("acquired a shard").length > 0), "every replica holds a shard", 30_000);
    await until(async () => (await cluster.kube.list("coordination.k8s.io/v1", "Lease", "iter8-system")).filter((l) => String(l.metadata.name).includes("-shard-")).length === SHARDS, "every shard has a Lease", 30_000);

    for (const name of names) await cluster.kube.create(canaryExperiment(name, SHAPE));
    await until(async () => (await Promise.all(names.map((n) => cluster.experiment(n)))).every((e) => (e.status?.completedIterations ?? 0) >= 2), "every experiment is two iterations in", 60_000);
    killedAt = Date.now();
    for (const [name, by] of reconcilers(0, killedAt)) before.set(name, by);
    // The replica with the most experiments.
    victim = [...replicas].sort((x, y) => count(y) - count(x))[0]!;
    await victim.kill("SIGKILL");
    await until(() => cluster.allCompleted(), "the other replicas completed every experiment", 90_000, 200);
  }, 200_000);

  function count(r: ControllerProcess): number {
    return [...before.values()].filter((by) => by.has(r.name)).length;
  }

  afterAll(async () => {
    await cluster?.close();
  });

  it("splits the experiments among the replicas, each reconciled by one replica only", () => {
    expect([...before.keys()].sort()).toEqual([...names].sort());
    for (const [name, by] of before) expect({ name, by: [...by] }).toEqual({ name, by: [expect.any(String)] });
    const busy = replicas.filter((r) => count(r) > 0);
    expect(busy.length).toBeGreaterThanOrEqual(2);
  });

  it("moves the killed replica's experiments to the others once its Leases expire, and no earlier", async ({ annotate }) => {
    const orphans = [...before].filter(([, by]) => by.has(victim.name)).map(([name]) => name);
    expect(orphans.length).toBeGreaterThan(0);
    const after = reconcilers(killedAt);
    let firstMove = Infinity;
    for (const name of orphans) {
      const by = after.get(name);
      expect(by?.has(victim.name) ?? false).toBe(false);
      expect(by?.size ?? 0).toBeGreaterThan(0);
      for (const r of replicas) {
        const first = r.logs.find((l) => l.msg === RECONCILED && l.experiment === name && l.time >= killedAt);
        if (first) firstMove = Math.min(firstMove, first.time);
      }
    }
    const movedMs = firstMove - killedAt;
    await annotate(`the killed replica's ${orphans.length} experiments were reconciled elsewhere ${movedMs} ms after the kill (lease ${LEASE_DURATION_MS} ms, retry period ${RETRY_PERIOD_MS} ms)`);
    // Its last renewal was at most one retry period before the kill: taking over sooner would mean two owners.
    expect(movedMs).toBeGreaterThanOrEqual(LEASE_DURATION_MS - RETRY_PERIOD_MS);
    // The lease duration, the next round of a survivor and a busy machine's timer delays.
    expect(movedMs).toBeLessThanOrEqual(LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS + 3_000);
    // The other replicas kept theirs: nothing moved that did not have to.
    for (const [name, by] of before) {
      if (by.has(victim.name)) continue;
      expect({ name, after: [...(after.get(name) ?? [])] }).toEqual({ name, after: [...by] });
    }
  });

  it("finishes every experiment without repeating an iteration or an action", async () => {
    const experiments = await Promise.all(names.map((name) => cluster.experiment(name)));
    for (const experiment of experiments) {
      expectCompletedOnce(experiment, SHAPE);
      expectProgressiveSplits(cluster.weights.of(`default/${experiment.metadata.name}`), SHAPE);
    }
    expectActionsRanOnce(cluster.actions.runs(), experiments, SHAPE);
  });
});
