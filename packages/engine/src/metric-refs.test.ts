import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { criteriaMetricKeys } from "./metric-refs";

describe("criteriaMetricKeys", () => {
  it("lists request count, rewards, indicators and objectives in that order, once each, qualified", () => {
    const experiment: Pick<Experiment, "spec" | "metadata"> = {
      metadata: { name: "e", namespace: "shop" },
      spec: {
        target: "app",
        strategy: { testingPattern: "A/B" },
        criteria: {
          requestCount: "iter8-system/request-count",
          rewards: [{ metric: "conversions", preferredDirection: "High" }],
          indicators: ["shop/latency-p99", "iter8-system/request-count"],
          objectives: [{ metric: "latency-p99", upperLimit: 200 }, { metric: "other/error-rate" }],
        },
      },
    };
    expect(criteriaMetricKeys(experiment)).toEqual([
      "iter8-system/request-count",
      "shop/conversions",
      "shop/latency-p99",
      "other/error-rate",
    ]);
  });

  it("is empty without criteria", () => {
    expect(criteriaMetricKeys({ metadata: {}, spec: { target: "t", strategy: { testingPattern: "Conformance" } } })).toEqual([]);
  });
});
