import { InjectedError, KubeTestServer, makeKubeConfig, type JsonObject } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeClients, type KubeClients } from "./create-kube-clients";
import { isKubeError, KubeErrorCode } from "./kube-error";
import { clusterSecretSource, jobExecRefusal, runClusterAction, updateStatusWithRetry } from "./job-action-runtime";

// `iter8ctl action run` (apps/cli) tests the action Job end to end; these test the runtime's parts.
let server: KubeTestServer;
let clients: KubeClients;

function experiment(name: string, actions: Record<string, unknown[]> = {}): JsonObject {
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
  } as unknown as JsonObject;
}

beforeAll(async () => {
  server = await KubeTestServer.start({ namespaces: ["default", "shop"], jobs: false });
  clients = createKubeClients({ kubeconfig: makeKubeConfig(server, { namespace: "shop" }) });
  server.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "greeting", namespace: "shop" }, stringData: { word: "hello" } });
});

afterAll(async () => {
  await server?.close();
});

describe("runClusterAction", () => {
  it("fails on a name that is no action, naming it and the four actions, before reading the experiment", async () => {
    const lines: string[] = [];
    const result = await runClusterAction({ clients, experiment: { namespace: "shop", name: "ghost" }, action: "bogus", env: {}, allowExec: false, log: (l) => lines.push(l) });
    expect(result).toEqual({ ok: false, error: '"bogus" is not an action: the actions of an experiment are start, loop, finish, failure (--action or ACTION)' });
    expect(lines.map((l) => (JSON.parse(l) as { priority: number; message: string }).message)).toEqual([result.error]);
  });
});

describe("clusterSecretSource", () => {
  it("decodes a Secret's data and answers undefined for a Secret that does not exist", async () => {
    const secrets = clusterSecretSource(clients);
    await expect(secrets.get("shop", "greeting")).resolves.toEqual({ word: "hello" });
    await expect(secrets.get("shop", "ghost")).resolves.toBeUndefined();
  });
});

describe("updateStatusWithRetry", () => {
  it("applies the change again to the fresh status after a conflict, and gives up after the retries", async () => {
    server.create(experiment("status-writer"));
    const key = { namespace: "shop", name: "status-writer" };
    const conflicts = server.faults.conflicts(1, { resources: ["experiments/status"], times: 2 });
    let calls = 0;
    await updateStatusWithRetry(clients, key, (status) => ({ ...status, message: `write ${++calls}` }));
    expect(conflicts.triggered).toBe(2);
    expect(calls).toBe(3);
    expect((server.get("iter8.tools/v2alpha2", "Experiment", "status-writer", "shop") as { status?: { message?: string } }).status?.message).toBe("write 3");

    server.faults.conflicts(1, { resources: ["experiments/status"], times: 2 });
    const error = await updateStatusWithRetry(clients, key, (status) => status, 1).catch((e: unknown) => e);
    expect(isKubeError(error, KubeErrorCode.Conflict)).toBe(true);
    server.faults.clear();
  });
});

describe("runClusterAction", () => {
  it("reads the experiment again after an error worth retrying, and reports one that persists", async () => {
    server.create(experiment("flaky", { start: [] }));
    const pauses: number[] = [];
    const sleep = async (ms: number) => void pauses.push(ms);
    const lines: string[] = [];
    server.faults.add({ resources: ["experiments"], verbs: ["get"], respond: InjectedError.ServiceUnavailable, times: 2 });
    const ok = await runClusterAction({ clients, experiment: { namespace: "shop", name: "flaky" }, action: "start", env: {}, allowExec: false, log: (l) => lines.push(l), sleep });
    expect(ok).toEqual({ ok: true });
    expect(pauses).toEqual([2_000, 4_000]);

    server.faults.add({ resources: ["experiments"], verbs: ["get"], respond: InjectedError.ServiceUnavailable, times: 2 });
    const failed = await runClusterAction({ clients, experiment: { namespace: "shop", name: "flaky" }, action: "start", env: {}, allowExec: false, log: (l) => lines.push(l), sleep, readAttempts: 2 });
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatch(/^cannot read experiment shop\/flaky: /);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ isIter8Log: true, priority: 1, action: "start", experimentName: "flaky", experimentNamespace: "shop" });
    server.faults.clear();
  });

  it("refuses exec-type tasks where the controller does not allow them, naming the namespace", async () => {
    server.create(experiment("execs", { start: [{ run: "echo hi" }] }));
    const lines: string[] = [];
    const result = await runClusterAction({ clients, experiment: { namespace: "shop", name: "execs" }, action: "start", env: {}, allowExec: false, log: (l) => lines.push(l), runId: "r1" });
    expect(result.ok).toBe(false);
    expect(lines.join("\n")).toContain(jobExecRefusal("shop"));
    expect(JSON.parse(lines[0]!)).toMatchObject({ runId: "r1" });
  });
});
