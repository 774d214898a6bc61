import { describe, expect, it } from "vitest";
import { quantileOfSorted, Telemetry } from "./telemetry";

describe("quantileOfSorted", () => {
  it("interpolates between the closest ranks", () => {
    const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantileOfSorted(oneToHundred, 0.95)).toBeCloseTo(95.05, 10);
    expect(quantileOfSorted(oneToHundred, 0.5)).toBeCloseTo(50.5, 10);
    expect(quantileOfSorted([7], 0.99)).toBe(7);
    expect(quantileOfSorted([], 0.5)).toBeNull();
  });
});

describe("Telemetry", () => {
  it("summarises a version's requests: counts, error rate, means and sample spreads", () => {
    const telemetry = new Telemetry({ now: () => 10_000 });
    telemetry.record({ version: "v1", status: 200, latencyMs: 10, engagement: 30 });
    telemetry.record({ version: "v1", status: 500, latencyMs: 20, engagement: 0 });
    telemetry.record({ version: "v1", status: 502, latencyMs: 30, engagement: 0 });
    telemetry.record({ version: "v1", status: 404, latencyMs: 40, engagement: 10 });
    telemetry.record({ version: "v2", status: 200, latencyMs: 5, engagement: 50 });
    const v1 = telemetry.summary("v1");
    expect(v1).toMatchObject({ requests: 4, errors: 2, errorRate: 0.5, meanLatencyMs: 25, meanEngagement: 10 });
    expect(v1.latencyStddevMs).toBeCloseTo(Math.sqrt(500 / 3), 10);
    expect(v1.engagementStddev).toBeCloseTo(Math.sqrt(600 / 3), 10);
    expect(telemetry.summary("v2")).toMatchObject({ requests: 1, errors: 0, latencyStddevMs: null, engagementStddev: null });
    expect(telemetry.versions()).toEqual(["v1", "v2"]);
  });

  it("answers nothing but zero counts for a version without requests", () => {
    const telemetry = new Telemetry();
    expect(telemetry.summary("ghost")).toEqual({
      requests: 0,
      errors: 0,
      errorRate: null,
      meanLatencyMs: null,
      latencyStddevMs: null,
      meanEngagement: null,
      engagementStddev: null,
    });
    expect(telemetry.latencyQuantile("ghost", 0.95)).toBeNull();
  });

  it("limits a query to the window ending now", () => {
    let now = 0;
    const telemetry = new Telemetry({ now: () => now });
    for (let s = 0; s < 10; s++) {
      now = s * 1000;
      telemetry.record({ version: "v1", status: 200, latencyMs: s, engagement: 1 });
    }
    now = 9500;
    expect(telemetry.summary("v1", 3).requests).toBe(3);
    expect(telemetry.summary("v1", 3).meanLatencyMs).toBe(8);
    expect(telemetry.latencyQuantile("v1", 1, 3)).toBe(9);
    expect(telemetry.summary("v1").requests).toBe(10);
  });

  it("keeps at most maxRecords, dropping the oldest", () => {
    const telemetry = new Telemetry({ maxRecords: 3 });
    for (let i = 0; i < 5; i++) telemetry.record({ version: "v1", status: 200, latencyMs: i, engagement: 0 });
    expect(telemetry.select("v1").map((r) => r.latencyMs)).toEqual([2, 3, 4]);
  });
});
