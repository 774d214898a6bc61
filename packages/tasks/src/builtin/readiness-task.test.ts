import { describe, expect, it } from "vitest";
import type { KubeObject } from "@iter8ts/resources";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { istioExperiment } from "../__fixtures__/experiments";
import { createTaskRunner } from "../create-task-registry";
import { parseWaitFor } from "./readiness-task";

function deployment(name: string, available: "True" | "False"): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "bookinfo-iter8" },
    status: { conditions: [{ type: "Available", status: available, reason: available === "True" ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable" }] },
  };
}

const virtualService: KubeObject = { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", metadata: { name: "bookinfo", namespace: "bookinfo-iter8" }, spec: {} };

const readiness = (with_: Record<string, unknown>) =>
  istioExperiment({ start: [{ task: "common/readiness", with: with_ }] });

describe("common/readiness", () => {
  it("waits until objects meet their conditions, re-checking only those not ready yet", async () => {
    const client = new InMemoryResourceClient([virtualService, deployment("productpage-v1", "True"), deployment("productpage-v2", "False")]);
    const waits: number[] = [];
    const runner = createTaskRunner({
      resources: client,
      // Instead of waiting, the candidate becomes available after the second check.
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 3) client.put(deployment("productpage-v2", "True"));
      },
    });
    const result = await runner.run(
      readiness({
        initialDelaySeconds: 2,
        intervalSeconds: 3,
        objRefs: [
          { kind: "Deployment", namespace: "bookinfo-iter8", name: "productpage-v1", waitFor: "condition=Available" },
          { kind: "Deployment", namespace: "bookinfo-iter8", name: "productpage-v2", waitFor: "condition=available" },
        ],
      }),
      "start",
    );
    expect(result.ok).toBe(true);
    expect(waits).toEqual([2000, 3000, 3000]);
    const reads = client.calls.filter((c) => c.method === "get").map((c) => (c as { key: { name: string } }).key.name);
    // v1 and the weight object are ready at once; only v2 is read again.
    expect(reads).toEqual(["productpage-v1", "productpage-v2", "bookinfo", "productpage-v2", "productpage-v2"]);
  });

  it("fails after 1 + numRetries checks, naming each object and why", async () => {
    const client = new InMemoryResourceClient([deployment("productpage-v2", "False")]);
    const runner = createTaskRunner({ resources: client, sleep: async () => undefined });
    const result = await runner.run(
      readiness({ numRetries: 2, objRefs: [{ kind: "Deployment", namespace: "bookinfo-iter8", name: "productpage-v2", waitFor: "condition=Available" }] }),
      "start",
    );
    expect(result.error?.code).toBe("task_failed");
    expect(result.error?.message).toBe(
      'action "start", task 1 (common/readiness): not ready after 3 check(s): Deployment bookinfo-iter8/productpage-v2 condition Available is False, waiting for True (MinimumReplicasUnavailable); VirtualService bookinfo-iter8/bookinfo does not exist',
    );
  });

  it("waits for deletion and for a field value", async () => {
    const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "loadgen", namespace: "default" }, status: { phase: "Pending" } };
    const client = new InMemoryResourceClient([virtualService, pod, { ...pod, metadata: { name: "old", namespace: "default" } }]);
    let sleeps = 0;
    const runner = createTaskRunner({
      resources: client,
      sleep: async () => {
        sleeps++;
        if (sleeps === 2) {
          client.put({ ...pod, status: { phase: "Running" } });
          client.delete({ kind: "Pod", namespace: "default", name: "old" });
        }
      },
    });
    const result = await runner.run(
      readiness({
        objRefs: [
          { kind: "Pod", name: "loadgen", waitFor: "jsonpath={.status.phase}=Running" },
          { kind: "Pod", name: "old", waitFor: "delete" },
        ],
      }),
      "start",
    );
    expect(result.ok).toBe(true);
  });

  it("validates object names and waitFor before anything runs", () => {
    const runner = createTaskRunner({ resources: new InMemoryResourceClient() });
    const issues = runner.validate([{ task: "common/readiness", with: { objRefs: [{ kind: "Pod", name: "Bad_Name", waitFor: "ready" }] } }], "start");
    expect(issues.map((i) => i.message)).toEqual([
      "must be an object name (lowercase letters, digits, - and .)",
      'must be condition=<Type>[=<status>], delete, or jsonpath={.path}=<value> (got "ready")',
    ]);
    expect(issues.map((i) => i.path)).toEqual(["spec.strategy.actions.start[0].with.objRefs[0].name", "spec.strategy.actions.start[0].with.objRefs[0].waitFor"]);
  });

  it("needs a resource client", async () => {
    const result = await createTaskRunner().run(readiness({}), "start");
    expect(result.error?.code).toBe("missing_dependency");
  });
});

describe("parseWaitFor", () => {
  it("reads kubectl's --for forms", () => {
    expect(parseWaitFor(undefined)).toEqual({ kind: "exists" });
    expect(parseWaitFor("condition=Ready")).toEqual({ kind: "condition", type: "Ready", status: "True" });
    expect(parseWaitFor("condition=Ready=false")).toEqual({ kind: "condition", type: "Ready", status: "false" });
    expect(parseWaitFor("delete")).toEqual({ kind: "delete" });
    expect(parseWaitFor("jsonpath={.status.phase}='Running'")).toMatchObject({ kind: "jsonpath", value: "Running" });
    expect(() => parseWaitFor("ready")).toThrow("waitFor \"ready\" is not understood");
  });
});
