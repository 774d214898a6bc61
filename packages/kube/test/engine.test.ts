/**
 * The real engine on this package's ports, against the loopback API server: a Canary experiment
 * with mocked metrics, a start and a finish action run as Jobs, weights written into an Istio
 * VirtualService, status written through the status subresource and Events on the way.
 */
import { createEngine, runToCompletion, systemClock, type ReconcileResult } from "@iter8ts/engine";
import type { KubeTestServer } from "@iter8ts/testkit";
import type { ExperimentStatus } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExperimentInformer, createKubePorts, createMetricInformer, type KubeClients, type ResourceInformer } from "../src/index";
import { canaryExperiment, mockMetric, startCluster, virtualService } from "./support";

let server: KubeTestServer;
let clients: KubeClients;
let informers: ResourceInformer[];

// The action image: a node script standing in for `iter8ctl action run`.
const ACTION = `console.log("running " + process.env.ACTION + " of " + process.env.EXPERIMENT_NAMESPACE + "/" + process.env.EXPERIMENT_NAME)`;

beforeAll(async () => {
  ({ server, clients } = await startCluster({ jobs: { killGraceMs: 200 } }));
  // Actions run as the namespace's own account, as deploy/tenant sets it up.
  server.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "iter8-action", namespace: "default" } });
  server.create(mockMetric("mean-latency", { "productpage-v1": 40, "productpage-v2": 25 }));
  informers = [createExperimentInformer(clients), createMetricInformer(clients)];
  for (const informer of informers) informer.start();
  await Promise.all(informers.map((i) => i.waitForSync({ timeoutMs: 5_000 })));
});

afterAll(async () => {
  await Promise.all(informers.map((i) => i.stop()));
  await server.close();
});

async function run(name: string) {
  server.create(virtualService(`${name}-routing`));
  const experiment = canaryExperiment(name, { target: `default/${name}` });
  const refs = experiment.spec.versionInfo;
  for (const v of [refs.baseline, ...refs.candidates]) v.weightObjRef.name = `${name}-routing`;
  server.create({
    ...experiment,
    spec: {
      ...experiment.spec,
      duration: { intervalSeconds: 1, iterationsPerLoop: 2, maxLoops: 1 },
      strategy: { ...experiment.spec.strategy, actions: { start: [{ run: "echo start" }], finish: [{ run: "echo finish" }] } },
    },
  });
  const [experiments, metrics] = informers as [ResourceInformer, ResourceInformer];
  const ports = createKubePorts(clients, {
    experiments,
    metrics,
    actions: { image: "iter8ts/actions:test", command: [process.execPath], args: ["-e", ACTION] },
  });
  const engine = createEngine({ ...ports, clock: systemClock }, { actionPollMs: 100, storeRetryMs: 100, retry: { initialDelayMs: 100, maxDelayMs: 400 } });
  const outcomes: ReconcileResult[] = [];
  const summary = await runToCompletion(engine, [{ namespace: "default", name }], { clock: systemClock, maxSteps: 400, onReconcile: (r) => outcomes.push(r) });
  await ports.events?.flush();
  const stored = server.get("iter8.tools/v2alpha2", "Experiment", name);
  return { summary, outcomes, status: stored.status as ExperimentStatus & Record<string, unknown>, vs: server.get("networking.istio.io/v1beta1", "VirtualService", `${name}-routing`) };
}

function weightsIn(vs: Record<string, unknown>): number[] {
  return (vs.spec as { http: Array<{ route: Array<{ weight: number }> }> }).http[0]!.route.map((r) => r.weight);
}

describe("the engine on the Kubernetes ports", () => {
  it("runs a Canary experiment to completion: actions as Jobs, weights in the VirtualService, status and events", async () => {
    const { summary, status, vs } = await run("canary");
    expect(summary.results[0]?.outcome).toBe("Completed");

    expect(status.stage).toBe("Completed");
    expect(status.message).toBe("ExperimentCompleted: Experiment Completed");
    expect(status.completedIterations).toBe(2);
    const conditions = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason ?? ""}`.trim()]));
    expect(conditions).toEqual({ Completed: "True ExperimentCompleted", Failed: "False", TargetAcquired: "True TargetAcquired" });
    expect(status.versionRecommendedForPromotion).toBe("productpage-v2");
    expect(status.metrics?.map((m) => m.name)).toEqual(["default/mean-latency"]);

    // The weights the engine observed last are the ones in the VirtualService, and traffic moved.
    const observed = status.currentWeightDistribution?.map((w) => w.value);
    expect(weightsIn(vs)).toEqual(observed);
    expect(weightsIn(vs)[1]).toBeGreaterThan(0);
    expect(weightsIn(vs).reduce((a, b) => a + b, 0)).toBe(100);
    const patches = server.requests().filter((r) => r.verb === "patch" && r.name === "canary-routing");
    expect(patches.length).toBeGreaterThan(0);
    expect(patches.every((p) => p.contentType === "application/json-patch+json")).toBe(true);

    // Each action ran once, as a Job named after the run.
    const actions = (status.actions as Array<{ action: string; runId: string; state: string }>).map((a) => [a.action, a.state]);
    expect(actions).toEqual([
      ["start", "Succeeded"],
      ["finish", "Succeeded"],
    ]);
    const jobs = server.list("batch/v1", "Job", "default", { labelSelector: "iter8/experimentName=canary" });
    const runIds = (status.actions as Array<{ runId: string }>).map((a) => a.runId).sort();
    expect(jobs.map((j) => (j.metadata as { labels: Record<string, string> }).labels["iter8/runId"]).sort()).toEqual(runIds);
    const [startJob] = jobs.filter((j) => (j.metadata as { labels: Record<string, string> }).labels["iter8/action"] === "start");
    const [pod] = server.list("v1", "Pod", "default", { labelSelector: `job-name=${(startJob!.metadata as { name: string }).name}` });
    expect(server.podLog("default", (pod!.metadata as { name: string }).name)).toBe("running start of default/canary\n");

    // Events tell the story on the experiment.
    const events = server.list("v1", "Event", "default", { fieldSelector: "involvedObject.name=canary" }) as unknown as Array<{ reason: string; message: string; source: { component: string } }>;
    const told = events.map((e) => `${e.reason}: ${e.message}`);
    for (const line of [
      "ExperimentInitialized: Experiment status initialized",
      "StageAdvanced: Advanced to Initializing",
      "HandlerLaunched: Start handler 'start' launched",
      "StageAdvanced: Advanced to Running",
      "IterationUpdate: Completed Iteration 1",
      "HandlerLaunched: Finish handler 'finish' launched",
      "ExperimentCompleted: Experiment Completed",
    ]) {
      expect(told).toContain(line);
    }
    expect(events.every((e) => e.source.component === "iter8ts")).toBe(true);
  });

  it("completes the same way while 30% of status writes meet conflicts", async () => {
    const faults = server.faults.conflicts(0.3, { resources: ["experiments/status"] });
    try {
      const { summary, status, vs } = await run("contended");
      expect(summary.results[0]?.outcome).toBe("Completed");
      expect(status.message).toBe("ExperimentCompleted: Experiment Completed");
      expect(status.completedIterations).toBe(2);
      expect(weightsIn(vs)).toEqual(status.currentWeightDistribution?.map((w) => w.value));
      expect((status.actions as Array<{ state: string }>).map((a) => a.state)).toEqual(["Succeeded", "Succeeded"]);
      // No action started twice despite the re-reads: one Job per action.
      expect(server.list("batch/v1", "Job", "default", { labelSelector: "iter8/experimentName=contended" })).toHaveLength(2);
      expect(faults.triggered).toBeGreaterThan(0);
    } finally {
      faults.remove();
    }
  });
});
