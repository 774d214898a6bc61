import { describe, expect, it } from "vitest";
import { formatNumber } from "./format-number";

describe("formatNumber", () => {
  it.each([
    [250, "250"],
    [0.1 + 0.2, "0.3"],
    [1234.5678, "1234.57"],
    [0.046640000001, "0.04664"],
    [99999.96, "100000"],
    [9.9999996, "10"],
    [1234567.891, "1234567.9"],
    [-0.00656, "-0.00656"],
    [0.0000123, "1.23e-5"],
    [0.00001, "1e-5"],
    [Number.NaN, "—"],
    [Number.POSITIVE_INFINITY, "—"],
  ])("%s reads %s", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});
