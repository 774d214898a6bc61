import { describe, expect, it } from "vitest";
import { makeExperiment } from "./__fixtures__/experiment";
import { DEFAULT_PROVENANCE, elapsedSeconds, resolveAnalyzeOptions } from "./analyze-options";

describe("resolveAnalyzeOptions", () => {
  it("takes now as a Date, a string or milliseconds", () => {
    const exp = makeExperiment();
    for (const now of [new Date("2024-02-03T04:05:06Z"), "2024-02-03T04:05:06Z", Date.UTC(2024, 1, 3, 4, 5, 6)]) {
      expect(resolveAnalyzeOptions(exp, { now }).timestamp).toBe("2024-02-03T04:05:06.000Z");
    }
  });

  it("falls back to the latest time the status records, then to the epoch", () => {
    const status = { initTime: "2024-01-01T00:00:00Z", startTime: "2024-01-01T00:01:00Z", lastUpdateTime: "2024-01-01T00:02:00Z" };
    expect(resolveAnalyzeOptions(makeExperiment({ status })).timestamp).toBe("2024-01-01T00:02:00.000Z");
    expect(resolveAnalyzeOptions(makeExperiment({ status: { initTime: status.initTime } })).timestamp).toBe("2024-01-01T00:00:00.000Z");
    expect(resolveAnalyzeOptions(makeExperiment(), { now: "not a time" })).toEqual({
      timestamp: "1970-01-01T00:00:00.000Z",
      nowMs: 0,
      provenance: DEFAULT_PROVENANCE,
    });
  });
});

describe("elapsedSeconds", () => {
  const exp = makeExperiment({ status: { startTime: "2024-01-01T00:00:00Z" } });
  const at = (iso: string) => Date.parse(iso);

  it("counts whole seconds since the start", () => {
    expect(elapsedSeconds(exp, at("2024-01-01T00:00:42.999Z"))).toBe(42);
  });

  it("is at least one, also for a start in the future or no start at all", () => {
    expect(elapsedSeconds(exp, at("2024-01-01T00:00:00.500Z"))).toBe(1);
    expect(elapsedSeconds(exp, at("2023-12-31T00:00:00Z"))).toBe(1);
    expect(elapsedSeconds(makeExperiment(), at("2024-01-01T00:00:42Z"))).toBe(1);
  });
});
