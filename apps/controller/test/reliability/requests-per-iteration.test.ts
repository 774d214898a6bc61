// How many API requests one iteration costs, counted at the API server (testkit's request log, the
// fault proxy's in front of kube-apiserver): one experiment of 2 iterations, then one of 6, with
// the same controller; the difference is 4 iterations' worth, whatever starting and finishing an
// experiment costs. With --write-pattern=lean an iteration is exactly two writes, the weight patch
// and a patch of the changed status fields, and no read (the informers answer those); legacy, the
// earlier pattern, reads the routing object before and after its patch, PUTs the whole status and
// records an Event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_KINDS } from "../cluster/test-cluster";
import type { ControllerProcess } from "./controller-process";
import { ReliabilityCluster } from "./reliability-cluster";
import { canaryExperiment } from "./routing-fixtures";
import { sleep, until } from "./wait-until";

const SHORT = 2;
const LONG = 6;
const ITERATION_RESOURCES = new Set(["experiments", "experiments/status", "virtualservices", "events"]);

type Counts = Record<string, number>;

describe.each(CLUSTER_KINDS)("API requests per iteration on %s", (kind) => {
  let cluster: ReliabilityCluster;
  const perIteration: Record<string, Counts> = {};
  /** Reads of the Experiment in the whole 6-iteration run. */
  const experimentReads: Record<string, number> = {};

  /** The requests of one experiment's whole run, by `METHOD resource`. */
  async function run(name: string, iterations: number): Promise<Counts> {
    cluster.kube.markRequests();
    await cluster.kube.create(canaryExperiment(name, { iterationsPerLoop: iterations, maxLoops: 1, actions: false }));
    await until(() => cluster.allCompleted([name]), `${name} completed`, 60_000, 100);
    // Events are written in the background after the status: let the last ones land in this run's count.
    await sleep(2_000);
    const counts: Counts = {};
    for (const r of cluster.kube.requests()) {
      const resource = r.subresource ? `${r.resource}/${r.subresource}` : (r.resource ?? "");
      if (r.verb === "watch" || !ITERATION_RESOURCES.has(resource)) continue;
      const key = `${r.method} ${resource}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  async function measure(pattern: string): Promise<void> {
    const controller: ControllerProcess = cluster.controller(`requests-${pattern}`, ["--leader-elect=false", `--write-pattern=${pattern}`]);
    await until(() => controller.logged("leading: reconciling experiments").length > 0, `the ${pattern} controller runs`, 30_000);
    const short = await run(`${pattern}-short`, SHORT);
    const long = await run(`${pattern}-long`, LONG);
    const extra: Counts = {};
    for (const key of new Set([...Object.keys(short), ...Object.keys(long)])) {
      const n = ((long[key] ?? 0) - (short[key] ?? 0)) / (LONG - SHORT);
      if (n !== 0) extra[key] = n;
    }
    // Reading a just-created experiment before the informer has it is start-up, not iteration, cost:
    // counted apart, over the long run as a whole.
    delete extra["GET experiments"];
    experimentReads[pattern] = long["GET experiments"] ?? 0;
    perIteration[pattern] = extra;
    await controller.kill("SIGKILL");
  }

  beforeAll(async () => {
    cluster = await ReliabilityCluster.start({ kind, names: ["lean-short", "lean-long", "legacy-short", "legacy-long"], actionMs: 100 });
    await measure("lean");
    await measure("legacy");
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it("lean: exactly the weight patch and one status patch per iteration, no reads and no Events", async ({ annotate }) => {
    await annotate(`lean, per iteration: ${JSON.stringify(perIteration.lean)}`);
    expect(perIteration.lean).toEqual({ "PATCH virtualservices": 1, "PATCH experiments/status": 1 });
    // The informer answers every read of the experiment but, at most, the very first.
    expect(experimentReads.lean).toBeLessThanOrEqual(1);
  });

  it("legacy: the routing object read before and after its patch, the whole status PUT, an Event", async ({ annotate }) => {
    await annotate(`legacy, per iteration: ${JSON.stringify(perIteration.legacy)}`);
    const legacy = perIteration.legacy!;
    expect(legacy["GET virtualservices"]).toBe(2);
    expect(legacy["PUT experiments/status"]).toBe(1);
    expect(legacy["POST events"]).toBe(1);
    // The weight patch itself, unless the weights were already where the iteration wanted them.
    expect(legacy["PATCH virtualservices"] ?? 0).toBeLessThanOrEqual(1);
    expect(Object.values(legacy).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4);
  });
});
