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

  it("splits srmThreshold over the planned looks, so repeated checks keep the false-alarm rate", () => {
    // 5,300 / 4,700 at 50/50: chi-square 36 on 1 dof, p ≈ 2e-9 — and 5,120 / 4,880: p ≈ 0.0164.
    // 5,175 / 4,825: chi-square 12.25, p ≈ 0.00047: an alarm at one look, not over 20.
    const once = trackTraffic(emptySrmState(versions), versions, [5175, 4825], [50, 50], 0.001);
    expect(once.evidence.status).toBe("mismatch");
    expect(once.evidence.consecutiveAlarms).toBe(1);
    const twenty = trackTraffic(emptySrmState(versions), versions, [5175, 4825], [50, 50], 0.001, 20);
    expect(twenty.evidence).toMatchObject({ status: "ok", lookThreshold: 0.00005, consecutiveAlarms: 0 });
    expect(twenty.evidence.reason).toMatch(/≥ 0\.00005 \(srmThreshold 0\.001 split over 20 planned looks\)$/);
  });

  it("counts consecutive alarms and starts again after a clean look", () => {
    const first = trackTraffic(emptySrmState(versions), versions, [5300, 4700], [50, 50], 0.001, 20);
    const second = trackTraffic(first.state, versions, [10600, 9400], [50, 50], 0.001, 20);
    expect([first.evidence.consecutiveAlarms, second.evidence.consecutiveAlarms]).toEqual([1, 2]);
    // Traffic that evens out the split brings it back under the threshold.
    const third = trackTraffic(second.state, versions, [12600, 12400], [50, 50], 0.001, 20);
    expect(third.evidence).toMatchObject({ status: "ok", consecutiveAlarms: 0 });
  });
});
