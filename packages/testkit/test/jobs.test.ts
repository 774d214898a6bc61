import { BatchV1Api, CoreV1Api, type V1Job } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { KubeTestServer, makeKubeConfig } from "../src/index";
import { eventually } from "./kube-fixtures";

let server: KubeTestServer;
let batch: BatchV1Api;
let core: CoreV1Api;

const node = process.execPath;

beforeAll(async () => {
  server = await KubeTestServer.start({
    jobs: {
      killGraceMs: 200,
      // The handler image is not available here; its command runs as a node script instead.
      mapProcess: ({ container, env }) =>
        container.image === "iter8/taskrunner:0.1.37"
          ? {
              command: node,
              args: [
                "-e",
                `fetch("http://" + process.env.KUBERNETES_SERVICE_HOST + ":" + process.env.KUBERNETES_SERVICE_PORT + "/api/v1/namespaces/default/configmaps", {
                   method: "POST", headers: { "content-type": "application/json" },
                   body: JSON.stringify({ metadata: { name: "ran-" + process.env.ACTION } }) }).then((r) => process.exit(r.status === 201 ? 0 : 1))`,
              ],
              env: { ...env, ACTION: env.ACTION ?? "" },
            }
          : undefined,
    },
  });
  const kc = makeKubeConfig(server);
  batch = kc.makeApiClient(BatchV1Api);
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await server.close();
});

function job(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): V1Job {
  return {
    metadata: { name, labels: { "iter8/experimentName": "exp" } },
    spec: { backoffLimit: 0, ...spec, template: { spec: { restartPolicy: "Never", containers: [{ name: "task", image: "node:20", ...container }] } } },
  };
}

async function finished(name: string) {
  return vi.waitFor(async () => {
    const j = await batch.readNamespacedJobStatus({ name, namespace: "default" });
    const done = j.status?.conditions?.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    if (!done) throw new Error(`job ${name} is still running`);
    return { job: j, condition: done };
  }, eventually);
}

async function podsOf(jobName: string) {
  return (await core.listNamespacedPod({ namespace: "default", labelSelector: `job-name=${jobName}` })).items;
}

describe("Job executor", () => {
  it("runs the container command with its env, $(VAR) expansion and secrets, then marks the Job Complete", async () => {
    await core.createNamespacedSecret({ namespace: "default", body: { metadata: { name: "greeting" }, stringData: { word: "hello" } } });
    await batch.createNamespacedJob({
      namespace: "default",
      body: job("greet", {
        command: [node, "-e", "console.log(process.env.WORD, process.argv[1], process.env.POD)"],
        args: ["$(ACTION)"],
        env: [
          { name: "ACTION", value: "start" },
          { name: "WORD", valueFrom: { secretKeyRef: { name: "greeting", key: "word" } } },
          { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        ],
      }),
    });
    const { job: done, condition } = await finished("greet");
    expect(condition).toMatchObject({ type: "Complete", reason: "CompletionsReached" });
    expect(done.status).toMatchObject({ succeeded: 1 });
    expect(done.status?.completionTime).toBeInstanceOf(Date);
    const [pod] = await podsOf("greet");
    expect(pod?.status?.phase).toBe("Succeeded");
    expect(pod?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Job", name: "greet", controller: true });
    const log = await core.readNamespacedPodLog({ name: pod?.metadata?.name ?? "", namespace: "default" });
    expect(log).toBe("hello start default\n");
  });

  it("retries a failing pod up to backoffLimit, then fails the Job with BackoffLimitExceeded", async () => {
    await batch.createNamespacedJob({ namespace: "default", body: job("flaky", { command: [node, "-e", "process.exit(3)"] }, { backoffLimit: 1 }) });
    const { job: done, condition } = await finished("flaky");
    expect(condition).toMatchObject({ type: "Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" });
    expect(done.status?.failed).toBe(2);
    const pods = await podsOf("flaky");
    expect(pods.map((p) => p.status?.phase)).toEqual(["Failed", "Failed"]);
    expect(pods[0]?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(3);
  });

  it("fails a Job that runs past activeDeadlineSeconds and stops its process", async () => {
    await batch.createNamespacedJob({
      namespace: "default",
      body: job("slow", { command: [node, "-e", "setTimeout(() => {}, 60000)"] }, { activeDeadlineSeconds: 1, backoffLimit: 3 }),
    });
    const { job: done, condition } = await finished("slow");
    expect(condition).toMatchObject({ type: "Failed", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" });
    expect(done.status?.failed).toBe(1);
    const [pod] = await podsOf("slow");
    // Terminated by SIGTERM: 128 + 15.
    expect(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(143);
  });

  it("maps a container image to a local process that reaches the API server", async () => {
    await batch.createNamespacedJob({
      namespace: "default",
      body: {
        metadata: { name: "default-exp-start" },
        spec: {
          backoffLimit: 1,
          template: {
            spec: {
              restartPolicy: "Never",
              containers: [{ name: "iter8-handler", image: "iter8/taskrunner:0.1.37", command: ["taskrunner"], args: ["run", "-a", "$(ACTION)"], env: [{ name: "ACTION", value: "start" }] }],
            },
          },
        },
      },
    });
    const { condition } = await finished("default-exp-start");
    expect(condition.type).toBe("Complete");
    expect(server.find("v1", "ConfigMap", "ran-start")).toBeDefined();
  });

  it("kills the running process when the Job is deleted with its pods", async () => {
    await batch.createNamespacedJob({
      namespace: "default",
      body: job("doomed", { command: [node, "-e", "console.log(process.pid); setTimeout(() => {}, 60000)"] }),
    });
    const pid = await vi.waitFor(async () => {
      const [pod] = await podsOf("doomed");
      const log = await core.readNamespacedPodLog({ name: pod?.metadata?.name ?? "", namespace: "default" });
      const n = Number(log.trim());
      if (!n) throw new Error("the process has not started yet");
      return n;
    }, eventually);
    await batch.deleteNamespacedJob({ name: "doomed", namespace: "default", propagationPolicy: "Background" });
    expect(await podsOf("doomed")).toEqual([]);
    await vi.waitFor(() => expect(() => process.kill(pid, 0)).toThrow(), eventually);
  });

  it("answers a pod log request for a missing pod with 404", async () => {
    await expect(core.readNamespacedPodLog({ name: "nope", namespace: "default" })).rejects.toMatchObject({ code: 404 });
  });
});
