import { ExperimentSchema, MetricSpecSchema, type Experiment } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { experimentYaml } from "./__fixtures__/local-files";
import { DryRunMetricsSource, dryRunMock } from "./dry-run-metrics-source";

function experimentWith(objectives: string): Experiment {
  return ExperimentSchema.parse(parse(experimentYaml({ objectives })));
}

const noMock = MetricSpecSchema.parse({ urlTemplate: "http://prometheus.test/api/v1/query", jqExpression: ".x", type: "Counter" });

describe("dryRunMock", () => {
  it("keeps a Metric's own mock levels when they cover every version", () => {
    const spec = MetricSpecSchema.parse({ type: "Counter", mock: [{ name: "cart-v1", level: "3" }, { name: "cart-v2", level: "4" }] });
    expect(dryRunMock(experimentWith("    - metric: shop/latency\n      upperLimit: 100"), "shop/latency", spec)).toEqual({ mock: spec.mock, type: "Counter" });
  });

  it("puts a metric bounded by objectives inside its limits, as a Gauge", () => {
    const experiment = experimentWith(
      "    - metric: shop/latency\n      upperLimit: 100\n    - metric: shop/errors\n      upperLimit: 10m\n    - metric: shop/uptime\n      lowerLimit: 3\n    - metric: shop/score\n      lowerLimit: 2\n      upperLimit: 4",
    );
    const levels = (key: string) => dryRunMock(experiment, key, noMock);
    expect(levels("shop/latency")).toEqual({ type: "Gauge", mock: [{ name: "cart-v1", level: "50" }, { name: "cart-v2", level: "50" }] });
    expect(levels("shop/errors").mock?.[0]?.level).toBe("0.005");
    expect(levels("shop/uptime").mock?.[0]?.level).toBe("6");
    expect(levels("shop/score").mock?.[0]?.level).toBe("3");
  });

  it("makes each candidate's reward better in the preferred direction, and leaves unbounded counters counting", () => {
    const experiment = experimentWith("    - metric: shop/latency\n      upperLimit: 100");
    expect(dryRunMock(experiment, "shop/conversion", noMock)).toEqual({ type: "Counter", mock: [{ name: "cart-v1", level: "10" }, { name: "cart-v2", level: "15" }] });
  });
});

describe("DryRunMetricsSource", () => {
  it("answers every metric of status.metrics for every version, the same way for the same elapsed time", async () => {
    const experiment = experimentWith("    - metric: shop/latency\n      upperLimit: 100");
    experiment.status = {
      startTime: "2026-01-01T00:00:00Z",
      metrics: [
        { name: "shop/conversion", metricObj: { spec: noMock } },
        { name: "shop/latency", metricObj: { spec: noMock } },
      ] as never,
    };
    const source = new DryRunMetricsSource();
    const now = new Date("2026-01-01T00:01:40Z");
    const values = await source.query(experiment, { now });
    expect(Object.keys(values)).toEqual(["shop/conversion", "shop/latency"]);
    // A counter grows as elapsed seconds × level.
    expect(values["shop/conversion"]).toEqual({ "cart-v1": { value: 1000 }, "cart-v2": { value: 1500 } });
    for (const v of ["cart-v1", "cart-v2"]) expect(values["shop/latency"]?.[v]?.value).toBeLessThanOrEqual(100);
    expect(await source.query(experiment, { now })).toEqual(values);
  });
});
