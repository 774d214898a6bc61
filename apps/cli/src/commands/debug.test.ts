// `iter8ctl debug` against the loopback Kubernetes API server of @iter8ts/testkit, whose Job
// executor runs each Job's container as a local process and serves its output as the pod's log.
// (The real control plane of @iter8ts/kube-harness creates no Pods and has no kubelet, so it
// cannot serve pod logs; reading them is tested here.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeTestServer, writeKubeconfig, type JsonObject } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryIo, type Printed } from "../__fixtures__/memory-io";
import { RAW_CONTROL } from "../__fixtures__/hostile-text";
import { debugCommand } from "./debug";

let server: KubeTestServer;
let dir: string;
let kubeconfig: string;

const iter8Log = (priority: number, message: string, precedence: number, experiment = { name: "cart-ab", namespace: "shop" }) =>
  JSON.stringify({ isIter8Log: true, experimentName: experiment.name, experimentNamespace: experiment.namespace, source: "task-runner", priority, message, precedence });

/** An action Job whose container prints `lines`, labelled as the controller (or Iter8) labels them. */
function actionJob(namespace: string, name: string, lines: string[], experiment = { name: "cart-ab", namespace: "shop" }): JsonObject {
  const labels = { "iter8/experimentName": experiment.name, "iter8/experimentNamespace": experiment.namespace };
  const script = lines.map((l) => `printf '%s\\n' '${l.replaceAll("'", `'\\''`)}'`).join("; ");
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace, labels },
    spec: { backoffLimit: 0, template: { metadata: { labels }, spec: { restartPolicy: "Never", containers: [{ name: "action", image: "iter8ts/controller:test", command: ["/bin/sh", "-c", script] }] } } },
  };
}

async function finished(namespace: string, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const job = server.get("batch/v1", "Job", name, namespace) as { status?: { succeeded?: number } };
    if (job.status?.succeeded) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Job ${namespace}/${name} did not finish`);
}

beforeAll(async () => {
  server = await KubeTestServer.start({ namespaces: ["default", "shop", "iter8-system", "actions"] });
  dir = mkdtempSync(join(tmpdir(), "iter8ctl-debug-"));
  kubeconfig = writeKubeconfig(server, join(dir, "kubeconfig"), { namespace: "shop" });
  server.create({
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "cart-ab", namespace: "shop" },
    spec: { target: "shop/cart", strategy: { testingPattern: "Canary" }, versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] } },
  });
  const jobs: JsonObject[] = [
    // This project's Jobs, in the experiment's namespace: the finish action (loop 2) failed.
    actionJob("shop", "cart-ab-run1-finish", [
      iter8Log(3, "action finish started with 1 task", 2),
      "task output that is not an Iter8Log",
      iter8Log(1, "action finish, task 1 (run) failed: exit code 7", 2),
      iter8Log(1, "someone else's experiment", 0, { name: "other", namespace: "shop" }),
    ]),
    actionJob("shop", "cart-ab-run1-start", [iter8Log(3, "action start started with 1 task", 0), iter8Log(2, "task 2 (run) skipped: its condition \"false\" is false", 0)]),
    // An older install ran them in iter8-system.
    actionJob("iter8-system", "shop-cart-ab-start", [iter8Log(1, "an old install's start failed: \u001b[2J\u001b]0;owned\u0007", 0)]),
    // A controller started with --action-namespace actions.
    actionJob("actions", "cart-ab-run1-loop", [iter8Log(2, "loop warning", 1)]),
  ];
  for (const job of jobs) server.create(job);
  for (const job of jobs) await finished(String((job.metadata as JsonObject).namespace), String((job.metadata as JsonObject).name));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function debug(args: string[]): Promise<Printed> {
  const { io, printed } = memoryIo({});
  await debugCommand(io, {}).exitOverride().parseAsync([...args, "--kubeconfig", kubeconfig], { from: "user" });
  return printed;
}

describe("iter8ctl debug in a cluster", () => {
  it("prints the errors (priority 1, the default) of the experiment's action Jobs in its namespace and in iter8-system, by precedence", async () => {
    const printed = await debug(["cart-ab", "-n", "shop"]);
    expect(printed.err).toBe("");
    expect(printed.code).toBe(0);
    expect(printed.out).toBe(
      "Debugging experiment cart-ab in namespace shop\n" +
        "source: task-runner priority: 1 message: an old install's start failed: \\u001b[2J\\u001b]0;owned\\u0007\n" +
        "source: task-runner priority: 1 message: action finish, task 1 (run) failed: exit code 7\n",
    );
    expect(printed.out).not.toMatch(RAW_CONTROL);
  });

  it("prints warnings and progress with -p 3, and looks in each --job-namespace too", async () => {
    const printed = await debug(["cart-ab", "-p", "3", "--job-namespace", "actions"]);
    expect(printed.out).toBe(
      "Debugging experiment cart-ab in namespace shop\n" +
        "source: task-runner priority: 3 message: action start started with 1 task\n" +
        'source: task-runner priority: 2 message: task 2 (run) skipped: its condition "false" is false\n' +
        "source: task-runner priority: 1 message: an old install's start failed: \\u001b[2J\\u001b]0;owned\\u0007\n" +
        "source: task-runner priority: 2 message: loop warning\n" +
        "source: task-runner priority: 3 message: action finish started with 1 task\n" +
        "source: task-runner priority: 1 message: action finish, task 1 (run) failed: exit code 7\n",
    );
  });

  it("takes the most recently created experiment of the namespace when no name is given", async () => {
    const printed = await debug(["-p", "2"]);
    expect(printed.out.split("\n")[0]).toBe("Debugging experiment cart-ab in namespace shop");
    expect(printed.out).toContain("priority: 2 message: task 2 (run) skipped");
  });

  it("prints only the heading for an experiment without action logs, and refuses a priority outside 1..3", async () => {
    expect((await debug(["quiet", "-n", "default"])).out).toBe("Debugging experiment quiet in namespace default\n");
    const bad = await debug(["cart-ab", "-p", "4"]);
    expect(bad).toEqual({ out: "", err: 'Error: -p/--priority must be 1 (errors), 2 (and warnings) or 3 (everything), not "4"\n', code: 1 });
  });
});
