import { describe, expect, it } from "vitest";
import type { BuiltinHistogram } from "./builtin-histogram";
import { mergeHistograms, readBuiltinHistograms } from "./builtin-histogram";

const first: BuiltinHistogram = {
  DurationHistogram: {
    Count: 21,
    Max: 100,
    Sum: 600.01,
    Data: [
      { Start: 10, End: 50, Count: 18 },
      { Start: 50, End: 100, Count: 3 },
    ],
  },
  RetCodes: { "200": 20, "400": 1 },
};
const second: BuiltinHistogram = {
  DurationHistogram: { Count: 23, Max: 200, Sum: 600.01, Data: [{ Start: 15, End: 26, Count: 5 }] },
  RetCodes: { "200": 10, "400": 9, "500": 2 },
};

describe("mergeHistograms", () => {
  it("adds counts, sums and response codes, keeps the larger max and concatenates buckets", () => {
    const merged = mergeHistograms(first, second);
    expect(merged.DurationHistogram.Count).toBe(44);
    expect(merged.DurationHistogram.Max).toBe(200);
    expect(merged.DurationHistogram.Sum).toBeCloseTo(1200.02, 10);
    expect(merged.DurationHistogram.Data).toEqual([...first.DurationHistogram.Data, ...second.DurationHistogram.Data]);
    expect(merged.RetCodes).toEqual({ "200": 30, "400": 10, "500": 2 });
  });

  it("adds buckets with identical bounds into one", () => {
    const merged = mergeHistograms(first, first);
    expect(merged.DurationHistogram.Data).toEqual([
      { Start: 10, End: 50, Count: 36 },
      { Start: 50, End: 100, Count: 6 },
    ]);
  });

  it("keeps the smaller Min when both runs have one", () => {
    const a = { ...first, DurationHistogram: { ...first.DurationHistogram, Min: 12 } };
    const b = { ...second, DurationHistogram: { ...second.DurationHistogram, Min: 15 } };
    expect(mergeHistograms(a, b).DurationHistogram.Min).toBe(12);
    expect(mergeHistograms(first, second).DurationHistogram.Min).toBeUndefined();
  });

  it("does not modify its inputs", () => {
    const before = structuredClone(first);
    mergeHistograms(first, first);
    expect(first).toEqual(before);
  });
});

describe("readBuiltinHistograms", () => {
  it("reads fortio-shaped JSON, ignoring extra fields", () => {
    const raw = {
      v1: {
        DurationHistogram: { Count: 2, Min: 0.1, Max: 0.3, Sum: 0.4, Avg: 0.2, Data: [{ Start: 0.1, End: 0.3, Percent: 100, Count: 2 }] },
        RetCodes: { "200": 2 },
      },
    };
    expect(readBuiltinHistograms(raw)).toEqual({
      histograms: {
        v1: {
          DurationHistogram: { Count: 2, Min: 0.1, Max: 0.3, Sum: 0.4, Data: [{ Start: 0.1, End: 0.3, Count: 2 }] },
          RetCodes: { "200": 2 },
        },
      },
      problems: [],
    });
  });

  it("skips a malformed version and names the field at fault", () => {
    const { histograms, problems } = readBuiltinHistograms({
      good: first,
      bad: { DurationHistogram: { Count: 1, Sum: 1, Max: 1, Data: [{ Start: 2, End: 1, Count: 1 }] } },
    });
    expect(Object.keys(histograms)).toEqual(["good"]);
    expect(problems).toEqual([
      "aggregatedBuiltinHists.data.bad.DurationHistogram.Data[0] needs numbers Start <= End and Count >= 0; the builtin metrics of version bad are skipped",
    ]);
  });

  it("accepts nothing at all, and rejects a non-object", () => {
    expect(readBuiltinHistograms(undefined)).toEqual({ histograms: {}, problems: [] });
    expect(readBuiltinHistograms([1, 2]).problems).toEqual(["aggregatedBuiltinHists.data is not an object keyed by version"]);
  });
});
