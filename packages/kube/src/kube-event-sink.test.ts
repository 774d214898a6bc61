import type { EngineEvent } from "@iter8ts/engine";
import type { KubeTestServer } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canaryExperiment, startCluster } from "../test/support";
import type { KubeClients } from "./create-kube-clients";
import type { KubeError } from "./kube-error";
import { KubeEventSink } from "./kube-event-sink";

let server: KubeTestServer;
let clients: KubeClients;
let uid: string;

beforeAll(async () => {
  ({ server, clients } = await startCluster());
  const created = server.create(canaryExperiment("quickstart-exp"));
  uid = String((created.metadata as { uid: string }).uid);
});

afterAll(async () => {
  await server.close();
});

interface StoredEvent {
  metadata: { name: string };
  involvedObject: Record<string, string>;
  reason: string;
  message: string;
  type: string;
  count: number;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  reportingComponent: string;
}

const events = () => server.list("v1", "Event", "default") as unknown as StoredEvent[];

function event(reason: string, message: string, time: string, type: "Normal" | "Warning" = "Normal"): EngineEvent {
  return { experiment: { namespace: "default", name: "quickstart-exp" }, type, reason, message, time };
}

describe("KubeEventSink", () => {
  it("writes core/v1 Events on the experiment, and counts repeats on one Event", async () => {
    const sink = new KubeEventSink(clients, {
      instance: "iter8ts-controller-0",
      experiments: { get: (namespace, name) => server.find("iter8.tools/v2alpha2", "Experiment", name, namespace) as never },
    });
    sink.emit(event("StageAdvanced", "Advanced to Running", "2024-05-01T10:00:00.123Z"));
    sink.emit(event("IterationUpdate", "Completed Iteration 1", "2024-05-01T10:00:10Z"));
    sink.emit(event("StageAdvanced", "Advanced to Running", "2024-05-01T10:00:20Z"));
    sink.emit(event("HandlerFailed", "Start actions failed", "2024-05-01T10:00:30Z", "Warning"));
    sink.emit(event("StageAdvanced", "Advanced to Running", "2024-05-01T10:00:40Z"));
    await sink.flush();

    const stored = events();
    expect(stored.map((e) => [e.reason, e.message, e.type, e.count]).sort()).toEqual([
      ["HandlerFailed", "Start actions failed", "Warning", 1],
      ["IterationUpdate", "Completed Iteration 1", "Normal", 1],
      ["StageAdvanced", "Advanced to Running", "Normal", 3],
    ]);
    const repeated = stored.find((e) => e.reason === "StageAdvanced")!;
    expect(repeated.involvedObject).toEqual({ apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", namespace: "default", name: "quickstart-exp", uid });
    expect(repeated.firstTimestamp).toBe("2024-05-01T10:00:00Z");
    expect(repeated.lastTimestamp).toBe("2024-05-01T10:00:40Z");
    expect(repeated.source).toEqual({ component: "iter8ts", host: "iter8ts-controller-0" });
    expect(repeated.reportingComponent).toBe("iter8ts");
    // `kubectl describe` finds them through the field selector on the involved object.
    const selected = server.list("v1", "Event", "default", { fieldSelector: "involvedObject.name=quickstart-exp" });
    expect(selected).toHaveLength(3);
  });

  it("starts a new Event when the one it was counting has gone", async () => {
    const sink = new KubeEventSink(clients);
    sink.emit(event("TargetAcquired", "", "2024-05-01T11:00:00Z"));
    await sink.flush();
    const first = events().find((e) => e.reason === "TargetAcquired")!;
    server.delete("v1", "Event", first.metadata.name);
    sink.emit(event("TargetAcquired", "", "2024-05-01T11:00:05Z"));
    await sink.flush();
    const again = events().filter((e) => e.reason === "TargetAcquired");
    expect(again).toHaveLength(1);
    expect(again[0]!.count).toBe(1);
    expect(again[0]!.metadata.name).not.toBe(first.metadata.name);
  });

  it("starts counting afresh for an experiment it was told to forget", async () => {
    const sink = new KubeEventSink(clients);
    const forgotten = (time: string): EngineEvent => ({ ...event("StageAdvanced", "Advanced to Waiting", time), experiment: { namespace: "default", name: "forgotten" } });
    sink.emit(forgotten("2024-05-01T13:00:00Z"));
    sink.emit(forgotten("2024-05-01T13:00:01Z"));
    await sink.flush();
    sink.forget({ namespace: "default", name: "forgotten" });
    sink.emit(forgotten("2024-05-01T13:00:02Z"));
    await sink.flush();
    const counts = events()
      .filter((e) => e.involvedObject.name === "forgotten")
      .map((e) => e.count)
      .sort();
    expect(counts).toEqual([1, 2]);
  });

  it("tries a write the API server could not take again, and loses no Event to a short outage", async () => {
    const failures: KubeError[] = [];
    const sink = new KubeEventSink(clients, { onError: (e) => failures.push(e), retryDelayMs: 10 });
    const outage = server.faults.add({ verbs: ["create"], resources: ["events"], respond: "ServiceUnavailable", times: 2 });
    sink.emit(event("StageAdvanced", "Advanced to Finishing", "2024-05-01T12:00:00Z"));
    await sink.flush();
    expect(outage.triggered).toBe(2);
    expect(failures).toEqual([]);
    const written = server.list("v1", "Event", "default") as Array<{ message: string }>;
    expect(written.filter((e) => e.message === "Advanced to Finishing")).toHaveLength(1);
  });

  it("never throws from emit, and reports failed writes", async () => {
    const failures: KubeError[] = [];
    const sink = new KubeEventSink(clients, { onError: (e) => failures.push(e), retryDelayMs: 10 });
    server.faults.add({ verbs: ["create"], resources: ["events"], respond: "InternalError", times: 3 });
    expect(() => sink.emit(event("StageAdvanced", "Advanced to Completed", "2024-05-01T12:00:00Z"))).not.toThrow();
    await sink.flush();
    expect(failures.map((f) => f.code)).toEqual(["Unavailable"]);
    expect(failures[0]?.message).toContain("Event for Experiment default/quickstart-exp");
  });
});
