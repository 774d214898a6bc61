import { describe, expect, it } from "vitest";
import { emptySrmState, trackTraffic } from "./track-traffic";

const versions = ["v1", "v2"];

describe("trackTraffic", () => {
  it("attributes each period's traffic to the weights in force during it", () => {
    let state = emptySrmState(versions);
    const looks: [number[], number[]][] = [
      [[1900, 100], [95, 5]],
      [[5300, 700], [85, 15]],
      [[9500, 2500], [70, 30]],
    ];
    for (const [counts, weights] of looks) state = trackTraffic(state, versions, counts, weights, 0.001).state;
    expect(state.expected).toEqual({ v1: 9500, v2: 2500 });
    expect(state.periods).toBe(3);
  });

  it("treats a count that went down as a restarted counter", () => {
    const first = trackTraffic(emptySrmState(versions), versions, [900, 100], [90, 10], 0.001);
    const second = trackTraffic(first.state, versions, [450, 1100], [90, 10], 0.001);
    expect(second.warnings).toEqual(["request count of v1 went down (900 → 450); treating it as restarted"]);
    expect(second.state.observed).toEqual({ v1: 1350, v2: 1100 });
    expect(second.evidence.status).toBe("mismatch");
  });

  it("remembers traffic seen on a 0-weight version", () => {
    const first = trackTraffic(emptySrmState(versions), versions, [990, 10], [100, 0], 0.001);
    const second = trackTraffic(first.state, versions, [1890, 110], [90, 10], 0.001);
    expect(second.state.zeroWeightTraffic).toEqual(["v2"]);
    expect(second.evidence).toMatchObject({ status: "mismatch", reason: "traffic reached v2 while its weight was 0" });
  });

  it("leaves the accounting alone when a count is missing", () => {
    const first = trackTraffic(emptySrmState(versions), versions, [900, 100], [90, 10], 0.001);
    const second = trackTraffic(first.state, versions, [1800, null], [90, 10], 0.001);
    expect(second.state).toBe(first.state);
    expect(second.evidence.status).toBe("unavailable");
  });
});
