// Every cluster quickstart of samples/ end to end through the controller, on testkit's loopback
// API server and on a real kube-apiserver, each on a fresh cluster of its own (the samples share
// namespaces, object names and targets, as quickstarts meant for a fresh cluster each do): set up
// as samples/README.md says, metrics from loopback Prometheus and New Relic backends through the
// real REST providers and jq, weights patched on the routing objects every iteration, and the
// winner promoted by the finish action's `kubectl apply` of the local promotion manifest inside
// its action Job (the real kubectl with a token of default/iter8-action on kube-apiserver).
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUICKSTART_EXPECTATIONS, quickstartMessages, type QuickstartStack } from "@iter8ts/e2e";
import { installKubectl, type InstalledKubectl } from "@iter8ts/testkit";
import { CLI_PATH, CLUSTER_KINDS, ClusterKind } from "../cluster/test-cluster";
import { QUICKSTARTS } from "./quickstart-stacks";
import { SHORT_DURATION, runQuickstartInCluster, type QuickstartClusterRun } from "./run-quickstart-in-cluster";

/**
 * How many quickstarts run at once. testkit's servers live in this process and are light. Each
 * real one is etcd, kube-apiserver and kube-controller-manager, and its controller, fault proxy
 * and Job runner share this process's event loop: on two loaded cores all five at once finished
 * soonest (29 to 51 s) but a third of the runs saw a connection to a fault proxy reset under the
 * controller (a warning, so a failure); three at a time took 37 to 62 s with none, four 41 to 44 s,
 * two 56 to 67 s.
 */
const CONCURRENCY: Record<ClusterKind, number> = { [ClusterKind.Testkit]: QUICKSTARTS.length, [ClusterKind.KubeApiserver]: 3 };

/** Runs `task` over `items`, at most `limit` at a time, keeping each result or error. */
async function eachLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<Array<R | Error>> {
  const results: Array<R | Error> = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      results[i] = await task(items[i]!).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function withoutRepeats(values: ReadonlyArray<string | undefined>): Array<string | undefined> {
  return values.filter((value, i) => i === 0 || value !== values[i - 1]);
}

function finishMessages(run: QuickstartClusterRun): string[] {
  return run.finishLog
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => (JSON.parse(line) as { message: string }).message);
}

describe.each(CLUSTER_KINDS)("quickstarts on %s", (kind) => {
  let kubectl: InstalledKubectl | undefined;
  const runs = new Map<QuickstartStack, QuickstartClusterRun | Error>();

  beforeAll(async () => {
    if (!existsSync(CLI_PATH)) {
      throw new Error(`${CLI_PATH} does not exist: action Jobs run the built CLI; build it first with \`pnpm turbo run build --filter=@iter8ts/cli...\``);
    }
    // testkit serves no OpenAPI documents, which the real kubectl reads: its Jobs get the stand-in.
    if (kind === ClusterKind.Testkit) kubectl = await installKubectl();
    const standInKubectlFolder = kubectl?.folder;
    const results = await eachLimited(QUICKSTARTS, CONCURRENCY[kind], (spec) =>
      runQuickstartInCluster(kind, spec, standInKubectlFolder === undefined ? {} : { standInKubectlFolder }),
    );
    QUICKSTARTS.forEach((spec, i) => runs.set(spec.stack, results[i]!));
  }, 600_000);

  afterAll(async () => {
    await kubectl?.remove();
  });

  function runOf(stack: QuickstartStack): QuickstartClusterRun {
    const run = runs.get(stack);
    if (run === undefined) throw new Error(`quickstart ${stack} did not run`);
    if (run instanceof Error) throw run;
    return run;
  }

  describe.each(QUICKSTARTS.map((spec) => spec.stack))("quickstart %s through the controller", (stack) => {
    const iterations = SHORT_DURATION.iterationsPerLoop;
    // Every suite that runs the quickstarts asserts with the same table: here the candidate wins.
    const winner = QUICKSTART_EXPECTATIONS[stack].candidate;

    it("sets up from the sample's files as samples/README.md applies them", () => {
      const run = runOf(stack);
      // A second apply of the same object must change it (knative adds the candidate revision).
      expect(run.setupOutput.filter((line) => line.endsWith(" unchanged"))).toEqual([]);
      expect(run.setupOutput.at(-1)).toBe("experiment.iter8.tools/quickstart-exp created");
    });

    it("completes, recommends the better candidate and reports Iter8's sequence of messages", () => {
      const run = runOf(stack);
      const status = run.experiment.status!;
      expect(status.stage).toBe("Completed");
      expect(status.completedIterations).toBe(iterations);
      expect(status.message).toBe("ExperimentCompleted: Experiment Completed");
      const conditions = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c]));
      expect(conditions.Completed).toMatchObject({ status: "True", reason: "ExperimentCompleted" });
      expect(conditions.Failed?.status).toBe("False");
      expect(status.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner });
      expect(status.versionRecommendedForPromotion).toBe(winner);
      expect(withoutRepeats(run.statuses.map((s) => s.message))).toEqual(quickstartMessages(iterations));
      expect(run.warnings.map((w) => [w.msg, (w.err as { message?: string } | undefined)?.message].filter(Boolean).join(": "))).toEqual([]);
    });

    it("writes the weights on the routing object's fields every iteration, 10 points more for the winner each time", () => {
      const run = runOf(stack);
      const [baseline, candidate] = run.weightFields.map((f) => f.version) as [string, string];
      expect(candidate).toBe(winner);
      // First the object as set up, then one write per iteration, then the promotion.
      const [initial, ...rest] = run.routingWrites;
      const iterationWrites = rest.slice(0, -1);
      expect(initial?.weights).toEqual({ [baseline]: 100, [candidate]: 0 });
      expect(iterationWrites.map((w) => w.type)).toEqual(Array(iterations).fill("MODIFIED"));
      expect(iterationWrites.map((w) => w.weights)).toEqual(Array.from({ length: iterations }, (_, i) => ({ [baseline]: 90 - 10 * i, [candidate]: 10 + 10 * i })));
      // Each iteration's status reports what its write left on the object.
      for (let i = 1; i <= iterations; i++) {
        const reported = run.statuses.find((s) => s.completedIterations === i)?.currentWeightDistribution;
        expect(reported, `iteration ${i}`).toEqual([
          { name: baseline, value: iterationWrites[i - 1]?.weights[baseline] },
          { name: candidate, value: iterationWrites[i - 1]?.weights[candidate] },
        ]);
      }
    });

    it("promotes the winner: the finish Job's kubectl applies samples/<stack>/promote/ and all traffic goes to it", () => {
      const run = runOf(stack);
      const messages = finishMessages(run);
      expect(messages).toContain("action finish succeeded");
      expect(run.promoted.length).toBeGreaterThan(0);
      for (const { manifest: object, stored } of run.promoted) {
        const group = object.apiVersion.includes("/") ? `.${object.apiVersion.split("/")[0]}` : "";
        expect(messages).toContain(`task 1 (common/exec) stdout: ${object.kind.toLowerCase()}${group}/${object.metadata.name} configured`);
        expect(stored?.spec, `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`).toEqual(object.spec);
      }
      expect(run.servedVersion).toBe(winner);
    });

    it("needs no permission beyond the RBAC its install overlay gives the controller and the action Jobs", () => {
      const run = runOf(stack);
      expect(run.requests.some((r) => r.method === "PATCH" && r.contentType === "application/merge-patch+json")).toBe(true);
      expect(run.refusedRequests).toEqual([]);
    });

    it("queries the loopback backends with each version's own labels, and analyses what they answered", () => {
      const run = runOf(stack);
      expect(run.backend.unmatched.map((q) => q.text)).toEqual([]);
      const answered = new Set(run.backend.received.map((q) => `${q.match?.metric} ${q.match?.version}`));
      const versions = run.weightFields.map((f) => f.version);
      const metrics = Object.keys(run.experiment.status?.analysis?.aggregatedMetrics?.data ?? {});
      expect(metrics.length).toBeGreaterThanOrEqual(4);
      for (const metric of metrics) for (const version of versions) expect(answered, `${metric} for ${version}`).toContain(`${metric} ${version}`);
      expect(run.backend.received.every((q) => (q.match?.elapsedSeconds ?? 0) >= 1)).toBe(true);
      const reward = metrics.find((m) => m.endsWith("/user-engagement"))!;
      const values = run.experiment.status?.analysis?.aggregatedMetrics?.data[reward]?.data;
      expect(Number(values?.[versions[0]!]?.value)).toBe(10);
      expect(Number(values?.[versions[1]!]?.value)).toBe(20);
    });
  });
});
