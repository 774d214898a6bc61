// The controller end to end against the loopback API server through client-node: informers,
// status through the status subresource, action Jobs run by the server's Job executor as the
// built `iter8ctl action run`, weight patches on Istio VirtualServices, Events and the leader
// Lease; then `iter8ctl describe` and the RBAC of the install manifests against what happened.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { KubeTestServer, makeKubeConfig, type JsonObject } from "@iter8ts/testkit";
import type { ExperimentInput, MetricInput } from "@iter8ts/types";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseControllerConfig } from "../src/controller-config";
import { startController, type RunningController } from "../src/start-controller";
import { groupOf, rbacAllows, renderKustomization } from "./render-kustomization";

const appRoot = join(import.meta.dirname, "..");
const repoRoot = join(appRoot, "..", "..");
const cliPath = join(repoRoot, "apps", "cli", "dist", "iter8ctl.js");
const install = renderKustomization(join(appRoot, "deploy", "overlays", "istio"));

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface StoredExperiment {
  metadata: { name: string; namespace: string; uid: string };
  status?: {
    stage?: string;
    completedIterations?: number;
    message?: string;
    conditions?: Condition[];
    currentWeightDistribution?: Array<{ name: string; value: number }>;
    versionRecommendedForPromotion?: string;
    analysis?: {
      winnerAssessment?: { data: { winnerFound: boolean; winner?: string } };
      aggregatedBuiltinHists?: { data: Record<string, unknown> };
    };
  };
}

let server: KubeTestServer;
let app: Server;
let appUrl: string;
let running: RunningController;
const logLines: Array<Record<string, unknown>> = [];

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

function stored(namespace: string, name: string): StoredExperiment {
  return server.get("iter8.tools/v2alpha2", "Experiment", name, namespace) as unknown as StoredExperiment;
}

function completed(namespace: string, name: string): boolean {
  return stored(namespace, name).status?.conditions?.some((c) => c.type === "Completed" && c.status === "True") ?? false;
}

/** Runs the built CLI with KUBECONFIG pointing at the test server. */
function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env: { ...process.env, KUBECONFIG: server.kubeconfigPath }, encoding: "utf8", timeout: 20_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} does not exist: action Jobs run the built CLI; build it first with \`pnpm turbo run build --filter=@iter8ts/cli...\``);
  }
  app = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

  server = await KubeTestServer.start({
    namespaces: ["default", "iter8-system", "bookinfo", "shop"],
    jobs: {
      // The action image's `iter8ctl` is the CLI built from this repository.
      mapProcess: ({ argv, env }) => (argv[0] === "iter8ctl" ? { command: process.execPath, args: [cliPath, ...argv.slice(1)], env } : undefined),
      baseEnv: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" },
    },
  });
  // What the install puts in iter8-system: the builtin metrics.
  for (const manifest of install.filter((m) => m.kind === "Metric")) server.create(structuredClone(manifest) as unknown as JsonObject);
  server.create(virtualService("bookinfo", "productpage"));
  server.create(virtualService("shop", "recommender"));
  for (const m of [
    metric("bookinfo", "latency", "Gauge", { "productpage-v1": "200", "productpage-v2": "150" }),
    metric("bookinfo", "error-rate", "Gauge", { "productpage-v1": "0.01", "productpage-v2": "0.005" }),
    metric("shop", "user-engagement", "Counter", { "model-a": "10", "model-b": "20" }),
  ]) {
    server.create(m as unknown as JsonObject);
  }
  server.clearRequests();

  const request = parseControllerConfig(
    ["--metrics-addr=127.0.0.1:0", "--health-addr=127.0.0.1:0", "--workers=2", "--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms", "--log-level=debug", "--action-image=iter8ts/controller:test"],
    { POD_NAME: "iter8-controller-0" },
  );
  if (request.kind !== "run") throw new Error("expected settings");
  running = await startController(request.config, {
    logger: pino({ level: "debug" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) }),
    kubeConfig: makeKubeConfig(server),
    processMetrics: false,
    // No polling of running actions within the test's time: a finished Job must wake its
    // experiment through the Job informer.
    engine: { actionPollMs: 120_000, retry: { initialDelayMs: 250, maxDelayMs: 2_000 } },
  });
  await running.controller.waitForSync({ timeoutMs: 10_000 });
  server.create(canary as unknown as JsonObject);
  server.create(abTest(appUrl) as unknown as JsonObject);
  await until(() => completed("bookinfo", "canary-rollout") && completed("shop", "ab-test"), "both experiments completed");
}, 90_000);

afterAll(async () => {
  await running?.stop();
  await server?.close();
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
});

describe("controller end to end", () => {
  it("runs the Canary to completion, shifting VirtualService weights to the winning candidate", () => {
    const exp = stored("bookinfo", "canary-rollout");
    expect(exp.status?.stage).toBe("Completed");
    expect(exp.status?.completedIterations).toBe(3);
    expect(exp.status?.message).toBe("ExperimentCompleted: Experiment Completed");
    expect(exp.status?.conditions?.find((c) => c.type === "Failed")?.status).toBe("False");
    expect(exp.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "productpage-v2" });
    expect(exp.status?.versionRecommendedForPromotion).toBe("productpage-v2");

    const vs = server.get("networking.istio.io/v1beta1", "VirtualService", "productpage", "bookinfo") as { spec: { http: Array<{ route: Array<{ weight: number }> }> } };
    const weights = vs.spec.http[0]!.route.map((r) => r.weight);
    // Progressive with the default 10-point increment: 90/10, 80/20, 70/30.
    expect(weights).toEqual([70, 30]);
    expect(exp.status?.currentWeightDistribution).toEqual([
      { name: "productpage-v1", value: 70 },
      { name: "productpage-v2", value: 30 },
    ]);
  });

  it("runs each action once as a Job in iter8-system under iter8-handlers, with iter8ctl action run", () => {
    const jobs = server.list("batch/v1", "Job", "iter8-system") as Array<{
      metadata: { annotations: Record<string, string> };
      spec: { template: { spec: { serviceAccountName: string; containers: Array<{ image: string; command: string[]; args: string[] }> } } };
      status: { succeeded?: number };
    }>;
    const byExperiment = (name: string) => jobs.filter((j) => j.metadata.annotations["iter8/experimentName"] === name).map((j) => j.metadata.annotations["iter8/action"]).sort();
    expect(byExperiment("canary-rollout")).toEqual(["finish", "start"]);
    expect(byExperiment("ab-test")).toEqual(["finish", "start"]);
    for (const job of jobs) {
      const pod = job.spec.template.spec;
      expect(pod.serviceAccountName).toBe("iter8-handlers");
      expect(pod.containers[0]!.image).toBe("iter8ts/controller:test");
      expect([...pod.containers[0]!.command, ...pod.containers[0]!.args.slice(0, 2)]).toEqual(["iter8ctl", "action", "run"]);
      expect(job.status.succeeded).toBe(1);
    }
  });

  it("runs the A/B test with builtin metrics the start action collected, and the finish action sees the winner", () => {
    const exp = stored("shop", "ab-test");
    expect(exp.status?.stage).toBe("Completed");
    expect(exp.status?.completedIterations).toBe(2);
    expect(Object.keys(exp.status?.analysis?.aggregatedBuiltinHists?.data ?? {}).sort()).toEqual(["model-a", "model-b"]);
    expect(exp.status?.analysis?.winnerAssessment?.data).toMatchObject({ winnerFound: true, winner: "model-b" });
    const vs = server.get("networking.istio.io/v1beta1", "VirtualService", "recommender", "shop") as { spec: { http: Array<{ route: Array<{ weight: number }> }> } };
    expect(vs.spec.http[0]!.route.map((r) => r.weight)).toEqual([80, 20]);

    const finishPods = (server.list("v1", "Pod", "iter8-system") as Array<{ metadata: { name: string; annotations?: Record<string, string> } }>).filter(
      (p) => p.metadata.annotations?.["iter8/experimentName"] === "ab-test" && p.metadata.annotations["iter8/action"] === "finish",
    );
    expect(finishPods).toHaveLength(1);
    const log = server.podLog("iter8-system", finishPods[0]!.metadata.name) ?? "";
    const messages = log
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { isIter8Log: boolean; message: string; experimentName: string });
    expect(messages.every((m) => m.isIter8Log && m.experimentName === "ab-test")).toBe(true);
    expect(messages.map((m) => m.message)).toContain("task 1 (run) stdout: candidate won: model-b");
    expect(messages.map((m) => m.message)).not.toContain("task 2 (run) stdout: keeping the baseline");
  });

  it("records Kubernetes Events on the experiments", async () => {
    const expected = ["ExperimentInitialized", "TargetAcquired", "StageAdvanced", "HandlerLaunched", "IterationUpdate", "ExperimentCompleted"];
    const mine = () =>
      (server.list("v1", "Event", "bookinfo") as Array<{ involvedObject: { kind: string; name: string; uid?: string }; reason: string; message: string }>).filter(
        (e) => e.involvedObject.kind === "Experiment" && e.involvedObject.name === "canary-rollout",
      );
    // Events are written in the background, possibly just after the status they report.
    await until(() => expected.every((reason) => mine().some((e) => e.reason === reason)), "every kind of event was recorded", 10_000);
    const completion = mine().find((e) => e.reason === "ExperimentCompleted");
    expect(completion?.message).toBe("Experiment Completed");
    expect(completion?.involvedObject.uid).toBe(stored("bookinfo", "canary-rollout").metadata.uid);
  });

  it("holds the leader Lease in iter8-system", () => {
    const lease = server.find("coordination.k8s.io/v1", "Lease", "leader.iter8.tools", "iter8-system") as { spec: { holderIdentity?: string } } | undefined;
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
    expect(text).toContain('iter8_experiments{stage="Completed"} 2');
    expect(text).toContain('iter8_action_jobs_started_total{action="start"} 2');
    expect(text).toContain('iter8_action_jobs_started_total{action="finish"} 2');
    expect(text).toMatch(/iter8_metric_query_duration_seconds_count [1-9]/);
    expect(text).toContain("iter8_leader 1");
  });

  it("needs no permission beyond the istio install's RBAC for the controller and the action Jobs", () => {
    const accounts = [
      { namespace: "iter8-system", name: "iter8-controller" },
      { namespace: "iter8-system", name: "iter8-handlers" },
    ];
    const refused: string[] = [];
    for (const r of server.requests()) {
      if (!r.verb || !r.resource) continue;
      const parts = r.path.split("/");
      const apiVersion = parts[1] === "api" ? "v1" : `${parts[2]}/${parts[3]}`;
      const request = { verb: r.verb, group: groupOf(apiVersion), resource: r.subresource ? `${r.resource}/${r.subresource}` : r.resource, ...(r.namespace ? { namespace: r.namespace } : {}) };
      if (!accounts.some((account) => rbacAllows(install, account, request))) refused.push(`${r.method} ${r.path}`);
    }
    expect(refused).toEqual([]);
  });

  it("iter8ctl describe NAME -n NS reads the experiment from the cluster through KUBECONFIG", async () => {
    // Asynchronously: the API server answers from this very process.
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
