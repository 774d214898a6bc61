import { describe, expect, it } from "vitest";
import { formatDecimal } from "./format-decimal";

describe("formatDecimal", () => {
  it.each([
    ["1k", "1000.000"],
    ["10m", "0.010"],
    ["0.0004", "0.001"],
    ["-1.2345", "-1.234"],
    ["-0.0004", "0.000"],
    ["0", "0.000"],
    ["1Ki", "1024.000"],
    ["1e3", "1000.000"],
    ["419202728239n", "419.203"],
    ["21763900u", "21.764"],
    ["2.0005", "2.001"],
    ["-0.001", "-0.001"],
    ["5.000", "5.000"],
  ])("writes %s as %s", (input, expected) => {
    expect(formatDecimal(input)).toBe(expected);
  });

  it("accepts JSON numbers", () => {
    expect(formatDecimal(50)).toBe("50.000");
    expect(formatDecimal(0.01)).toBe("0.010");
    expect(formatDecimal(1234567.0001)).toBe("1234567.001");
  });

  it("rejects text that is not a quantity", () => {
    expect(() => formatDecimal("fast")).toThrow(/not a Kubernetes quantity/);
  });
});
