import { describe, expect, it } from "vitest";
import { formatQuantity, isQuantity, parseQuantity, quantityToNumber } from "./quantity";

describe("quantities", () => {
  it("reads numbers and suffixed strings as the API server does", () => {
    expect(quantityToNumber(50)).toBe(50);
    expect(quantityToNumber("0.01")).toBe(0.01);
    expect(quantityToNumber("10m")).toBe(0.01);
    expect(quantityToNumber("1k")).toBe(1000);
    expect(quantityToNumber("1Ki")).toBe(1024);
    expect(quantityToNumber("419202728239n")).toBeCloseTo(419.202728239, 9);
    expect(quantityToNumber("1e3")).toBe(1000);
    expect(quantityToNumber("-1.5")).toBe(-1.5);
  });

  it("writes canonical forms, rounding up to a whole nano-unit", () => {
    expect(formatQuantity("419.2027282381035")).toBe("419202728239n");
    expect(formatQuantity(419.2027282381035)).toBe("419202728239n");
    expect(formatQuantity("21.7639")).toBe("21763900u");
    expect(formatQuantity(21.7639)).toBe("21763900u");
    expect(formatQuantity("0.001")).toBe("1m");
    expect(formatQuantity("40.0")).toBe("40");
    expect(formatQuantity(1000)).toBe("1k");
    expect(formatQuantity(1500)).toBe("1500");
    expect(formatQuantity(0.1)).toBe("100m");
    expect(formatQuantity(0)).toBe("0");
    expect(formatQuantity("2048Ki")).toBe("2Mi");
    expect(formatQuantity("1536")).toBe("1536");
    expect(formatQuantity("1e3")).toBe("1e3");
    expect(formatQuantity(-0.0015)).toBe("-1500u");
  });

  it("rejects text that is not a quantity", () => {
    expect(isQuantity("ten")).toBe(false);
    expect(isQuantity("1.2.3")).toBe(false);
    expect(isQuantity(Number.NaN)).toBe(false);
    expect(() => parseQuantity("5 ms")).toThrow(/not a Kubernetes quantity/);
  });
});
