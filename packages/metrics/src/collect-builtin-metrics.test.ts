import { builtinMetricsFromHistograms, BuiltinMetric } from "@iter8ts/analytics";
import { describe, expect, it } from "vitest";
import { startServer } from "../test/loopback-server";
import { aggregateBuiltinHistograms, collectBuiltinMetrics, CollectError, resolveCollectInputs } from "./collect-builtin-metrics";

describe("resolveCollectInputs", () => {
  it("applies Iter8's defaults: 100 queries unless a time is given, 8 qps, 4 connections", () => {
    const versions = [{ name: "v1", url: "http://v1.example" }];
    expect(resolveCollectInputs({ versions })).toMatchObject({ numQueries: 100, durationMs: undefined, qps: 8, connections: 4, loadOnly: false });
    expect(resolveCollectInputs({ versions, time: "1m30s" })).toMatchObject({ numQueries: undefined, durationMs: 90_000 });
    expect(resolveCollectInputs({ versions, time: "10s", numQueries: 50, qps: 2.5, connections: 1, loadOnly: true })).toMatchObject({
      numQueries: 50,
      durationMs: 10_000,
      qps: 2.5,
      connections: 1,
      loadOnly: true,
    });
  });

  it("names the input at fault", () => {
    const versions = [{ name: "v1", url: "http://v1.example" }];
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CollectError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(message(() => resolveCollectInputs({ versions: [] }))).toContain("versions");
    expect(message(() => resolveCollectInputs({ versions: [{ name: "v1", url: "v1:8080" }] }))).toContain("versions[0].url");
    expect(message(() => resolveCollectInputs({ versions, time: "ten seconds" }))).toContain("time");
    expect(message(() => resolveCollectInputs({ versions, connections: 0 }))).toContain("connections");
    expect(message(() => resolveCollectInputs({ versions, numQueries: 2.5 }))).toContain("numQueries");
  });
});

describe("collectBuiltinMetrics", () => {
  it("loads each version and returns histograms that give the builtin metrics", async () => {
    const fast = await startServer(() => ({ status: 200, delayMs: 1 }));
    const slow = await startServer((_req, i) => ({ status: i % 4 === 0 ? 503 : 200, delayMs: 20 }));
    try {
      const r = await collectBuiltinMetrics({
        versions: [
          { name: "v1", url: fast.url },
          { name: "v2", url: slow.url },
        ],
        numQueries: 20,
        qps: 0,
        connections: 2,
      });
      expect(Object.keys(r.histograms)).toEqual(["v1", "v2"]);
      const metrics = builtinMetricsFromHistograms(r.histograms);
      expect(metrics[BuiltinMetric.RequestCount]).toEqual({ v1: { value: 20 }, v2: { value: 20 } });
      expect(metrics[BuiltinMetric.ErrorCount]?.v2?.value).toBe(5);
      expect(metrics[BuiltinMetric.ErrorRate]?.v2?.value).toBeCloseTo(0.25, 12);
      const mean1 = metrics[BuiltinMetric.MeanLatency]!.v1!.value!;
      const mean2 = metrics[BuiltinMetric.MeanLatency]!.v2!.value!;
      expect(mean2).toBeGreaterThanOrEqual(15);
      expect(mean2).toBeGreaterThan(mean1);
      const p95 = metrics[BuiltinMetric.Latency95]!.v2!.value!;
      expect(p95).toBeGreaterThanOrEqual(15);
      expect(p95).toBeLessThanOrEqual(r.runs.v2!.DurationHistogram.Max * 1000);
    } finally {
      await fast.close();
      await slow.close();
    }
  });

  it("downloads payloadURL once and sends it to every version; loadOnly records nothing", async () => {
    const payloadServer = await startServer(() => ({ body: { instances: [[1, 2]] } }));
    const app = await startServer(() => ({ status: 200 }));
    try {
      const r = await collectBuiltinMetrics({
        versions: [{ name: "v1", url: app.url }],
        payloadURL: `${payloadServer.url}/input.json`,
        contentType: "application/json",
        numQueries: 3,
        qps: 0,
        loadOnly: true,
      });
      expect(r.histograms).toEqual({});
      expect(r.runs.v1!.DurationHistogram.Count).toBe(3);
      expect(payloadServer.requests).toHaveLength(1);
      expect(app.requests.map((q) => JSON.parse(q.body))).toEqual(Array(3).fill({ instances: [[1, 2]] }));
    } finally {
      await payloadServer.close();
      await app.close();
    }
  });

  it("fails with payload_unavailable when the payload cannot be downloaded", async () => {
    const payloadServer = await startServer(() => ({ status: 404 }));
    try {
      await expect(
        collectBuiltinMetrics({ versions: [{ name: "v1", url: "http://127.0.0.1:9" }], payloadURL: `${payloadServer.url}/missing` }),
      ).rejects.toMatchObject({ name: "CollectError", code: "payload_unavailable" });
    } finally {
      await payloadServer.close();
    }
  });
});

describe("aggregateBuiltinHistograms", () => {
  it("adds a new run to the stored histograms version by version", () => {
    const previous = {
      v1: { DurationHistogram: { Count: 10, Max: 0.2, Sum: 1, Data: [{ Start: 0.05, End: 0.2, Count: 10 }] }, RetCodes: { "200": 9, "500": 1 } },
      v2: { DurationHistogram: { Count: 4, Max: 0.1, Sum: 0.2, Data: [{ Start: 0.04, End: 0.1, Count: 4 }] }, RetCodes: { "200": 4 } },
    };
    const fresh = {
      v1: { DurationHistogram: { Count: 6, Max: 0.3, Sum: 0.9, Data: [{ Start: 0.1, End: 0.3, Count: 6 }] }, RetCodes: { "200": 5, "503": 1 } },
      v3: { DurationHistogram: { Count: 1, Max: 0.01, Sum: 0.01, Data: [{ Start: 0.01, End: 0.01, Count: 1 }] }, RetCodes: { "200": 1 } },
    };
    const { histograms, problems } = aggregateBuiltinHistograms(previous, fresh);
    expect(problems).toEqual([]);
    expect(histograms.v1!.DurationHistogram).toMatchObject({ Count: 16, Max: 0.3, Sum: 1.9 });
    expect(histograms.v1!.DurationHistogram.Data).toHaveLength(2);
    expect(histograms.v1!.RetCodes).toEqual({ "200": 14, "500": 1, "503": 1 });
    expect(histograms.v2).toEqual(previous.v2);
    expect(histograms.v3).toEqual(fresh.v3);
  });

  it("starts from the new run when the stored data is unusable, and says why", () => {
    const fresh = { v1: { DurationHistogram: { Count: 1, Max: 0.01, Sum: 0.01, Data: [] }, RetCodes: {} } };
    const { histograms, problems } = aggregateBuiltinHistograms({ v1: "garbage" }, fresh);
    expect(histograms).toEqual(fresh);
    expect(problems).toHaveLength(1);
  });
});
