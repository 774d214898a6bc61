import { afterEach, describe, expect, it } from "vitest";
import { createControllerMetrics } from "./controller-metrics";
import { startEndpoints, type ProbeResult, type RunningEndpoints } from "./http-endpoints";

const loopback = { host: "127.0.0.1", port: 0 };
let running: RunningEndpoints | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

function url(address: { port: number } | undefined, path: string): string {
  if (!address) throw new Error("endpoint not started");
  return `http://127.0.0.1:${address.port}${path}`;
}

describe("controller endpoints", () => {
  it("answers the probes with 200 or 503 and says why", async () => {
    let ready: ProbeResult = { ok: false, detail: "informers have not synced yet" };
    const metrics = createControllerMetrics({ experimentsByStage: () => ({}), queueDepth: () => 0, isLeader: () => false }, { processMetrics: false });
    running = await startEndpoints({ health: () => ({ ok: true, detail: "running" }), ready: () => ready, registry: metrics.registry }, { healthAddr: loopback });
    const health = await fetch(url(running.health, "/healthz"));
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok: running\n");

    const notReady = await fetch(url(running.health, "/readyz"));
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toBe("not ok: informers have not synced yet\n");

    ready = { ok: true, detail: "synced; standing by for the leader Lease" };
    const nowReady = await fetch(url(running.health, "/readyz"));
    expect(nowReady.status).toBe(200);
    expect(await nowReady.text()).toContain("standing by");

    expect((await fetch(url(running.health, "/nothing"))).status).toBe(404);
    expect((await fetch(url(running.health, "/healthz"), { method: "POST" })).status).toBe(405);
    expect(running.metrics).toBeUndefined();
  });

  it("a probe that throws answers 503 instead of crashing the server", async () => {
    const metrics = createControllerMetrics({ experimentsByStage: () => ({}), queueDepth: () => 0, isLeader: () => true }, { processMetrics: false });
    running = await startEndpoints(
      {
        health: () => {
          throw new Error("state unreadable");
        },
        ready: () => ({ ok: true, detail: "" }),
        registry: metrics.registry,
      },
      { healthAddr: loopback },
    );
    const res = await fetch(url(running.health, "/healthz"));
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("probe failed: state unreadable");
  });

  it("serves the experiment, queue, leader, iteration, query and reconcile metrics in Prometheus text", async () => {
    const metrics = createControllerMetrics(
      { experimentsByStage: () => ({ Running: 2, Completed: 5 }), queueDepth: () => 3, isLeader: () => true },
      { processMetrics: false },
    );
    metrics.iterations.inc(4);
    metrics.iterationDuration.observe(0.2);
    metrics.metricQueryDuration.observe(0.05);
    metrics.metricQueryErrors.inc({ metric: "iter8-istio/error-rate" });
    metrics.reconcileErrors.inc({ reason: "StoreError" });
    running = await startEndpoints(
      { health: () => ({ ok: true, detail: "" }), ready: () => ({ ok: true, detail: "" }), registry: metrics.registry },
      { metricsAddr: loopback, healthAddr: loopback },
    );
    const res = await fetch(url(running.metrics, "/metrics"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('iter8_experiments{stage="Running"} 2');
    expect(text).toContain('iter8_experiments{stage="Completed"} 5');
    expect(text).toContain('iter8_experiments{stage="Waiting"} 0');
    expect(text).toContain("iter8_workqueue_depth 3");
    expect(text).toContain("iter8_leader 1");
    expect(text).toContain("iter8_iterations_total 4");
    expect(text).toContain("iter8_iteration_duration_seconds_count 1");
    expect(text).toContain("iter8_metric_query_duration_seconds_count 1");
    expect(text).toContain('iter8_metric_query_errors_total{metric="iter8-istio/error-rate"} 1');
    expect(text).toContain('iter8_reconcile_errors_total{reason="StoreError"} 1');
    // Separate listeners: the metrics port does not answer probes.
    expect(running.health?.port).not.toBe(running.metrics?.port);
    expect((await fetch(url(running.metrics, "/healthz"))).status).toBe(404);
  });

  it("serves everything on one listener when both addresses are the same port", async () => {
    const metrics = createControllerMetrics({ experimentsByStage: () => ({}), queueDepth: () => 0, isLeader: () => true }, { processMetrics: false });
    const probe = await startEndpoints({ health: () => ({ ok: true, detail: "" }), ready: () => ({ ok: true, detail: "" }), registry: metrics.registry }, { healthAddr: loopback });
    const port = probe.health!.port;
    await probe.close();
    const address = { host: "127.0.0.1", port };
    running = await startEndpoints({ health: () => ({ ok: true, detail: "" }), ready: () => ({ ok: true, detail: "" }), registry: metrics.registry }, { metricsAddr: address, healthAddr: address });
    expect((await fetch(url(running.health, "/metrics"))).status).toBe(200);
    expect((await fetch(url(running.health, "/readyz"))).status).toBe(200);
  });

  it("fails to start on a port in use and leaves nothing listening", async () => {
    const metrics = createControllerMetrics({ experimentsByStage: () => ({}), queueDepth: () => 0, isLeader: () => true }, { processMetrics: false });
    const sources = { health: () => ({ ok: true, detail: "" }), ready: () => ({ ok: true, detail: "" }), registry: metrics.registry };
    running = await startEndpoints(sources, { healthAddr: loopback });
    const taken = { host: "127.0.0.1", port: running.health!.port };
    await expect(startEndpoints(sources, { metricsAddr: taken, healthAddr: loopback })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
