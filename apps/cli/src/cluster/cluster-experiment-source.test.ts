import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeTestServer, writeKubeconfig } from "@iter8ts/testkit";
import type { JsonObject } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentInput } from "@iter8ts/types";
import { abInput, canaryInput } from "@iter8ts/report/testing";
import { memoryIo, type Printed } from "../__fixtures__/memory-io";
import { assertCommand } from "../commands/assert";
import { describeCommand } from "../commands/describe";
import { latestCreated } from "./cluster-experiment-source";

let server: KubeTestServer;
let dir: string;
let kubeconfig: string;
let clock = new Date("2024-03-01T10:00:00Z");

/** Stores an experiment with its status, as the controller would have left it. */
function store(input: ExperimentInput, createdAt: string): void {
  clock = new Date(createdAt);
  const { status, ...object } = structuredClone(input) as unknown as JsonObject & { status?: unknown };
  const created = server.create(object);
  if (status) server.replaceStatus({ ...created, status } as JsonObject);
}

beforeAll(async () => {
  server = await KubeTestServer.start({ namespaces: ["default", "shop", "ml", "empty"], now: () => clock, jobs: false });
  dir = mkdtempSync(join(tmpdir(), "iter8ctl-cluster-"));
  kubeconfig = writeKubeconfig(server, join(dir, "kubeconfig"), { namespace: "shop" });
  store(canaryInput(), "2024-03-01T10:00:00Z");
  // Created later than the canary, with a name that sorts first: the latest by creation time.
  const older = canaryInput();
  older.metadata = { name: "zzz-old-rollout", namespace: "ml" };
  store(older, "2024-03-01T09:00:00Z");
  store(abInput(), "2024-03-01T11:00:00Z");
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function describeRun(args: string[]): Promise<Printed> {
  const { io, printed } = memoryIo({});
  await describeCommand(io, {}).exitOverride().parseAsync([...args, "--kubeconfig", kubeconfig], { from: "user" });
  return printed;
}

async function assertRun(args: string[]): Promise<Printed> {
  const { io, printed } = memoryIo({});
  await assertCommand(io, {}).exitOverride().parseAsync([...args, "--kubeconfig", kubeconfig], { from: "user" });
  return printed;
}

describe("describe NAME -n NS against a cluster", () => {
  it("describes the named experiment in the given namespace", async () => {
    const r = await describeRun(["recommender-ab", "-n", "ml"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Experiment name: recommender-ab\nExperiment namespace: ml\n");
    expect(r.out).toContain("Winning version: model-b");
    expect(r.err).toBe("");
  });

  it("uses the kubeconfig context's namespace without -n", async () => {
    const r = await describeRun(["checkout-rollout"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Experiment namespace: shop\n");
  });

  it("takes the most recently created experiment without a name, not the last by name", async () => {
    const r = await describeRun(["-n", "ml", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ name: "recommender-ab", namespace: "ml" });
  });

  it("says Experiment NAME not found in namespace NS", async () => {
    const r = await describeRun(["nope", "-n", "ml"]);
    expect(r).toMatchObject({ code: 1, out: "", err: "Error: Experiment nope not found in namespace ml\n" });
  });

  it("says no experiments found in cluster for an empty namespace", async () => {
    const r = await describeRun(["-n", "empty"]);
    expect(r).toMatchObject({ code: 1, out: "", err: "Error: no experiments found in cluster\n" });
  });

  it("refuses a name together with -f", async () => {
    const r = await describeRun(["checkout-rollout", "-f", "exp.yaml"]);
    expect(r).toMatchObject({ code: 1, err: "Error: pass an experiment NAME to read it from the cluster, or -f exp.yaml, not both\n" });
  });

  it("names the cluster it could not reach", async () => {
    const { io, printed } = memoryIo({});
    await describeCommand(io, {}).exitOverride().parseAsync(["x", "--kubeconfig", join(dir, "missing")], { from: "user" });
    expect(printed.code).toBe(1);
    expect(printed.err).toMatch(/^Error: Could not load kubeconfig .*missing.*; check --kubeconfig, KUBECONFIG or --context\n$/);
  });
});

describe("assert NAME -n NS against a cluster", () => {
  it("checks conditions on the stored status", async () => {
    const done = await assertRun(["recommender-ab", "-n", "ml", "-c", "completed,winnerFound"]);
    expect(done).toMatchObject({ code: 0, out: "All conditions satisfied.\n" });
    const running = await assertRun(["checkout-rollout", "-c", "completed"]);
    expect(running.code).toBe(1);
    expect(running.out).toBe("experiment has not completed\n");
  });

  it("re-reads the cluster while --timeout waits, and passes once the controller completes the experiment", async () => {
    const input = canaryInput();
    input.metadata = { name: "late-finisher", namespace: "shop" };
    store(input, "2024-03-01T12:00:00Z");
    const waiting = assertRun(["late-finisher", "-c", "completed", "--timeout", "20s"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stored = server.get("iter8.tools/v2alpha2", "Experiment", "late-finisher", "shop") as { status: { conditions: Array<{ type: string; status: string }> } };
    const status = structuredClone(stored.status);
    for (const c of status.conditions) if (c.type === "Completed") c.status = "True";
    server.replaceStatus({ ...(stored as unknown as JsonObject), status } as JsonObject);
    const r = await waiting;
    expect(r).toMatchObject({ code: 0, out: "All conditions satisfied.\n" });
  });
});

describe("latestCreated", () => {
  it("orders by creation time, then by name for equal times, and ignores missing times", () => {
    const at = (name: string, creationTimestamp?: string) => ({ metadata: creationTimestamp ? { name, creationTimestamp } : { name } });
    expect(latestCreated([at("b", "2024-01-01T00:00:02Z"), at("a", "2024-01-01T00:00:03Z"), at("c", "2024-01-01T00:00:01Z")])?.metadata.name).toBe("a");
    expect(latestCreated([at("b", "2024-01-01T00:00:02Z"), at("c", "2024-01-01T00:00:02Z"), at("a", "2024-01-01T00:00:02Z")])?.metadata.name).toBe("c");
    expect(latestCreated([at("x"), at("y", "2024-01-01T00:00:00Z")])?.metadata.name).toBe("y");
    expect(latestCreated([])).toBeUndefined();
  });
});
