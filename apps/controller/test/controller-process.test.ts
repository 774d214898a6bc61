// The built executable as Kubernetes runs it: two replicas share the leader Lease, only the
// leader reconciles, SIGTERM drains and releases the Lease so the standby takes over, and bad
// flags exit with a message.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { KubeTestServer, type JsonObject } from "@iter8ts/testkit";
import { isConditionTrue, type ExperimentStatus } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const appRoot = join(import.meta.dirname, "..");
const controllerPath = join(appRoot, "dist", "controller.js");

interface Replica {
  name: string;
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  healthPort: Promise<number>;
  exited: Promise<number | null>;
}

let server: KubeTestServer;
const replicas: Replica[] = [];

function startReplica(name: string, extraArgs: string[] = []): Replica {
  const child = spawn(
    process.execPath,
    [
      controllerPath,
      `--kubeconfig=${server.kubeconfigPath}`,
      "--metrics-addr=127.0.0.1:0",
      "--health-addr=127.0.0.1:0",
      "--lease-duration=3s",
      "--renew-deadline=2s",
      "--retry-period=300ms",
      "--shutdown-timeout=10s",
      ...extraArgs,
    ],
    { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", POD_NAME: name }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs: Array<Record<string, unknown>> = [];
  let resolvePort!: (port: number) => void;
  const healthPort = new Promise<number>((resolve) => (resolvePort = resolve));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    logs.push(entry);
    if (entry.msg === "iter8ts controller starting") resolvePort(Number(String(entry.health).split(":").at(-1)));
  });
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const replica = { name, child, logs, healthPort, exited };
  replicas.push(replica);
  return replica;
}

function leaseHolder(): string | undefined {
  const lease = server.find("coordination.k8s.io/v1", "Lease", "leader.iter8.tools", "iter8-system") as { spec?: { holderIdentity?: string } } | undefined;
  return lease?.spec?.holderIdentity || undefined;
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readyz(replica: Replica): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${await replica.healthPort}/readyz`);
  return `${res.status} ${await res.text()}`;
}

function conformance(name: string): JsonObject {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace: "default" },
    spec: {
      target: `default/${name}`,
      strategy: { testingPattern: "Conformance" },
      criteria: { objectives: [{ metric: "default/latency", upperLimit: 1000 }] },
      duration: { intervalSeconds: 1, iterationsPerLoop: 1 },
      versionInfo: { baseline: { name: "v1" } },
    },
  };
}

function completedBy(name: string): boolean {
  const exp = server.get("iter8.tools/v2alpha2", "Experiment", name, "default") as { status?: ExperimentStatus } | undefined;
  return isConditionTrue(exp?.status, "Completed");
}

beforeAll(async () => {
  if (!existsSync(controllerPath)) {
    throw new Error(`${controllerPath} does not exist: build the controller first with \`pnpm turbo run build --filter=@iter8ts/controller...\``);
  }
  server = await KubeTestServer.start({ namespaces: ["default", "iter8-system"], jobs: false });
  server.create({
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name: "latency", namespace: "default" },
    spec: { type: "Gauge", mock: [{ name: "v1", level: "100" }] },
  });
});

afterAll(async () => {
  for (const replica of replicas) if (replica.child.exitCode === null) replica.child.kill("SIGKILL");
  await server?.close();
});

describe("the controller process", () => {
  it("runs two replicas of which only the leader reconciles; SIGTERM hands the Lease over", async () => {
    const a = startReplica("replica-a");
    await until(() => leaseHolder() === "replica-a", "replica-a holds the Lease");
    const b = startReplica("replica-b");
    await until(() => b.logs.some((l) => l.msg === "replica-a leads"), "replica-b sees the leader");
    await until(() => a.logs.some((l) => l.msg === "leading: reconciling experiments"), "replica-a leads");

    expect(await readyz(a)).toBe("200 ok: informers synced; leading\n");
    await until(() => b.logs.some((l) => l.msg === "waiting for the leader Lease"), "replica-b waits");
    await until(() => b.logs.some((l) => l.msg === "replica-a leads"), "replica-b knows the leader");
    expect(await readyz(b)).toBe("200 ok: informers synced; standing by for the leader Lease\n");

    server.create(conformance("first"));
    await until(() => completedBy("first"), "the first experiment completed");
    // Each condition the engine changes is logged by the replica that reconciled it.
    const reconciledBy = (r: Replica, name: string) => r.logs.some((l) => l.experiment === name && l.reason === "ExperimentCompleted");
    // Logs arrive through a pipe, possibly after the status write they follow.
    await until(() => reconciledBy(a, "first"), "replica-a logged the completion");
    expect(b.logs.some((l) => l.experiment === "first")).toBe(false);

    a.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(a.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(["shutting down", "shutting down: draining workers", "stopped"]));
    await until(() => leaseHolder() === "replica-b", "replica-b took the Lease");
    await until(() => b.logs.some((l) => l.msg === "leading: reconciling experiments"), "replica-b leads");

    server.create(conformance("second"));
    await until(() => completedBy("second"), "the second experiment completed");
    await until(() => reconciledBy(b, "second"), "replica-b logged the completion");

    b.child.kill("SIGTERM");
    expect(await b.exited).toBe(0);
    // Released on the way out, so a new replica would not wait for the lease to expire.
    expect(leaseHolder()).toBeUndefined();
  }, 60_000);

  it("exits 2 naming a bad flag, and prints --help", async () => {
    const bad = startReplica("bad", ["--workers=none"]);
    const stderr: string[] = [];
    bad.child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    expect(await bad.exited).toBe(2);
    expect(stderr.join("")).toBe("iter8-controller: --workers must be a whole number from 1 to 64\n");

    const help = spawn(process.execPath, [controllerPath, "--help"], { stdio: ["ignore", "pipe", "ignore"] });
    let text = "";
    help.stdout!.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => help.once("exit", resolve));
    expect(code).toBe(0);
    expect(text).toContain("Usage: iter8-controller [flags]");
    expect(text).toContain("--leader-elect");
  });
});
