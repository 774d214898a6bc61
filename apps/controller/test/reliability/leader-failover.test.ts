// Two replicas of the built controller on one Lease while four Canary experiments run: only the
// leader reconciles. The leader is then killed with SIGKILL mid-run — no graceful release of the
// Lease — and the standby must take over once the Lease expires and finish every experiment
// without repeating an iteration or an action. On testkit's loopback API server and on a real
// kube-apiserver (both replicas with the controller's service account, through the fault proxy).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_KINDS } from "../cluster/test-cluster";
import type { ControllerProcess } from "./controller-process";
import { ReliabilityCluster } from "./reliability-cluster";
import { canaryExperiment } from "./routing-fixtures";
import { expectActionsRanOnce, expectCompletedOnce, expectProgressiveSplits, type RunShape } from "./run-expectations";
import { until } from "./wait-until";

const LEASE_DURATION_MS = 3_000;
const RETRY_PERIOD_MS = 500;
const SHAPE: RunShape = { iterationsPerLoop: 3, maxLoops: 2 };
const names = Array.from({ length: 4 }, (_, i) => `failover-${i}`);
const RECONCILED = "reconciled";
const LEADING = "leading: reconciling experiments";

describe.each(CLUSTER_KINDS)("two replicas on %s, the leader killed with SIGKILL", (kind) => {
  let cluster: ReliabilityCluster;
  let leader: ControllerProcess;
  let standby: ControllerProcess;
  let killedAt: number;
  let standbyReconcilesBeforeKill: number;
  let leaderReconcilesBeforeKill: number;

  function replica(name: string): ControllerProcess {
    // Debug logs carry one line per reconcile, which tells which replica did the work.
    return cluster.controller(name, ["--workers=4", "--log-level=debug", `--lease-duration=${LEASE_DURATION_MS}ms`, "--renew-deadline=2s", `--retry-period=${RETRY_PERIOD_MS}ms`]);
  }

  async function leaseHolder(): Promise<string | undefined> {
    const lease = (await cluster.kube.get("coordination.k8s.io/v1", "Lease", "leader.iter8.tools", "iter8-system")) as { spec?: { holderIdentity?: string } } | undefined;
    return lease?.spec?.holderIdentity || undefined;
  }

  async function everyExperimentTwoIterationsIn(): Promise<boolean> {
    const experiments = await Promise.all(names.map((name) => cluster.experiment(name)));
    return experiments.every((e) => (e.status?.completedIterations ?? 0) >= 2);
  }

  beforeAll(async () => {
    cluster = await ReliabilityCluster.start({ kind, names, actionMs: 200 });
    leader = replica("replica-a");
    await until(() => leader.logged(LEADING).length > 0, "replica-a leads", 30_000);
    standby = replica("replica-b");
    await until(() => standby.logged("replica-a leads").length > 0, "replica-b sees replica-a lead", 30_000);

    for (const name of names) await cluster.kube.create(canaryExperiment(name, SHAPE));
    // Mid-run: every experiment has iterated, none has finished.
    await until(everyExperimentTwoIterationsIn, "every experiment is two iterations in", 30_000);
    leaderReconcilesBeforeKill = await leader.sample("iter8_reconciles_total");
    standbyReconcilesBeforeKill = await standby.sample("iter8_reconciles_total");
    killedAt = Date.now();
    await leader.kill("SIGKILL");

    await until(() => cluster.allCompleted(), "replica-b completed every experiment", 60_000, 200);
  }, 150_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it("lets only the leader reconcile while it lives", () => {
    expect(leaderReconcilesBeforeKill).toBeGreaterThan(0);
    expect(standbyReconcilesBeforeKill).toBe(0);
    expect(standby.logs.filter((l) => l.msg === RECONCILED && l.time < killedAt)).toEqual([]);
    expect(leader.logged(RECONCILED).length).toBeGreaterThan(0);
  });

  it("hands the work to the standby once the Lease expires, and no earlier", async ({ annotate }) => {
    const took = standby.find((l) => l.msg === LEADING);
    expect(took).toBeDefined();
    const takeoverMs = took!.time - killedAt;
    await annotate(`replica-b led ${takeoverMs} ms after replica-a was killed (lease ${LEASE_DURATION_MS} ms, retry period ${RETRY_PERIOD_MS} ms)`);
    // The dead leader renewed at most one retry period before it died, so the Lease cannot have
    // expired earlier than this; taking over sooner would mean two leaders.
    expect(takeoverMs).toBeGreaterThanOrEqual(LEASE_DURATION_MS - RETRY_PERIOD_MS);
    // The standby notices the expiry at its next retry, one period after it last saw a renewal
    // at the latest; the extra second absorbs a busy test machine's timer delays.
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS + 1_000);
    expect(await leaseHolder()).toBe("replica-b");
    expect(standby.find((l) => l.msg === RECONCILED)!.time).toBeGreaterThanOrEqual(took!.time);
  });

  it("finishes every experiment on the standby without repeating an iteration or an action", async () => {
    const experiments = await Promise.all(names.map((name) => cluster.experiment(name)));
    for (const experiment of experiments) {
      const { name } = experiment.metadata;
      expectCompletedOnce(experiment, SHAPE);
      expectProgressiveSplits(cluster.weights.of(`default/${name}`), SHAPE);
      expect(standby.logs.some((l) => l.experiment === name && l.reason === "ExperimentCompleted")).toBe(true);
    }
    expectActionsRanOnce(cluster.actions.runs(), experiments, SHAPE);
    expect(await standby.sample("iter8_leader")).toBe(1);
  });
});
