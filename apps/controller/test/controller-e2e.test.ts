// The controller end to end, on testkit's loopback API server and on a real kube-apiserver:
// informers, status through the status subresource, action Jobs running the built
// `iter8ctl action run`, weight patches on Istio VirtualServices, Events and the leader Lease;
// then `iter8ctl describe` and the install's RBAC against every request the controller and its
// Jobs made (on the real server they authenticate as their service accounts, so a request
// outside that RBAC is answered 403).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CoreV1Api } from "@kubernetes/client-node";
import type { JsonObject } from "@iter8ts/testkit";
import type { EngineStatus } from "@iter8ts/engine";
import { conditionOf, isConditionTrue, type ExperimentInput, type MetricInput } from "@iter8ts/types";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseControllerConfig } from "../src/controller-config";
import { startController, type RunningController } from "../src/start-controller";
import { CLI_PATH, CLUSTER_KINDS, startTestCluster, type TestCluster } from "./cluster/test-cluster";

interface StoredExperiment {
  metadata: { name: string; namespace: string; uid: string };
  status?: EngineStatus;
}

function virtualService(namespace: string, name: string): JsonObject {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: { name, namespace },
    spec: {
      hosts: [name],
      http: [{ route: [{ destination: { host: `${name}-v1` }, weight: 100 }, { destination: { host: `${name}-v2` }, weight: 0 }] }],
    },
  };
}

function weightRef(namespace: string, name: string, route: number) {
  return { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace, name, fieldPath: `.spec.http[0].route[${route}].weight` };
}

function metric(namespace: string, name: string, type: "Counter" | "Gauge", levels: Record<string, string>): MetricInput {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name, namespace },
    spec: { type, mock: Object.entries(levels).map(([version, level]) => ({ name: version, level })) },
  };
}

const canary: ExperimentInput = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "canary-rollout", namespace: "bookinfo" },
  spec: {
    target: "bookinfo/productpage",
    strategy: {
      testingPattern: "Canary",
      deploymentPattern: "Progressive",
      actions: {
        start: [{ run: "echo preparing @< .Name >@" }],
        finish: [{ task: "common/exec", with: { cmd: "echo", args: ["promoting", "{{ .name }}"] } }],
      },
    },
    criteria: {
      objectives: [
        { metric: "bookinfo/latency", upperLimit: 500 },
        { metric: "bookinfo/error-rate", upperLimit: "0.05" },
      ],
    },
    duration: { intervalSeconds: 1, iterationsPerLoop: 3 },
    versionInfo: {
      baseline: { name: "productpage-v1", weightObjRef: weightRef("bookinfo", "productpage", 0) },
      candidates: [{ name: "productpage-v2", weightObjRef: weightRef("bookinfo", "productpage", 1) }],
    },
  },
};

function abTest(url: string): ExperimentInput {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "ab-test", namespace: "shop" },
    spec: {
      target: "shop/recommender",
      strategy: {
        testingPattern: "A/B",
        actions: {
          start: [{ task: "metrics/collect", with: { numQueries: 20, qps: 400, connections: 2, versions: [{ name: "model-a", url: `${url}/a` }, { name: "model-b", url: `${url}/b` }] } }],
          finish: [
            { if: "CandidateWon()", run: "echo candidate won: @< .Status.VersionRecommendedForPromotion >@" },
            { if: "not CandidateWon()", run: "echo keeping the baseline" },
          ],
        },
      },
      criteria: {
        rewards: [{ metric: "shop/user-engagement", preferredDirection: "High" }],
        objectives: [
          { metric: "iter8-system/error-rate", upperLimit: "0.05" },
          { metric: "iter8-system/mean-latency", upperLimit: 2000 },
        ],
      },
      duration: { intervalSeconds: 1, iterationsPerLoop: 2 },
      versionInfo: {
        baseline: { name: "model-a", weightObjRef: weightRef("shop", "recommender", 0) },
        candidates: [{ name: "model-b", weightObjRef: weightRef("shop", "recommender", 1) }],
      },
    },
  };
}

/** An experiment in a namespace that is not set up for actions (no iter8-action there), with `start`. */
function untenanted(name: string, start: unknown[]): ExperimentInput {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace: "lab" },
    spec: {
      target: `lab/${name}`,
      strategy: { testingPattern: "Conformance", actions: { start } },
      duration: { intervalSeconds: 1, iterationsPerLoop: 1 },
      versionInfo: { baseline: { name: "v1" } },
    },
  } as unknown as ExperimentInput;
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface StoredJob {
  metadata: { name: string; namespace: string; annotations: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string; uid: string }> };
  spec: {
    template: {
      spec: {
        serviceAccountName: string;
        securityContext?: { runAsNonRoot?: boolean };
        containers: Array<{ image: string; command: string[]; args: string[]; env: Array<{ name: string; value?: string }>; resources?: { limits?: Record<string, string> } }>;
      };
    };
  };
  status: { succeeded?: number };
}

type VirtualServiceWeights = { spec: { http: Array<{ route: Array<{ weight: number }> }> } };

describe.each(CLUSTER_KINDS)("controller end to end on %s", (kind) => {
  let cluster: TestCluster;
  let app: Server;
  let appUrl: string;
  let running: RunningController;
  const logLines: Array<Record<string, unknown>> = [];

  const stored = async (namespace: string, name: string) => (await cluster.get("iter8.tools/v2alpha2", "Experiment", name, namespace)) as unknown as StoredExperiment;
  const completed = async (namespace: string, name: string) =>
    isConditionTrue((await stored(namespace, name))?.status, "Completed");
  const weightsOf = async (namespace: string, name: string) =>
    ((await cluster.get("networking.istio.io/v1beta1", "VirtualService", name, namespace)) as unknown as VirtualServiceWeights).spec.http[0]!.route.map((r) => r.weight);
  const jobs = async () => [...(await cluster.list("batch/v1", "Job", "bookinfo")), ...(await cluster.list("batch/v1", "Job", "shop"))] as unknown as StoredJob[];

  /** Runs the built CLI with KUBECONFIG pointing at the cluster (asynchronously: testkit answers from this process). */
  const runCli = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, KUBECONFIG: cluster.adminKubeconfigPath }, encoding: "utf8", timeout: 20_000 }, (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ status, stdout, stderr });
      });
    });

  beforeAll(async () => {
    if (!existsSync(CLI_PATH)) {
      throw new Error(`${CLI_PATH} does not exist: action Jobs run the built CLI; build it first with \`pnpm turbo run build --filter=@iter8ts/cli...\``);
    }
    app = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

    // `lab` is not set up for actions and may not run exec-type tasks.
    cluster = await startTestCluster(kind, { namespaces: ["bookinfo", "shop", "lab"], tenants: ["bookinfo", "shop"] });
    await cluster.create(virtualService("bookinfo", "productpage"));
    await cluster.create(virtualService("shop", "recommender"));
    for (const m of [
      metric("bookinfo", "latency", "Gauge", { "productpage-v1": "200", "productpage-v2": "150" }),
      metric("bookinfo", "error-rate", "Gauge", { "productpage-v1": "0.01", "productpage-v2": "0.005" }),
      metric("shop", "user-engagement", "Counter", { "model-a": "10", "model-b": "20" }),
    ]) {
      await cluster.create(m as unknown as JsonObject);
    }
    cluster.markRequests();

    // The notification hook listens on loopback, as does this test's API server: the egress
    // policy refuses both unless the install allows them.
    const request = parseControllerConfig(
      ["--metrics-addr=127.0.0.1:0", "--health-addr=127.0.0.1:0", "--workers=2", "--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms", "--log-level=debug", "--action-image=iter8ts/controller:test", "--allow-exec=bookinfo,shop", "--egress-allow=loopback,apiserver", "--iteration-events"],
      { POD_NAME: "iter8-controller-0" },
    );
    if (request.kind !== "run") throw new Error("expected settings");
    running = await startController(request.config, {
      logger: pino({ level: "debug" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) }),
      kubeConfig: cluster.controllerKubeConfig(),
      processMetrics: false,
      // No polling of running actions within the test's time: a finished Job must wake its
      // experiment through the Job informer.
      engine: { actionPollMs: 120_000, retry: { initialDelayMs: 250, maxDelayMs: 2_000 } },
    });
    await running.controller.waitForSync({ timeoutMs: 10_000 });
    await cluster.create(canary as unknown as JsonObject);
    await cluster.create(abTest(appUrl) as unknown as JsonObject);
    await cluster.create(untenanted("exec-refused", [{ run: "echo not here" }]) as unknown as JsonObject);
    await cluster.create(untenanted("no-action-account", [{ task: "notification/http", with: { url: `${appUrl}/hook` } }]) as unknown as JsonObject);
    const failed = async (name: string) => isConditionTrue((await stored("lab", name))?.status, "Failed");
    await until(
      async () => (await completed("bookinfo", "canary-rollout")) && (await completed("shop", "ab-test")) && (await failed("exec-refused")) && (await failed("no-action-account")),
      "both experiments completed and both lab experiments failed",
    );
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await cluster?.close();
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  });

  it("runs the Canary to completion, shifting VirtualService weights to the winning candidate", async () => {
    const exp = await stored("bookinfo", "canary-rollout");
    expect(exp.status?.stage).toBe("Completed");
    expect(exp.status?.completedIterations).toBe(3);
    expect(exp.status?.message).toBe("ExperimentCompleted: Experiment Completed");
    expect(conditionOf(exp.status, "Failed")?.status).toBe("False");
    expect(exp.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "productpage-v2" });
    expect(exp.status?.versionRecommendedForPromotion).toBe("productpage-v2");
    // Progressive with the default 10-point increment: 90/10, 80/20, 70/30.
    expect(await weightsOf("bookinfo", "productpage")).toEqual([70, 30]);
    expect(exp.status?.currentWeightDistribution).toEqual([
      { name: "productpage-v1", value: 70 },
      { name: "productpage-v2", value: 30 },
    ]);
  });

  it("runs each action once as a Job next to its experiment, as that namespace's iter8-action, locked down, with iter8ctl action run", async () => {
    const all = await jobs();
    const byExperiment = (name: string) => all.filter((j) => j.metadata.annotations["iter8/experimentName"] === name).map((j) => j.metadata.annotations["iter8/action"]).sort();
    expect(byExperiment("canary-rollout")).toEqual(["finish", "start"]);
    expect(byExperiment("ab-test")).toEqual(["finish", "start"]);
    expect(await cluster.list("batch/v1", "Job", "iter8-system")).toEqual([]);
    for (const job of all) {
      const experiment = await stored(job.metadata.namespace, job.metadata.annotations["iter8/experimentName"]!);
      expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Experiment", name: experiment.metadata.name, uid: experiment.metadata.uid })]);
      const pod = job.spec.template.spec;
      expect(pod.serviceAccountName).toBe("iter8-action");
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.containers[0]!.resources?.limits).toMatchObject({ cpu: "1", memory: "512Mi" });
      expect(pod.containers[0]!.env).toContainEqual({ name: "ITER8_ALLOW_EXEC", value: "true" });
      // The controller's --egress-allow, which iter8ctl action run applies to notifications.
      expect(pod.containers[0]!.env).toContainEqual({ name: "ITER8_EGRESS_ALLOW", value: "loopback,apiserver" });
      expect(pod.containers[0]!.image).toBe("iter8ts/controller:test");
      expect([...pod.containers[0]!.command, ...pod.containers[0]!.args.slice(0, 2)]).toEqual(["iter8ctl", "action", "run"]);
      expect(job.status.succeeded).toBe(1);
    }
  });

  it("runs the A/B test with builtin metrics the start action collected, and the finish action sees the winner", async () => {
    const exp = await stored("shop", "ab-test");
    expect(exp.status?.stage).toBe("Completed");
    expect(exp.status?.completedIterations).toBe(2);
    expect(Object.keys(exp.status?.analysis?.aggregatedBuiltinHists?.data ?? {}).sort()).toEqual(["model-a", "model-b"]);
    expect(exp.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "model-b" });
    expect(await weightsOf("shop", "recommender")).toEqual([80, 20]);

    const finish = (await jobs()).filter((j) => j.metadata.annotations["iter8/experimentName"] === "ab-test" && j.metadata.annotations["iter8/action"] === "finish");
    expect(finish).toHaveLength(1);
    const log = await cluster.jobLog("shop", finish[0]!.metadata.name);
    const messages = log
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { isIter8Log: boolean; message: string; experimentName: string });
    expect(messages.every((m) => m.isIter8Log && m.experimentName === "ab-test")).toBe(true);
    expect(messages.map((m) => m.message)).toContain("task 1 (run) stdout: candidate won: model-b");
    expect(messages.map((m) => m.message)).not.toContain("task 2 (run) stdout: keeping the baseline");
  });

  it("refuses an exec-type task where --allow-exec does not allow it, when the experiment is validated, naming the task, the namespace and the flag", async () => {
    const exp = await stored("lab", "exec-refused");
    expect(conditionOf(exp.status, "Failed")).toMatchObject({
      status: "True",
      message:
        "spec.strategy.actions.start[0].run: run runs processes, which the controller does not allow for experiments in namespace lab; an admin allows them with the controller flag --allow-exec=true (every namespace) or --allow-exec=<namespaces> (a comma-separated list that includes lab)",
    });
    expect(await cluster.list("batch/v1", "Job", "lab")).toHaveLength(0);
  });

  it("fails an action at once, naming the namespace and the setup, when its namespace has no iter8-action account", async () => {
    const exp = await stored("lab", "no-action-account");
    expect(conditionOf(exp.status, "Failed")?.status).toBe("True");
    expect(exp.status?.actions?.[0]).toMatchObject({
      action: "start",
      state: "Failed",
      message:
        'could not be started: the start action of Experiment lab/no-action-account cannot run: ServiceAccount iter8-action does not exist in namespace lab; an admin sets the namespace up for actions with "kubectl apply -k apps/controller/deploy/tenant -n lab" (see "Tenant namespaces" in apps/controller/README.md)',
    });
    expect(await cluster.list("batch/v1", "Job", "lab")).toHaveLength(0);
  });

  it("records Kubernetes Events on the experiments", async () => {
    const expected = ["ExperimentInitialized", "TargetAcquired", "StageAdvanced", "HandlerLaunched", "IterationUpdate", "ExperimentCompleted"];
    const mine = async () =>
      ((await cluster.list("v1", "Event", "bookinfo")) as unknown as Array<{ involvedObject: { kind: string; name: string; uid?: string }; reason: string; message: string; count: number }>).filter(
        (e) => e.involvedObject.kind === "Experiment" && e.involvedObject.name === "canary-rollout",
      );
    // Events are written in the background, possibly just after the status they report.
    await until(async () => {
      const events = await mine();
      return expected.every((reason) => events.some((e) => e.reason === reason));
    }, "every kind of event was recorded", 10_000);
    // --iteration-events: every iteration's progress (3 iterations, 1 loop) on one Event, its count raised and its message the latest.
    await until(async () => (await mine()).filter((e) => e.reason === "IterationUpdate").map((e) => `${e.count} ${e.message}`).join("; ") === "4 Completed Loop 1", "the iteration Events were aggregated", 10_000);
    const completion = (await mine()).find((e) => e.reason === "ExperimentCompleted");
    expect(completion?.message).toBe("Experiment Completed");
    expect(completion?.involvedObject.uid).toBe((await stored("bookinfo", "canary-rollout")).metadata.uid);
  });

  it("holds the leader Lease in iter8-system", async () => {
    const lease = (await cluster.get("coordination.k8s.io/v1", "Lease", "leader.iter8.tools", "iter8-system")) as { spec: { holderIdentity?: string } } | undefined;
    expect(lease?.spec.holderIdentity).toBe("iter8-controller-0");
    expect(running.controller.leading).toBe(true);
  });

  it("logs JSON with experiment, namespace and stage", () => {
    expect(logLines.some((l) => l.experiment === "canary-rollout" && l.namespace === "bookinfo" && l.stage === "Running")).toBe(true);
    expect(logLines.some((l) => l.experiment === "ab-test" && l.reason === "ExperimentCompleted")).toBe(true);
    expect(logLines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });

  it("reports iterations, Jobs, experiments by stage and readiness on its endpoints", async () => {
    const health = running.endpoints.health!;
    const ready = await fetch(`http://127.0.0.1:${health.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe("ok: informers synced; leading\n");
    const text = await (await fetch(`http://127.0.0.1:${running.endpoints.metrics!.port}/metrics`)).text();
    expect(text).toContain("iter8_iterations_total 5");
    expect(text).toContain("iter8_iteration_duration_seconds_count 5");
    // The two that failed in `lab` are completed too.
    expect(text).toContain('iter8_experiments{stage="Completed"} 4');
    expect(text).toContain('iter8_action_jobs_started_total{action="start"} 2');
    expect(text).toContain('iter8_action_jobs_started_total{action="finish"} 2');
    expect(text).toMatch(/iter8_metric_query_duration_seconds_count [1-9]/);
    expect(text).toContain("iter8_leader 1");
  });

  it("needs no permission beyond the istio install's RBAC for the controller and the action Jobs", async () => {
    expect(await cluster.refusedRequests()).toEqual([]);
    // The check sees a request the RBAC does not allow, made with the controller's credentials.
    cluster.markRequests();
    const core = cluster.controllerKubeConfig().makeApiClient(CoreV1Api);
    await core.listNamespacedConfigMap({ namespace: "shop" }).catch(() => undefined);
    expect(await cluster.refusedRequests()).toEqual(["GET /api/v1/namespaces/shop/configmaps"]);
  });

  it("iter8ctl describe NAME -n NS reads the experiment from the cluster through KUBECONFIG", async () => {
    const result = await runCli(["describe", "canary-rollout", "-n", "bookinfo"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Experiment name: canary-rollout\nExperiment namespace: bookinfo\n");
    expect(result.stdout).toContain("Experiment stage: Completed\nNumber of completed iterations: 3\n");
    expect(result.stdout).toContain("Winning version: productpage-v2");

    const assert = await runCli(["assert", "-n", "shop", "-c", "completed,winnerFound"]);
    expect(assert.stdout).toBe("All conditions satisfied.\n");
    expect(assert.status).toBe(0);
  });
});
