import { describe, expect, it } from "vitest";
import { makeExperiment } from "./__fixtures__/experiment";
import { mockMetricValue, mockSeed } from "./mock-metric-value";

const gauge = { type: "Gauge" as const, mock: [{ name: "v1", level: "15.0" }, { name: "v2", level: 20 }] };
const counter = { type: "Counter" as const, mock: [{ name: "v1", level: "1.5" }] };

describe("mockMetricValue", () => {
  it("grows a Counter as elapsed seconds × level", () => {
    expect(mockMetricValue(counter, "v1", 40)).toEqual({ value: 60 });
    expect(mockMetricValue(counter, "v1", 40.9)).toEqual({ value: 60 });
  });

  it("counts less than one second as one", () => {
    expect(mockMetricValue(counter, "v1", 0)).toEqual({ value: 1.5 });
    expect(mockMetricValue(counter, "v1", -5)).toEqual({ value: 1.5 });
  });

  it("gives the same Gauge value for the same seed, version and elapsed time", () => {
    const seed = mockSeed(makeExperiment(), "default/mean-latency");
    const a = mockMetricValue(gauge, "v1", 30, seed);
    expect(mockMetricValue(gauge, "v1", 30, seed)).toEqual(a);
    expect(mockMetricValue(gauge, "v1", 31, seed)).not.toEqual(a);
    expect(mockMetricValue(gauge, "v1", 30, `${seed}x`)).not.toEqual(a);
    expect(a.value).toBeGreaterThan(0);
    expect(a.value).toBeLessThan(30);
  });

  it("centres a Gauge on its level, with a spread that shrinks as the experiment runs", () => {
    const draws = (elapsed: number) =>
      Array.from({ length: 400 }, (_, i) => mockMetricValue(gauge, "v2", elapsed, `run-${i}`).value as number);
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    const early = draws(2);
    const late = draws(2000);
    expect(late.reduce((s, x) => s + x, 0) / late.length).toBeCloseTo(20, 0);
    expect(spread(late)).toBeLessThan(spread(early) / 5);
  });

  it("reports a version without a level instead of inventing a value", () => {
    expect(mockMetricValue(counter, "v9", 10)).toEqual({
      value: null,
      error: "mock metric has no level for version v9; add {name: v9, level: <number>} to spec.mock",
    });
  });
});

describe("mockSeed", () => {
  it("names the experiment and the metric", () => {
    expect(mockSeed(makeExperiment({ name: "checkout", namespace: "shop" }), "shop/latency")).toBe("shop/checkout|shop/latency");
  });
});
