import type { ActionRequest } from "@iter8ts/engine";
import type { KubeTestServer } from "@iter8ts/testkit";
import type { Experiment } from "@iter8ts/types";
import { isDnsLabel } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { canaryExperiment, eventually, startCluster } from "../test/support";
import type { KubeClients } from "./create-kube-clients";
import { parseStoredExperiment } from "./iter8-resources";
import { isKubeError } from "./kube-error";
import { createActionJobInformer, experimentKeyOfJob, JobActionRunner, type JobActionRunnerOptions } from "./job-action-runner";

let server: KubeTestServer;
let clients: KubeClients;

// The action "image": a node script that prints what it was given, fails the finish action and
// hangs in the loop action.
const SCRIPT = `
const e = process.env;
console.log(JSON.stringify({ name: e.EXPERIMENT_NAME, namespace: e.EXPERIMENT_NAMESPACE, action: e.ACTION, runId: e.RUN_ID, arg: process.argv[1], team: e.TEAM }));
if (e.ACTION === "finish") { console.error("task 1 (notification/http) failed: 503 Service Unavailable"); process.exit(3); }
if (e.ACTION === "loop") setTimeout(() => {}, 60000);
`;

const options: JobActionRunnerOptions = {
  image: "ghcr.io/iter8ts/iter8ctl:test",
  command: [process.execPath],
  args: ["-e", SCRIPT, "$(RUN_ID)"],
  env: { TEAM: "checkout" },
};

beforeAll(async () => {
  ({ server, clients } = await startCluster({ jobs: { killGraceMs: 200 } }));
  server.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "iter8-action", namespace: "default" } });
});

afterAll(async () => {
  await server.close();
});

function experimentNamed(name: string): Experiment {
  return parseStoredExperiment(server.create(canaryExperiment(name)));
}

function request(experiment: Experiment, runToken: string, action: "start" | "loop" | "finish" = "start"): ActionRequest {
  const key = { namespace: "default", name: experiment.metadata.name ?? "" };
  return { runId: `${runToken}-${action}`, handlerName: `default-${key.name}-${action}`, experiment: key, action, handler: "Start", tasks: [{ run: "echo hi" }] };
}

async function settled(runner: JobActionRunner, r: ActionRequest) {
  return vi.waitFor(async () => {
    const s = await runner.state(r);
    if (s.state === "Running") throw new Error("still running");
    return s;
  }, eventually);
}

describe("JobActionRunner", () => {
  it("runs an action as a Job with the Iter8 labels, environment and limits, owned by the experiment", async () => {
    const experiment = experimentNamed("quickstart-exp");
    const runner = new JobActionRunner(clients, options);
    const r = request(experiment, "3f2a9c1b7d4e");
    expect(await runner.state(r)).toEqual({ state: "Unknown" });
    await runner.start(r, experiment);

    interface StoredJob {
      metadata: { labels: Record<string, string>; ownerReferences: unknown };
      spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ env: unknown }> } } };
    }
    const job = server.get("batch/v1", "Job", "quickstart-exp-3f2a9c1b7d4e-start") as unknown as StoredJob;
    const labels = { "iter8/experimentName": "quickstart-exp", "iter8/experimentNamespace": "default", "iter8/action": "start", "iter8/runId": "3f2a9c1b7d4e-start" };
    expect(job.metadata.labels).toMatchObject(labels);
    expect(job.spec.template.metadata.labels).toMatchObject(labels);
    expect(job.metadata.ownerReferences).toEqual([{ apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", name: "quickstart-exp", uid: experiment.metadata.uid }]);
    expect(job.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 300 });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: "iter8-action", restartPolicy: "Never" });
    expect(pod.containers[0]).toMatchObject({ image: "ghcr.io/iter8ts/iter8ctl:test", command: [process.execPath], args: ["-e", SCRIPT, "$(RUN_ID)"] });
    expect(pod.containers[0]!.env).toEqual([
      { name: "EXPERIMENT_NAME", value: "quickstart-exp" },
      { name: "EXPERIMENT_NAMESPACE", value: "default" },
      { name: "ACTION", value: "start" },
      { name: "RUN_ID", value: "3f2a9c1b7d4e-start" },
      { name: "ITER8_ALLOW_EXEC", value: "false" },
      { name: "TEAM", value: "checkout" },
    ]);

    expect(await settled(runner, r)).toEqual({ state: "Succeeded" });
    const [p] = server.list("v1", "Pod", "default", { labelSelector: "job-name=quickstart-exp-3f2a9c1b7d4e-start" });
    const printed = JSON.parse(server.podLog("default", String((p!.metadata as { name: string }).name)) ?? "{}");
    expect(printed).toEqual({ name: "quickstart-exp", namespace: "default", action: "start", runId: "3f2a9c1b7d4e-start", arg: "3f2a9c1b7d4e-start", team: "checkout" });
  });

  it("runs the pod as the tenant, locked down: non-root, no escalation, no capabilities, seccomp, read-only root with scratch on /tmp, bounded resources", () => {
    const experiment = experimentNamed("locked-down");
    const job = new JobActionRunner(clients, options).jobFor(request(experiment, "121212121212"), experiment) as unknown as {
      metadata: { namespace: string };
      spec: { template: { spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> } } };
    };
    expect(job.metadata.namespace).toBe("default");
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe("iter8-action");
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    const container = pod.containers[0]!;
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } });
    expect(container.resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "256Mi" },
    });
    expect(container.volumeMounts).toEqual([{ name: "scratch", mountPath: "/tmp" }]);
    expect(pod.volumes).toEqual([{ name: "scratch", emptyDir: { sizeLimit: "256Mi" } }]);
  });

  it("tells the Job whether its namespace may run exec tasks, and a configured variable cannot override it", () => {
    const experiment = experimentNamed("exec-gated");
    const envOf = (runner: JobActionRunner) =>
      (runner.jobFor(request(experiment, "343434343434"), experiment) as unknown as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } } }).spec.template.spec.containers[0]!.env.filter(
        (e) => e.name === "ITER8_ALLOW_EXEC",
      );
    expect(envOf(new JobActionRunner(clients, { ...options, env: { ITER8_ALLOW_EXEC: "true" } }))).toEqual([{ name: "ITER8_ALLOW_EXEC", value: "false" }]);
    expect(envOf(new JobActionRunner(clients, { ...options, allowExec: true }))).toEqual([{ name: "ITER8_ALLOW_EXEC", value: "true" }]);
    expect(envOf(new JobActionRunner(clients, { ...options, allowExec: (key) => key.namespace === "team-a" }))).toEqual([{ name: "ITER8_ALLOW_EXEC", value: "false" }]);
    expect(envOf(new JobActionRunner(clients, { ...options, allowExec: (key) => key.namespace === "default" }))).toEqual([{ name: "ITER8_ALLOW_EXEC", value: "true" }]);
  });

  it("fails the action at once, naming the namespace and the setup, when the namespace has no action service account", async () => {
    server.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-b" } });
    const experiment = parseStoredExperiment(server.create(canaryExperiment("no-account", { namespace: "team-b" })));
    const runner = new JobActionRunner(clients, options);
    const r = { ...request(experiment, "565656565656"), experiment: { namespace: "team-b", name: "no-account" } };
    const error = await runner.start(r, experiment).catch((e: unknown) => e);
    expect(isKubeError(error, "NotFound")).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
    expect((error as Error).message).toBe(
      'the start action of Experiment team-b/no-account cannot run: ServiceAccount iter8-action does not exist in namespace team-b; an admin sets the namespace up for actions with "kubectl apply -k apps/controller/deploy/tenant -n team-b" (see "Tenant namespaces" in apps/controller/README.md)',
    );
    expect(server.list("batch/v1", "Job", "team-b")).toHaveLength(0);
  });

  it("treats a second start of the same run as a no-op, even when both race", async () => {
    const experiment = experimentNamed("twice");
    const runner = new JobActionRunner(clients, options);
    const r = request(experiment, "aaaaaaaaaaaa");
    await Promise.all([runner.start(r, experiment), runner.start(r, experiment)]);
    await runner.start(r, experiment);
    expect(server.list("batch/v1", "Job", "default", { labelSelector: "iter8/experimentName=twice" })).toHaveLength(1);
    expect(await settled(runner, r)).toEqual({ state: "Succeeded" });
  });

  it("reports a failed action with the Job's reason and the end of the pod's log, after the one retry", async () => {
    const experiment = experimentNamed("failing");
    const runner = new JobActionRunner(clients, options);
    const r = request(experiment, "bbbbbbbbbbbb", "finish");
    await runner.start(r, experiment);
    const state = await settled(runner, r);
    expect(state.state).toBe("Failed");
    const message = state.state === "Failed" ? (state.message ?? "") : "";
    expect(message).toMatch(/^Job default\/failing-bbbbbbbbbbbb-finish failed \(BackoffLimitExceeded/);
    expect(message).toContain("task 1 (notification/http) failed: 503 Service Unavailable");
    expect(server.list("v1", "Pod", "default", { labelSelector: "job-name=failing-bbbbbbbbbbbb-finish" })).toHaveLength(2);
  });

  it("fails an action that runs past its deadline", async () => {
    const experiment = experimentNamed("slow");
    const runner = new JobActionRunner(clients, { ...options, activeDeadlineSeconds: 1 });
    const r = request(experiment, "cccccccccccc", "loop");
    await runner.start(r, experiment);
    expect((await runner.state(r)).state).toBe("Running");
    const state = await settled(runner, r);
    expect(state).toMatchObject({ state: "Failed" });
    expect(state.state === "Failed" ? state.message : "").toMatch(/DeadlineExceeded/);
  });

  it("never mixes up runs: a re-created experiment gets a new Job, and an unseen run is Unknown", async () => {
    const first = experimentNamed("recreated");
    const runner = new JobActionRunner(clients, options);
    await runner.start(request(first, "111111111111"), first);
    await settled(runner, request(first, "111111111111"));
    server.delete("iter8.tools/v2alpha2", "Experiment", "recreated");
    const second = experimentNamed("recreated");
    const again = request(second, "222222222222");
    expect(await runner.state(again)).toEqual({ state: "Unknown" });
    await runner.start(again, second);
    expect(runner.jobOf(again).name).toBe("recreated-222222222222-start");
    expect(await settled(runner, again)).toEqual({ state: "Succeeded" });
  });

  it("is garbage-collected with its experiment", async () => {
    const experiment = experimentNamed("collected");
    const runner = new JobActionRunner(clients, options);
    await runner.start(request(experiment, "dddddddddddd"), experiment);
    server.delete("iter8.tools/v2alpha2", "Experiment", "collected");
    await vi.waitFor(() => expect(server.find("batch/v1", "Job", "collected-dddddddddddd-start")).toBeUndefined(), eventually);
  });

  it("keeps long names valid and deletes the Jobs of an experiment when they live in a fixed namespace", async () => {
    server.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "iter8-system" } });
    server.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "iter8-action", namespace: "iter8-system" } });
    const longName = `checkout-service-canary-release-with-a-long-descriptive-name`;
    const experiment = experimentNamed(longName);
    const runner = new JobActionRunner(clients, { ...options, namespace: "iter8-system" });
    const r = request(experiment, "eeeeeeeeeeee");
    await runner.start(r, experiment);
    const { namespace, name } = runner.jobOf(r);
    expect(namespace).toBe("iter8-system");
    expect(isDnsLabel(name) && name.length <= 63).toBe(true);
    const job = server.get("batch/v1", "Job", name, "iter8-system") as { metadata: { ownerReferences?: unknown; annotations: Record<string, string> } };
    // Kubernetes ignores owners in another namespace, so none is set.
    expect(job.metadata.ownerReferences).toBeUndefined();
    expect(experimentKeyOfJob(job as never)).toEqual({ namespace: "default", name: longName });
    expect(await settled(runner, r)).toEqual({ state: "Succeeded" });
    expect(await runner.deleteJobsOf({ namespace: "default", name: longName })).toBe(1);
    expect(server.find("batch/v1", "Job", name, "iter8-system")).toBeUndefined();
  });

  it("refuses to adopt a Job of another run that has the same name", async () => {
    const experiment = experimentNamed("squatted");
    const runner = new JobActionRunner(clients, options);
    const r = request(experiment, "ffffffffffff");
    const job = runner.jobFor(r, experiment) as { metadata: { annotations: Record<string, string> } };
    job.metadata.annotations["iter8/runId"] = "someone-else";
    server.create(job as never);
    const error = await runner.start(r, experiment).catch((e: unknown) => e);
    expect(isKubeError(error, "AlreadyExists")).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
    expect(await runner.state(r)).toEqual({ state: "Unknown" });
  });

  it("feeds an informer that names the experiment of each Job", async () => {
    const informer = createActionJobInformer(clients, { namespace: "default" });
    const keys: string[] = [];
    informer.onChange((e) => {
      const key = experimentKeyOfJob(e.object);
      if (key) keys.push(`${e.type} ${key.name}`);
    });
    informer.start();
    try {
      await informer.waitForSync({ timeoutMs: 5_000 });
      const experiment = experimentNamed("watched");
      const runner = new JobActionRunner(clients, options);
      await runner.start(request(experiment, "999999999999"), experiment);
      await vi.waitFor(() => expect(keys).toContain("added watched"), eventually);
      await vi.waitFor(() => expect(keys.filter((k) => k === "modified watched").length).toBeGreaterThan(0), eventually);
    } finally {
      await informer.stop();
    }
  });
});
