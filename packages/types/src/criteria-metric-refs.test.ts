import { describe, expect, it } from "vitest";
import { criteriaMetricRefs } from "./criteria-metric-refs";

describe("criteriaMetricRefs", () => {
  it("lists every metric of the criteria with its field, request count first", () => {
    const refs = criteriaMetricRefs({
      requestCount: "iter8-system/request-count",
      rewards: [{ metric: "conversions", preferredDirection: "High" }],
      indicators: ["latency-p50"],
      objectives: [{ metric: "error-rate", upperLimit: "0.01" }],
    } as Parameters<typeof criteriaMetricRefs>[0]);
    expect(refs.map((r) => [r.metric, r.field])).toEqual([
      ["iter8-system/request-count", "spec.criteria.requestCount"],
      ["conversions", "spec.criteria.rewards[0].metric"],
      ["latency-p50", "spec.criteria.indicators[0]"],
      ["error-rate", "spec.criteria.objectives[0].metric"],
    ]);
    expect(refs[3]?.path).toEqual(["spec", "criteria", "objectives", 0, "metric"]);
  });

  it("is empty without criteria, and an empty requestCount is no reference", () => {
    expect(criteriaMetricRefs(undefined)).toEqual([]);
    expect(criteriaMetricRefs({ requestCount: "" })).toEqual([]);
  });
});
