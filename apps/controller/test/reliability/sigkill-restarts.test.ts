// The controller killed with SIGKILL at seeded random points, 50 times, while ten Canary
// experiments run (one second per iteration, two loops of two iterations, start, loop and
// finish actions as Jobs). Each kill is followed by a fresh process, as a Deployment would
// restart it. Every experiment must still complete exactly as without kills: every iteration
// recorded once, every action run once, and every committed traffic split summing to 100. On
// testkit's loopback API server and on a real kube-apiserver (the controller with its own service
// account, through the fault proxy, which injects nothing here), with the same seed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_KINDS } from "../cluster/test-cluster";
import type { ControllerProcess, ProcessExit } from "./controller-process";
import { ReliabilityCluster } from "./reliability-cluster";
import { canaryExperiment } from "./routing-fixtures";
import { expectActionsRanOnce, expectCompletedOnce, expectProgressiveSplits, type RunShape } from "./run-expectations";
import { SeededRandom } from "./seeded-random";
import { sleep, until } from "./wait-until";

const EXPERIMENTS = 10;
const KILLS = 50;
/** A new experiment is created before every fifth controller, so kills land in every stage. */
const KILLS_PER_EXPERIMENT = KILLS / EXPERIMENTS;
const SEED = 20_240_611;
const SHAPE: RunShape = { iterationsPerLoop: 2, maxLoops: 2 };
const names = Array.from({ length: EXPERIMENTS }, (_, i) => `kill-${i}`);

describe.each(CLUSTER_KINDS)("a controller killed with SIGKILL 50 times on %s", (kind) => {
  let cluster: ReliabilityCluster;
  const lives: Array<{ process: ControllerProcess; exit: ProcessExit; killedWhileLeading: boolean }> = [];
  let survivorExit: ProcessExit | undefined;

  function startController(index: number): ControllerProcess {
    // One replica without election, as a single-replica Deployment restarts it: no Lease to wait for.
    return cluster.controller(`controller-${index}`, ["--leader-elect=false", "--workers=4"]);
  }

  beforeAll(async () => {
    cluster = await ReliabilityCluster.start({ kind, names, actionMs: 200 });
    const random = new SeededRandom(SEED);
    for (let k = 0; k < KILLS; k++) {
      if (k % KILLS_PER_EXPERIMENT === 0) await cluster.kube.create(canaryExperiment(names[k / KILLS_PER_EXPERIMENT]!, SHAPE));
      const controller = startController(k);
      if (random.chance(0.1)) {
        // Now and then while it is still loading or listing.
        await sleep(random.int(0, 800));
      } else {
        await Promise.race([controller.ports, controller.exited]);
        await sleep(random.int(0, 1_200));
      }
      const killedWhileLeading = controller.logged("leading: reconciling experiments").length > 0;
      lives.push({ process: controller, exit: await controller.kill("SIGKILL"), killedWhileLeading });
    }

    const survivor = startController(KILLS);
    await until(() => cluster.allCompleted(), "every experiment completed after the last kill", 60_000, 200);
    survivorExit = await survivor.kill("SIGTERM");
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it("was really killed mid-work: every process died of the SIGKILL and most had started reconciling", () => {
    expect(lives).toHaveLength(KILLS);
    for (const { process, exit } of lives) {
      expect({ replica: process.name, ...exit }).toEqual({ replica: process.name, code: null, signal: "SIGKILL" });
      expect(process.stderr).toEqual([]);
    }
    expect(lives.filter((l) => l.killedWhileLeading).length).toBeGreaterThanOrEqual(KILLS * 0.6);
    expect(survivorExit).toEqual({ code: 0, signal: null });
  });

  it("completes every experiment with every iteration recorded exactly once", async () => {
    for (const name of names) expectCompletedOnce(await cluster.experiment(name), SHAPE);
  });

  it("runs no action twice: one run per action run id, and the run ids are those in status", async () => {
    expectActionsRanOnce(cluster.actions.runs(), await Promise.all(names.map((name) => cluster.experiment(name))), SHAPE);
  });

  it("commits only traffic splits that sum to 100, moving the candidate up ten points per iteration", () => {
    expect(cluster.weights.problems).toEqual([]);
    for (const name of names) expectProgressiveSplits(cluster.weights.of(`default/${name}`), SHAPE);
  });
});
