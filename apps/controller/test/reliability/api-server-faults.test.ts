// The controller against an unreliable API server: 30 % of all updates and patches (status
// writes, weight patches, Lease renewals, Event updates) answered with 409 Conflict, watches
// ended cleanly or reset, and the server restarted (state kept) with a short downtime, over and
// over while six Canary experiments run. No status update may be lost and none may get stuck:
// every experiment completes with each iteration recorded once, each action run once, and every
// committed traffic split summing to 100.
//
// On testkit the loopback server does all of it. On kube-apiserver the conflicts and the dropped
// and reset watches come from the fault proxy the controller talks through, and the restarts are
// real: kube-apiserver stopped and started again over the same etcd, which takes seconds, not
// milliseconds, and after which no watch resumes (410, the controller lists again). So that the
// experiments still run between restarts and the suite stays bounded, only the first
// REAL_RESTARTS restart turns are real there; the later ones cut every connection at the proxy
// and refuse new ones for the same downtime, which is what testkit's restart is to a client.
import type { FaultHandle } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_KINDS, ClusterKind } from "../cluster/test-cluster";
import type { ControllerProcess } from "./controller-process";
import { ReliabilityCluster } from "./reliability-cluster";
import { canaryExperiment } from "./routing-fixtures";
import { expectActionsRanOnce, expectCompletedOnce, expectProgressiveSplits, type RunShape } from "./run-expectations";
import { SeededRandom } from "./seeded-random";
import { sleep, until } from "./wait-until";

const names = Array.from({ length: 6 }, (_, i) => `faulty-${i}`);
const SEED = 409;
/** Two loops of three one-second iterations: long enough for a dozen disruptions. */
const SHAPE: RunShape = { iterationsPerLoop: 3, maxLoops: 2 };
/** Real restarts of kube-apiserver (about 4.5 s each on a busy two-core machine); testkit restarts every time. */
const REAL_RESTARTS: Record<ClusterKind, number> = { [ClusterKind.Testkit]: Infinity, [ClusterKind.KubeApiserver]: 4 };

describe.each(CLUSTER_KINDS)("the controller under conflicts, dropped watches and API server restarts on %s", (kind) => {
  let cluster: ReliabilityCluster;
  let controller: ControllerProcess;
  let conflicts: FaultHandle;
  const disruptions = { restarts: 0, connectionCuts: 0, droppedWatches: 0, resetWatches: 0 };
  let healthAfter: { status: number; body: string };

  beforeAll(async () => {
    cluster = await ReliabilityCluster.start({ kind, names, actionMs: 100, seed: SEED });
    const { kube } = cluster;
    controller = cluster.controller("faulty-controller", ["--workers=4", "--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms"]);
    await until(() => controller.logged("leading: reconciling experiments").length > 0, "the controller leads", 30_000);

    conflicts = kube.faults.conflicts(0.3);
    for (const name of names) await kube.create(canaryExperiment(name, SHAPE));

    // Until everything completes: a restart, a clean end of every watch and a reset of every
    // watch in turn, 0.3-0.9 s apart (the seed picks the gaps and the downtimes).
    const random = new SeededRandom(SEED);
    const deadline = Date.now() + 120_000;
    for (let round = 0; !(await cluster.allCompleted()) && Date.now() < deadline; round++) {
      await sleep(random.int(300, 900));
      const turn = (["restart", "drop", "reset"] as const)[round % 3];
      if (turn === "restart") {
        const downtimeMs = random.int(100, 800);
        if (disruptions.restarts < REAL_RESTARTS[kind]) {
          await cluster.restartApiServer(downtimeMs);
          disruptions.restarts++;
        } else {
          await kube.cutConnections({ downtimeMs });
          disruptions.connectionCuts++;
        }
      } else if (turn === "drop") {
        disruptions.droppedWatches += kube.dropWatches();
      } else {
        disruptions.resetWatches += kube.dropWatches({ abort: true });
      }
    }
    conflicts.remove();
    healthAfter = await controller.get("/healthz");
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it("met every kind of fault, and stayed up", async ({ annotate }) => {
    await annotate(`${disruptions.restarts} restarts, ${disruptions.connectionCuts} connection cuts, ${disruptions.droppedWatches} watches ended, ${disruptions.resetWatches} reset, ${conflicts.triggered} conflicts`);
    expect(conflicts.triggered).toBeGreaterThan(20);
    expect(disruptions.restarts).toBeGreaterThanOrEqual(3);
    expect(disruptions.droppedWatches + disruptions.resetWatches).toBeGreaterThan(0);
    expect(controller.alive).toBe(true);
    expect(controller.stderr).toEqual([]);
    expect(healthAfter.status).toBe(200);
  });

  it("completes every experiment, with every iteration recorded exactly once", async () => {
    for (const name of names) expectCompletedOnce(await cluster.experiment(name), SHAPE);
  });

  it("runs each action once", async () => {
    expectActionsRanOnce(cluster.actions.runs(), await Promise.all(names.map((name) => cluster.experiment(name))), SHAPE);
  });

  it("commits only traffic splits that sum to 100, in order", () => {
    expect(cluster.weights.problems).toEqual([]);
    for (const name of names) expectProgressiveSplits(cluster.weights.of(`default/${name}`), SHAPE);
  });
});
