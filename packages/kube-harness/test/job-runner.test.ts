// The Job runner on a real control plane (one for this file): Jobs run as local processes with
// their ServiceAccount's token, and kube-apiserver accepts the status they end with, as kubectl
// shows it.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startControlPlane, startJobRunner, type ControlPlane, type JobRunner } from "../src/index";
import { ok } from "./kubectl-ok";

const whoami = join(import.meta.dirname, "fixtures", "whoami.mjs");
const ns = `runner-${randomBytes(3).toString("hex")}`;
let plane: ControlPlane;
let runner: JobRunner;
let scratch: string;

beforeAll(async () => {
  plane = await startControlPlane();
  scratch = mkdtempSync(join(tmpdir(), "job-runner-test-"));
  ok(await plane.kubectl(["create", "namespace", ns]));
  ok(await plane.kubectl(["create", "serviceaccount", "runner", "-n", ns]));
  runner = await startJobRunner(plane, {
    namespaces: [ns],
    // The images' commands, as local programs.
    mapProcess: ({ argv }) => {
      if (argv[0] === "whoami") return { command: process.execPath, args: [whoami, ...argv.slice(1)] };
      if (argv[0] === "kubectl" && plane.binDir) return { command: join(plane.binDir, "kubectl"), args: argv.slice(1) };
      return undefined;
    },
    baseEnv: { PATH: process.env.PATH ?? "", HOME: scratch },
    killGraceMs: 500,
  });
});

afterAll(async () => {
  await runner?.stop();
  if (plane?.external) await plane.kubectl(["delete", "namespace", ns, "--wait=false"]);
  await plane?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function job(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: ns },
    spec: { ...spec, template: { spec: { restartPolicy: "Never", serviceAccountName: "runner", containers: [{ name: "main", image: "iter8ts/test", ...container }] } } },
  };
}

async function jobStatus(name: string): Promise<Record<string, unknown> & { conditions?: { type: string; reason?: string }[] }> {
  return JSON.parse(ok(await plane.kubectl(["get", "job", name, "-n", ns, "-o", "jsonpath={.status}"])));
}

const runsOf = (name: string) => runner.runs.filter((r) => r.namespace === ns && r.name === name).map(({ attempt, exitCode }) => ({ attempt, exitCode }));

describe("the Job runner", () => {
  it("runs a Job's container as its ServiceAccount with the environment it names, and the Job becomes Complete", async () => {
    ok(await plane.kubectl(["create", "configmap", "settings", "-n", ns, "--from-literal=WHO=ops"]));
    ok(await plane.kubectl(["create", "secret", "generic", "creds", "-n", ns, "--from-literal=token=s3cret"]));
    const whoamiJob = job("whoami", {
      command: ["whoami"],
      args: ["--greeting", "$(GREETING)"],
      envFrom: [{ configMapRef: { name: "settings" }, prefix: "S_" }],
      env: [
        { name: "TOKEN", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } },
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "GREETING", value: "hello-$(S_WHO)" },
      ],
    });
    ok(await plane.kubectl(["create", "-f", "-"], { input: JSON.stringify(whoamiJob) }));
    ok(await plane.kubectl(["wait", "-n", ns, "--for=condition=complete", "--timeout=60s", "job/whoami"]));

    const log = runner.logsOf(ns, "whoami") ?? "";
    expect(log).toContain(`user=system:serviceaccount:${ns}:runner`);
    expect(log).toContain("args=--greeting hello-ops");
    expect(log).toContain("TOKEN=s3cret");
    expect(log).toMatch(/POD_NAME=whoami-[0-9a-f]{5}\n/);
    expect(runsOf("whoami")).toEqual([{ attempt: 1, exitCode: 0 }]);

    const table = ok(await plane.kubectl(["get", "job", "whoami", "-n", ns])).trimEnd().split("\n");
    expect(table[1]).toMatch(/^whoami\s+Complete\s+1\/1\s/);
    const status = await jobStatus("whoami");
    expect(status).toMatchObject({ succeeded: 1, startTime: expect.any(String), completionTime: expect.any(String) });
    expect(status.active).toBeUndefined();
    expect(status.conditions?.map((c) => [c.type, c.reason])).toEqual([
      ["SuccessCriteriaMet", "CompletionsReached"],
      ["Complete", "CompletionsReached"],
    ]);
    // Nothing but the Job: no Pods, as no scheduler or kubelet would run them.
    expect(ok(await plane.kubectl(["get", "pods", "-n", ns, "-o", "name"]))).toBe("");
    expect(runner.warnings).toEqual([]);
  });

  it("runs a failing container again up to backoffLimit, then fails the Job with BackoffLimitExceeded", async () => {
    // The token is the ServiceAccount's, which may not read secrets: kubectl exits 1, twice.
    ok(await plane.kubectl(["create", "-f", "-"], { input: JSON.stringify(job("forbidden", { command: ["kubectl", "get", "secrets"] }, { backoffLimit: 1 })) }));
    ok(await plane.kubectl(["wait", "-n", ns, "--for=condition=failed", "--timeout=60s", "job/forbidden"]));

    expect(runsOf("forbidden")).toEqual([
      { attempt: 1, exitCode: 1 },
      { attempt: 2, exitCode: 1 },
    ]);
    for (const attempt of [1, 2]) {
      expect(runner.logsOf(ns, "forbidden", attempt)).toContain(`User "system:serviceaccount:${ns}:runner" cannot list resource "secrets"`);
    }
    const status = await jobStatus("forbidden");
    expect(status).toMatchObject({ failed: 2 });
    expect(status.completionTime).toBeUndefined();
    expect(status.conditions?.map((c) => [c.type, c.reason])).toEqual([
      ["FailureTarget", "BackoffLimitExceeded"],
      ["Failed", "BackoffLimitExceeded"],
    ]);
    expect(ok(await plane.kubectl(["get", "job", "forbidden", "-n", ns])).split("\n")[1]).toMatch(/^forbidden\s+Failed\s+0\/1\s/);
    expect(runner.warnings).toEqual([]);
  });

  it("stops a container that runs past activeDeadlineSeconds and fails the Job with DeadlineExceeded", async () => {
    const slow = job("slow", { command: ["sh", "-c", "echo started; sleep 30"] }, { activeDeadlineSeconds: 2, backoffLimit: 3 });
    ok(await plane.kubectl(["create", "-f", "-"], { input: JSON.stringify(slow) }));
    ok(await plane.kubectl(["wait", "-n", ns, "--for=condition=failed", "--timeout=60s", "job/slow"]));

    expect(runsOf("slow")).toEqual([{ attempt: 1, exitCode: 143 }]);
    expect(runner.logsOf(ns, "slow")).toBe("started\n");
    const status = await jobStatus("slow");
    expect(status).toMatchObject({ failed: 1 });
    expect(status.conditions?.map((c) => [c.type, c.reason])).toEqual([
      ["FailureTarget", "DeadlineExceeded"],
      ["Failed", "DeadlineExceeded"],
    ]);
    expect(runner.warnings).toEqual([]);
  });

  it("kills the container of a Job deleted while it runs", async () => {
    ok(await plane.kubectl(["create", "-f", "-"], { input: JSON.stringify(job("doomed", { command: ["sh", "-c", "echo up; exec sleep 60"] })) }));
    ok(await plane.kubectl(["wait", "-n", ns, "--for=jsonpath={.status.ready}=1", "--timeout=60s", "job/doomed"]));
    expect(await jobStatus("doomed")).toMatchObject({ active: 1, ready: 1 });
    ok(await plane.kubectl(["delete", "job", "doomed", "-n", ns]));

    await vi.waitFor(() => expect(runsOf("doomed")).toEqual([{ attempt: 1, exitCode: 143 }]), { timeout: 10_000 });
    expect(runner.logsOf(ns, "doomed")).toBe("up\n");
    expect(runner.warnings).toEqual([]);
  });

  // Last: it restarts the API server the other tests use.
  it.skipIf(process.env.ITER8TS_KUBECONFIG)("completes a Job whose container ends while kube-apiserver restarts (on the harness's own control plane only, not on an ITER8TS_KUBECONFIG cluster)", async () => {
    ok(await plane.kubectl(["create", "-f", "-"], { input: JSON.stringify(job("across-restart", { command: ["sh", "-c", "sleep 1"] })) }));
    ok(await plane.kubectl(["wait", "-n", ns, "--for=jsonpath={.status.ready}=1", "--timeout=60s", "job/across-restart"]));
    // The container ends while the server is down; its end is written once the server is back.
    await plane.restartApiServer({ downtimeMs: 1_500 });
    ok(await plane.kubectl(["wait", "-n", ns, "--for=condition=complete", "--timeout=30s", "job/across-restart"]));
    expect(runsOf("across-restart")).toEqual([{ attempt: 1, exitCode: 0 }]);
    expect(await jobStatus("across-restart")).toMatchObject({ succeeded: 1 });
    expect(runner.warnings).toEqual([]);
  }, 60_000);
});
