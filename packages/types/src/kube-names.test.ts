import { describe, expect, it } from "vitest";
import { isDnsLabel, isDnsSubdomain } from "./kube-names";

describe("Kubernetes names", () => {
  it("accepts DNS-1123 labels for namespaces", () => {
    expect(isDnsLabel("iter8-system")).toBe(true);
    expect(isDnsLabel("a".repeat(63))).toBe(true);
    expect(isDnsLabel("a".repeat(64))).toBe(false);
    expect(isDnsLabel("with.dot")).toBe(false);
    expect(isDnsLabel("Upper")).toBe(false);
    expect(isDnsLabel("trailing-")).toBe(false);
  });

  it("accepts DNS-1123 subdomains for object names", () => {
    expect(isDnsSubdomain("quickstart-exp")).toBe(true);
    expect(isDnsSubdomain("metric.v2")).toBe(true);
    expect(isDnsSubdomain("95th-percentile-tail-latency")).toBe(true);
    expect(isDnsSubdomain("")).toBe(false);
    expect(isDnsSubdomain("double..dot")).toBe(false);
    expect(isDnsSubdomain("a_b")).toBe(false);
    expect(isDnsSubdomain(`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}`)).toBe(false);
  });
});
