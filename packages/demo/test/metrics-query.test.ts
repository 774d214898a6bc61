// The samples' Metric documents, run through @iter8ts/metrics' real REST provider and jq
// against the demo's metrics API, must read exactly what the router recorded.
import { afterEach, describe, expect, it } from "vitest";
import { queryMetrics } from "@iter8ts/metrics";
import { startLiveSample, type LiveSample } from "./live-sample";

let live: LiveSample | undefined;
afterEach(async () => {
  await live?.run.close({ removeWorkdir: true });
  live = undefined;
});

describe("the samples' metrics against the metrics API", () => {
  it("read every metric of every version as the telemetry has it", async () => {
    live = await startLiveSample("statistics", 100);
    await expect.poll(() => Math.min(live!.served("sample-app-v1"), live!.served("sample-app-v2")), { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(40);
    await live.run.stopTraffic();

    const { values, errors } = await queryMetrics(live.experiment, live.metrics);
    expect(errors.map((e) => e.message)).toEqual([]);
    const telemetry = live.run.backends.telemetry;
    for (const version of ["sample-app-v1", "sample-app-v2"]) {
      const s = telemetry.summary(version);
      const value = (metric: string) => values[`demo/${metric}`]?.[version]?.value;
      expect(value("request-count")).toBe(s.requests);
      expect(value("error-count")).toBe(s.errors);
      expect(value("error-rate")).toBeCloseTo(s.errorRate!, 12);
      expect(value("mean-latency")).toBeCloseTo(s.meanLatencyMs!, 9);
      expect(value("latency-stddev")).toBeCloseTo(s.latencyStddevMs!, 9);
      expect(value("latency-95th-percentile")).toBeCloseTo(telemetry.latencyQuantile(version, 0.95)!, 9);
      expect(value("user-engagement")).toBeCloseTo(s.meanEngagement!, 9);
      expect(value("user-engagement-stddev")).toBeCloseTo(s.engagementStddev!, 9);
      // sampleSize: request-count is carried onto the gauges that name it.
      expect(values["demo/mean-latency"]?.[version]?.sampleSize).toBe(s.requests);
    }
    expect(values["demo/user-engagement"]!["sample-app-v2"]!.value!).toBeGreaterThan(values["demo/user-engagement"]!["sample-app-v1"]!.value!);
  });

  it("report a version without traffic as 0 requests and no value for the rest, naming metric and version", async () => {
    live = await startLiveSample("ab-progressive", 100);
    await expect.poll(() => live!.served("sample-app-v1"), { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(20);
    const { values, errors } = await queryMetrics(live.experiment, live.metrics);
    expect(values["demo/request-count"]!["sample-app-v2"]!.value).toBe(0);
    expect(values["demo/error-count"]!["sample-app-v2"]!.value).toBe(0);
    expect(values["demo/mean-latency"]!["sample-app-v2"]!.value).toBeNull();
    const failed = errors.map((e) => `${e.metric} ${e.version}`).sort();
    expect(failed).toEqual(["demo/error-rate sample-app-v2", "demo/latency-95th-percentile sample-app-v2", "demo/mean-latency sample-app-v2", "demo/user-engagement sample-app-v2"]);
    expect(values["demo/mean-latency"]!["sample-app-v1"]!.value).toBeGreaterThan(0);
  });
});
