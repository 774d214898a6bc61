import { describe, expect, it } from "vitest";
import type { BuiltinHistogram } from "../builtin-histogram";
import { countAbove, histogramStandardDeviation } from "./observe-metrics";

const histogram = (data: { Start: number; End: number; Count: number }[], sum: number): BuiltinHistogram => ({
  DurationHistogram: { Count: data.reduce((s, b) => s + b.Count, 0), Max: Math.max(...data.map((b) => b.End)), Sum: sum, Data: data },
  RetCodes: {},
});

describe("countAbove", () => {
  it("counts whole buckets beyond the limit and the uniform share of the bucket holding it", () => {
    const h = histogram(
      [
        { Start: 0, End: 0.1, Count: 60 },
        { Start: 0.1, End: 0.3, Count: 30 },
        { Start: 0.3, End: 0.5, Count: 10 },
      ],
      12,
    );
    expect(countAbove(h, 0.2)).toBeCloseTo(15 + 10, 12);
    expect(countAbove(h, 0.3)).toBe(10);
    expect(countAbove(h, 0.5)).toBe(0);
    expect(countAbove(h, 0)).toBe(100);
  });

  it("does not count a zero-width bucket sitting exactly at the limit", () => {
    const h = histogram(
      [
        { Start: 0.1, End: 0.1, Count: 5 },
        { Start: 0.2, End: 0.2, Count: 7 },
      ],
      1.9,
    );
    expect(countAbove(h, 0.1)).toBe(7);
  });
});

describe("histogramStandardDeviation", () => {
  it("treats each bucket as uniform", () => {
    // All 10 requests uniform in [0, 1]: variance 1/12 (times n/(n−1) for the sample variance).
    const sd = histogramStandardDeviation(histogram([{ Start: 0, End: 1, Count: 10 }], 5));
    expect(sd).toBeCloseTo(Math.sqrt((1 / 12) * (10 / 9)), 12);
  });

  it("has none for fewer than two requests or no spread", () => {
    expect(histogramStandardDeviation(histogram([{ Start: 0, End: 1, Count: 1 }], 0.5))).toBeUndefined();
    expect(histogramStandardDeviation(histogram([{ Start: 0.2, End: 0.2, Count: 4 }], 0.8))).toBeUndefined();
  });
});
