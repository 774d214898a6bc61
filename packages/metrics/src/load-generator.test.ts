import { describe, expect, it } from "vitest";
import { startServer } from "../test/loopback-server";
import { generateLoad } from "./load-generator";

describe("generateLoad", () => {
  it("sends exactly numQueries requests and records every latency and response code", async () => {
    const server = await startServer((_req, i) => ({ status: i % 10 === 9 ? 500 : 200, body: "ok", delayMs: 2 }));
    try {
      const r = await generateLoad({ url: `${server.url}/predict`, qps: 0, connections: 3, numQueries: 40 });
      expect(server.requests).toHaveLength(40);
      expect(r.RetCodes).toEqual({ "200": 36, "500": 4 });
      const h = r.DurationHistogram;
      expect(h.Count).toBe(40);
      expect(h.Data.reduce((s, b) => s + b.Count, 0)).toBe(40);
      expect(h.Data.reduce((s, b) => s + b.Percent, 0)).toBeCloseTo(100, 9);
      expect(h.Min).toBeGreaterThan(0);
      expect(h.Avg).toBeGreaterThanOrEqual(h.Min);
      expect(h.Max).toBeGreaterThanOrEqual(h.Avg);
      expect(h.Sum / h.Count).toBeCloseTo(h.Avg, 12);
      for (const b of h.Data) {
        expect(b.Start).toBeGreaterThanOrEqual(h.Min);
        expect(b.End).toBeLessThanOrEqual(h.Max);
        expect(b.Start).toBeLessThanOrEqual(b.End);
      }
      // Never more requests in flight than connections.
      expect(server.maxInFlight).toBeLessThanOrEqual(3);
    } finally {
      await server.close();
    }
  });

  it("sends the payload as a POST with its content type and the version's headers", async () => {
    const server = await startServer(() => ({ body: { prediction: 1 } }));
    try {
      await generateLoad({
        url: `${server.url}/v1/models/iris:predict`,
        payload: '{"instances": [[6.8, 2.8, 4.8, 1.4]]}',
        contentType: "application/json",
        headers: { Host: "iris.example.com", "X-Canary": "true" },
        qps: 0,
        connections: 2,
        numQueries: 4,
      });
      expect(server.requests).toHaveLength(4);
      for (const q of server.requests) {
        expect(q.method).toBe("POST");
        expect(q.path).toBe("/v1/models/iris:predict");
        expect(q.headers["content-type"]).toBe("application/json");
        expect(q.headers.host).toBe("iris.example.com");
        expect(q.headers["x-canary"]).toBe("true");
        expect(JSON.parse(q.body)).toEqual({ instances: [[6.8, 2.8, 4.8, 1.4]] });
      }
    } finally {
      await server.close();
    }
  });

  it("with ignoreInitialErrors, leaves out the failures of a cold version before its first success", async () => {
    const server = await startServer((_req, i) => (i < 5 ? { status: 503 } : i === 12 ? { status: 500 } : { status: 200 }));
    try {
      const cold = await generateLoad({ url: server.url, qps: 0, connections: 1, numQueries: 20, ignoreInitialErrors: true });
      expect(cold.WarmupErrors).toBe(5);
      expect(cold.RetCodes).toEqual({ "200": 14, "500": 1 });
      expect(cold.DurationHistogram.Count).toBe(15);
    } finally {
      await server.close();
    }
  });

  it("counts warm-up failures after all when the version never answers successfully", async () => {
    const server = await startServer(() => ({ status: 503 }));
    try {
      const r = await generateLoad({ url: server.url, qps: 0, connections: 2, numQueries: 6, ignoreInitialErrors: true });
      expect(r.RetCodes).toEqual({ "503": 6 });
      expect(r.WarmupErrors).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("counts requests that get no response under code -1", async () => {
    const server = await startServer(() => ({}));
    const url = server.url;
    await server.close();
    const r = await generateLoad({ url, qps: 0, connections: 2, numQueries: 5 });
    expect(r.RetCodes).toEqual({ "-1": 5 });
    expect(r.DurationHistogram.Count).toBe(5);
  });

  it("paces requests: the k-th request is not scheduled before k/qps seconds, so a short run sends few", async () => {
    const server = await startServer(() => ({ status: 200 }));
    try {
      const r = await generateLoad({ url: server.url, qps: 20, connections: 4, durationMs: 300 });
      // Requests are scheduled at 0, 50, ..., 250 ms: at most 6 fit in 300 ms.
      expect(server.requests.length).toBeGreaterThanOrEqual(1);
      expect(server.requests.length).toBeLessThanOrEqual(6);
      expect(r.DurationHistogram.Count).toBe(server.requests.length);
    } finally {
      await server.close();
    }
  });

  it("refuses a run with neither a request count nor a duration", async () => {
    await expect(generateLoad({ url: "http://127.0.0.1:9", qps: 1, connections: 1 })).rejects.toThrow(/numQueries or a duration/);
  });
});
