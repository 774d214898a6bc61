import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeTestServer, writeKubeconfig, type JsonObject } from "@iter8ts/testkit";
import type { ExperimentInput } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryIo, type Printed } from "../__fixtures__/memory-io";
import { resolveActionTarget } from "../action/resolve-action-target";
import { actionCommand, type ActionEnv } from "./action";

let server: KubeTestServer;
let app: Server;
let appUrl: string;
let dir: string;
let kubeconfig: string;

function experiment(name: string, actions: NonNullable<ExperimentInput["spec"]["strategy"]["actions"]>): ExperimentInput {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace: "shop" },
    spec: {
      target: `shop/${name}`,
      strategy: { testingPattern: "Canary", actions },
      duration: { iterationsPerLoop: 5 },
      versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] },
    },
  };
}

beforeAll(async () => {
  server = await KubeTestServer.start({ namespaces: ["default", "shop"], jobs: false });
  dir = mkdtempSync(join(tmpdir(), "iter8ctl-action-"));
  kubeconfig = writeKubeconfig(server, join(dir, "kubeconfig"), { namespace: "shop" });
  app = createServer((req, res) => {
    res.writeHead(req.url === "/broken" ? 500 : 200, { "content-type": "text/plain" });
    res.end("ok");
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  server.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "greeting", namespace: "shop" }, stringData: { word: "s3cret-hello" } });
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], env: ActionEnv = {}): Promise<Printed & { logs: Array<Record<string, unknown>> }> {
  const { io, printed } = memoryIo({});
  await actionCommand(io, { PATH: process.env.PATH ?? "/usr/bin:/bin", ITER8_ALLOW_EXEC: "true", ...env })
    .exitOverride()
    .parseAsync(["run", "--kubeconfig", kubeconfig, ...args], { from: "user" });
  const logs = printed.out
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...printed, logs };
}

describe("iter8ctl action run", () => {
  it("runs the action's tasks and prints Iter8Log lines with the run id", async () => {
    server.create(experiment("scripted", { start: [{ run: "echo started @< .Name >@ in @< .Namespace >@" }] }) as unknown as JsonObject);
    const r = await run(["--action", "start", "--experiment", "shop/scripted", "--run-id", "abc123-start"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    for (const log of r.logs) {
      expect(log).toMatchObject({ isIter8Log: true, experimentName: "scripted", experimentNamespace: "shop", source: "task-runner", action: "start", runId: "abc123-start", precedence: 0 });
    }
    expect(r.logs.map((l) => l.message)).toContain("task 1 (run) stdout: started scripted in shop");
    expect(r.logs.at(-1)).toMatchObject({ priority: 3, message: "action start succeeded" });
  });

  it("takes the experiment, action and run id from the Job's environment", async () => {
    server.create(experiment("from-env", { finish: [{ task: "common/exec", with: { cmd: "echo", args: ["promoting", "{{ .name }}"] } }] }) as unknown as JsonObject);
    const r = await run([], { ACTION: "finish", EXPERIMENT_NAME: "from-env", EXPERIMENT_NAMESPACE: "shop", RUN_ID: "r-1-finish" });
    expect(r.code).toBe(0);
    expect(r.logs.map((l) => l.message)).toContain("task 1 (common/exec) stdout: promoting v1");
    // finish logs sort after the loops the experiment completed: none yet, so loop 1.
    expect(r.logs[0]).toMatchObject({ action: "finish", runId: "r-1-finish", precedence: 1 });
  });

  it("fails with exit 1 and a priority 1 line naming the task that failed", async () => {
    server.create(experiment("failing", { loop: [{ run: "echo about to fail; exit 3" }, { run: "echo never" }] }) as unknown as JsonObject);
    const r = await run(["--action", "loop", "--experiment", "shop/failing"]);
    expect(r.code).toBe(1);
    const errors = r.logs.filter((l) => l.priority === 1);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.message)).toMatch(/^action "?loop"?, task 1 \(run\)/);
    expect(r.logs.map((l) => l.message)).not.toContain("task 2 (run) stdout: never");
    expect(r.err).toMatch(/^Error: action loop of experiment shop\/failing failed: /);
  });

  it("masks secret values in the output", async () => {
    server.create(experiment("secretive", { start: [{ run: 'echo the word is @< .Secret "word" >@', with: { secret: "greeting" } }] }) as unknown as JsonObject);
    const r = await run(["--action", "start", "--experiment", "shop/secretive"]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("s3cret-hello");
    expect(r.logs.some((l) => String(l.message).startsWith("task 1 (run) stdout: the word is "))).toBe(true);
  });

  it("runs no exec-type task unless the Job's ITER8_ALLOW_EXEC is true, naming the task, the namespace and the flag", async () => {
    server.create(experiment("gated", { start: [{ run: "echo should not run" }] }) as unknown as JsonObject);
    for (const value of ["false", "", undefined]) {
      const r = await run(["--action", "start", "--experiment", "shop/gated"], { ITER8_ALLOW_EXEC: value });
      expect(r.code).toBe(1);
      expect(r.out).not.toContain("should not run");
      expect(r.err).toBe(
        "Error: action start of experiment shop/gated failed: action \"start\", task 1 (run): run runs processes, which the controller does not allow for experiments in namespace shop (ITER8_ALLOW_EXEC is not true); an admin allows them with the controller flag --allow-exec\n",
      );
    }
    const allowed = await run(["--action", "start", "--experiment", "shop/gated"], { ITER8_ALLOW_EXEC: "true" });
    expect(allowed.logs.map((l) => l.message)).toContain("task 1 (run) stdout: should not run");
  });

  it("sends notifications to loopback, link-local and API server addresses only where ITER8_EGRESS_ALLOW allows them", async () => {
    const hits: string[] = [];
    const hook = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.end("ok");
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    try {
      server.create(experiment("notifying", { finish: [{ task: "notification/http", with: { URL: `${hookUrl}/hook?token=abc`, ignoreFailure: false } }] }) as unknown as JsonObject);
      const refused = await run(["--action", "finish", "--experiment", "shop/notifying"]);
      expect(refused.code).toBe(1);
      expect(refused.err).toBe(
        `Error: action finish of experiment shop/notifying failed: action "finish", task 1 (notification/http): POST ${hookUrl}/hook?… failed: 127.0.0.1 is a loopback address, refused by the egress policy (allow it with the controller's --egress-allow loopback)\n`,
      );
      expect(hits).toEqual([]);
      // This test's API server listens on loopback too: allowing loopback alone does not allow it.
      const apiServer = await run(["--action", "finish", "--experiment", "shop/notifying"], { ITER8_EGRESS_ALLOW: "loopback" });
      expect(apiServer.err).toContain("failed: 127.0.0.1 is an address of the Kubernetes API server, refused by the egress policy (allow it with the controller's --egress-allow apiserver)");
      expect(hits).toEqual([]);
      const allowed = await run(["--action", "finish", "--experiment", "shop/notifying"], { ITER8_EGRESS_ALLOW: "loopback,apiserver" });
      expect(allowed.code).toBe(0);
      expect(hits).toEqual(["/hook?token=abc"]);
      const bad = await run(["--action", "finish", "--experiment", "shop/notifying"], { ITER8_EGRESS_ALLOW: "loopback,anywhere" });
      expect(bad.code).toBe(1);
      expect(bad.err).toBe('Error: ITER8_EGRESS_ALLOW: "anywhere" is neither a CIDR (such as 10.0.0.0/8 or fd00::/8) nor one of loopback, link-local, apiserver, private\n');
    } finally {
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });

  it("succeeds with nothing to do when the experiment defines no such action", async () => {
    server.create(experiment("no-finish", { start: [{ run: "true" }] }) as unknown as JsonObject);
    const r = await run(["--action", "finish", "--experiment", "no-finish"]);
    expect(r.code).toBe(0);
    expect(r.logs).toEqual([expect.objectContaining({ priority: 2, message: "experiment shop/no-finish defines no finish action; nothing to run" })]);
  });

  it("fails when the experiment does not exist", async () => {
    const r = await run(["--action", "start", "--experiment", "shop/ghost"]);
    expect(r.code).toBe(1);
    expect(r.logs).toEqual([expect.objectContaining({ priority: 1, message: "experiment shop/ghost does not exist; it may have been deleted" })]);
  });

  it("writes builtin metrics to the status through the status subresource, retrying after conflicts", async () => {
    server.create(
      experiment("collector", {
        start: [{ task: "metrics/collect", with: { numQueries: 20, qps: 400, connections: 2, versions: [{ name: "v1", url: `${appUrl}/ok` }, { name: "v2", url: `${appUrl}/broken` }] } }],
      }) as unknown as JsonObject,
    );
    // The controller writes status too; a concurrent write makes our first attempts conflict.
    const conflicts = server.faults.conflicts(1, { resources: ["experiments/status"], times: 2 });
    const r = await run(["--action", "start", "--experiment", "shop/collector"]);
    expect(r.code).toBe(0);
    expect(conflicts.triggered).toBe(2);
    const stored = server.get("iter8.tools/v2alpha2", "Experiment", "collector", "shop") as { status?: { analysis?: { aggregatedBuiltinHists?: { provenance: string; data: Record<string, { DurationHistogram: { Count: number }; RetCodes: Record<string, number> }> } } } };
    const hists = stored.status?.analysis?.aggregatedBuiltinHists;
    expect(hists?.data.v1?.DurationHistogram.Count).toBe(20);
    expect(hists?.data.v2?.RetCodes["500"]).toBe(20);
  });

  it("explains what is missing", async () => {
    const noAction = await run(["--experiment", "shop/x"]);
    expect(noAction).toMatchObject({ code: 1, err: "Error: action run needs the action to run: pass --action start|loop|finish|failure or set ACTION\n" });
    const noExperiment = await run(["--action", "start"]);
    expect(noExperiment.err).toContain("pass --experiment NAMESPACE/NAME or set EXPERIMENT_NAME");
  });
});

describe("resolveActionTarget", () => {
  const ns = () => "ctx-ns";
  it("prefers flags to the environment and falls back to the context namespace", () => {
    expect(resolveActionTarget({ action: "loop", experiment: "a/b", runId: "r" }, { ACTION: "start", EXPERIMENT_NAME: "z" }, ns)).toEqual({ action: "loop", namespace: "a", name: "b", runId: "r" });
    expect(resolveActionTarget({ experiment: "b" }, { ACTION: "start", EXPERIMENT_NAMESPACE: "env-ns" }, ns)).toEqual({ action: "start", namespace: "env-ns", name: "b" });
    expect(resolveActionTarget({ action: "start" }, { EXPERIMENT_NAME: "b" }, ns)).toEqual({ action: "start", namespace: "ctx-ns", name: "b" });
  });
  it("refuses names that cannot be Kubernetes objects", () => {
    expect(resolveActionTarget({ action: "start", experiment: "a/B_c" }, {}, ns)).toEqual({ error: '--experiment "a/B_c" is not NAMESPACE/NAME of a Kubernetes object' });
  });
});
