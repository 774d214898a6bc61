import { describe, expect, it } from "vitest";
import { formatQuantity, isQuantity, numberToQuantity, parseQuantity, QuantityError, quantityToNumber } from "./quantity";

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

describe("quantity edge cases", () => {
  it("keeps exact nano-unit values where floating point would drift", () => {
    expect(parseQuantity("0.1").nanos + parseQuantity("0.2").nanos).toBe(parseQuantity("0.3").nanos);
    expect(parseQuantity("123456789.123456789").nanos).toBe(123456789123456789n);
    expect(parseQuantity("1n").nanos).toBe(1n);
    expect(parseQuantity("1E").nanos).toBe(10n ** 27n);
  });

  it("rounds toward +∞ below a nano-unit, for negative values too", () => {
    expect(parseQuantity("0.0000000001").nanos).toBe(1n);
    expect(parseQuantity("-0.0000000001").nanos).toBe(0n);
    expect(parseQuantity("-1.0000000019").nanos).toBe(-1000000001n);
  });

  it("records the format a quantity was written in", () => {
    expect(parseQuantity("5Gi").format).toBe("BinarySI");
    expect(parseQuantity("5G").format).toBe("DecimalSI");
    expect(parseQuantity("5e2").format).toBe("DecimalExponent");
    expect(parseQuantity(5).format).toBe("DecimalSI");
  });

  it.each(["+5", ".5", "5.", "1.5Mi", "-2e-3", "1e3"])("accepts %j", (text) => {
    expect(isQuantity(text)).toBe(true);
  });

  it.each(["", "-", " 7 ", "5 m", "5mi", "1KI", "e3", "0x10", "1,5", "5%", "Infinity"])("rejects %j", (text) => {
    expect(isQuantity(text)).toBe(false);
  });

  it("rejects values that are neither numbers nor strings", () => {
    expect(isQuantity(null)).toBe(false);
    expect(isQuantity(true)).toBe(false);
    expect(isQuantity(Number.POSITIVE_INFINITY)).toBe(false);
    expect(() => parseQuantity(Number.NaN)).toThrow(QuantityError);
  });

  it("formats binary values that are not whole multiples of 1024 in decimal", () => {
    expect(formatQuantity("1.5Ki")).toBe("1536");
    expect(formatQuantity("3Gi")).toBe("3Gi");
    expect(formatQuantity("0.5Ki")).toBe("512");
  });

  it("converts numbers to the canonical quantity the API server would store", () => {
    expect(numberToQuantity(0.001)).toBe("1m");
    expect(numberToQuantity(2.5e-7)).toBe("250n");
    expect(numberToQuantity(1e21)).toBe("1000E");
    expect(quantityToNumber(numberToQuantity(228.42))).toBe(228.42);
  });

  it("names the bad input and the fix in its error", () => {
    const error = (() => {
      try {
        parseQuantity("fast");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(QuantityError);
    expect(error).toMatchObject({ name: "QuantityError", code: "invalid_quantity", input: "fast" });
    expect((error as Error).message).toBe('"fast" is not a Kubernetes quantity; write a number such as 50, "0.01", "250m", "1k" or "1Ki"');
  });
});

describe("quantities beyond a JavaScript number", () => {
  it("rejects quantities too large to be a finite number, quoted or not", () => {
    for (const input of ["1e309", "-1e309", "2e308", "1".repeat(300) + "000000000E", "1e400", "9".repeat(310), "1e99999999"]) {
      expect(isQuantity(input), input.slice(0, 20)).toBe(false);
      expect(() => parseQuantity(input)).toThrow(/is not a finite quantity/);
    }
    expect(() => quantityToNumber("1e309")).toThrow(QuantityError);
  });

  it("keeps the largest finite values and the smallest ones", () => {
    expect(quantityToNumber("1e308")).toBe(1e308);
    expect(quantityToNumber("1.7976931348623157e308")).toBe(Number.MAX_VALUE);
    expect(parseQuantity("1e-99999999").nanos).toBe(1n);
    expect(parseQuantity("-1e-99999999").nanos).toBe(0n);
  });

  it("names a non-finite number as JavaScript spells it, not as null", () => {
    expect(() => parseQuantity(Number.NaN)).toThrow(/^NaN is not a finite quantity/);
    expect(() => parseQuantity(Number.NEGATIVE_INFINITY)).toThrow(/^-Infinity is not a finite quantity/);
    expect(() => parseQuantity(Number.NaN)).toThrow(expect.objectContaining({ code: "non_finite_quantity" }));
  });
});
