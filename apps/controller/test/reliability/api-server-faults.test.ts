// The controller against an unreliable API server: 30 % of all updates and patches (status
// writes, weight patches, Lease renewals, Event updates) answered with 409 Conflict, watches
// ended cleanly or reset, and the server restarted (state kept) with a short downtime, over and
// over while six Canary experiments run. No status update may be lost and none may get stuck:
// every experiment completes with each iteration recorded once, each action run once, and every
// committed traffic split summing to 100.
import type { FaultHandle } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

let cluster: ReliabilityCluster;
let controller: ControllerProcess;
let conflicts: FaultHandle;
const disruptions = { restarts: 0, droppedWatches: 0, resetWatches: 0 };
let healthAfter: { status: number; body: string };

beforeAll(async () => {
  cluster = await ReliabilityCluster.start({ names, actionMs: 100, seed: SEED });
  const { server } = cluster;
  controller = cluster.controller("faulty-controller", ["--workers=4", "--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms"]);
  await until(() => controller.logged("leading: reconciling experiments").length > 0, "the controller leads", 30_000);

  conflicts = server.faults.conflicts(0.3);
  for (const name of names) server.create(canaryExperiment(name, SHAPE));

  // Until everything completes: a restart, a clean end of every watch and a reset of every
  // watch in turn, 0.3-0.9 s apart (the seed picks the gaps and the downtimes).
  const random = new SeededRandom(SEED);
  const deadline = Date.now() + 90_000;
  for (let round = 0; !cluster.allCompleted() && Date.now() < deadline; round++) {
    await sleep(random.int(300, 900));
    const kind = (["restart", "drop", "reset"] as const)[round % 3];
    if (kind === "restart") {
      await server.restart({ keepState: true, downtimeMs: random.int(100, 800) });
      disruptions.restarts++;
    } else if (kind === "drop") {
      disruptions.droppedWatches += server.dropWatches();
    } else {
      disruptions.resetWatches += server.dropWatches({ abort: true });
    }
  }
  conflicts.remove();
  healthAfter = await controller.get("/healthz");
}, 150_000);

afterAll(async () => {
  await cluster?.close();
});

describe("the controller under conflicts, dropped watches and API server restarts", () => {
  it("met every kind of fault, and stayed up", () => {
    expect(conflicts.triggered).toBeGreaterThan(20);
    expect(disruptions.restarts).toBeGreaterThanOrEqual(3);
    expect(disruptions.droppedWatches + disruptions.resetWatches).toBeGreaterThan(0);
    expect(controller.alive).toBe(true);
    expect(controller.stderr).toEqual([]);
    expect(healthAfter.status).toBe(200);
  });

  it("completes every experiment, with every iteration recorded exactly once", () => {
    for (const name of names) expectCompletedOnce(cluster.experiment(name), SHAPE);
  });

  it("runs each action once", () => {
    expectActionsRanOnce(cluster.actions.runs(), names.map((name) => cluster.experiment(name)), SHAPE);
  });

  it("commits only traffic splits that sum to 100, in order", () => {
    expect(cluster.weights.problems).toEqual([]);
    for (const name of names) expectProgressiveSplits(cluster.weights.of(`default/${name}`), SHAPE);
  });
});
