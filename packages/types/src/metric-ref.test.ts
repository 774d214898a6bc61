import { describe, expect, it } from "vitest";
import { isWellFormedRef, normalizeMetricRef, parseMetricRef, sameMetricRef } from "./metric-ref";

describe("metric references", () => {
  it("qualifies an unqualified name with the experiment's namespace", () => {
    expect(parseMetricRef("mean-latency", "bookinfo")).toEqual({ namespace: "bookinfo", name: "mean-latency" });
    expect(normalizeMetricRef("mean-latency", "bookinfo")).toBe("bookinfo/mean-latency");
  });

  it("keeps a qualified reference as written", () => {
    expect(parseMetricRef("iter8-system/request-count", "bookinfo")).toEqual({ namespace: "iter8-system", name: "request-count" });
    expect(normalizeMetricRef(" iter8-system/request-count ", "x")).toBe("iter8-system/request-count");
  });

  it("matches an unqualified and a qualified reference to the same metric", () => {
    expect(sameMetricRef("mean-latency", "default/mean-latency", "default")).toBe(true);
    expect(sameMetricRef("mean-latency", "other/mean-latency", "default")).toBe(false);
    expect(sameMetricRef("a/m", "b/m", "a")).toBe(false);
  });

  it.each(["request-count", "iter8-istio/request-count", "95th-percentile-tail-latency", "ns/metric.v2"])("accepts %j", (ref) => {
    expect(isWellFormedRef(ref)).toBe(true);
  });

  it.each(["", "/name", "ns/", "a/b/c", "Mean-Latency", "ns.with.dots/name", "name_with_underscore", "-leading", `${"x".repeat(64)}/m`])(
    "rejects %j",
    (ref) => {
      expect(isWellFormedRef(ref)).toBe(false);
    },
  );
});
