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

  it("treats a count that fell far as a restarted counter", () => {
    const first = trackTraffic(emptySrmState(versions), versions, [900, 100], [90, 10], 0.001);
    const second = trackTraffic(first.state, versions, [300, 1100], [90, 10], 0.001);
    expect(second.warnings).toEqual(["request count of v1 went down (900 → 300); treating it as restarted"]);
    expect(second.state.observed).toEqual({ v1: 1200, v2: 1100 });
    expect(second.evidence.status).toBe("mismatch");
  });

  it("takes a small dip as a sliding query window, not as new traffic", () => {
    const first = trackTraffic(emptySrmState(versions), versions, [900, 100], [90, 10], 0.001);
    const dipped = trackTraffic(first.state, versions, [899, 100], [90, 10], 0.001);
    expect(dipped.warnings).toEqual([]);
    expect(dipped.state.observed).toEqual({ v1: 900, v2: 100 });
    expect(dipped.state.lastCounts).toEqual({ v1: 900, v2: 100 });
    const climbed = trackTraffic(dipped.state, versions, [1800, 200], [90, 10], 0.001);
    expect(climbed.state.observed).toEqual({ v1: 1800, v2: 200 });
    expect(climbed.evidence.status).toBe("ok");
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
