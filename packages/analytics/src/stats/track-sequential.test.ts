import { describe, expect, it } from "vitest";
import { proportionSummary } from "./sample-summary";
import { INITIAL_SEQUENTIAL_TEST, sequentialFavours, sequentialLookProblem, trackSequential } from "./track-sequential";

const settings = { alpha: 0.1, tuning: 20000, direction: "High" as const };
const gate = { proportion: true, minSamples: 150, minConversions: 5 };

describe("trackSequential", () => {
  it("never settles on a look where a version has no conversions yet", () => {
    // The candidate has 0 of 400 converted: its plug-in variance is 0, so the unpooled interval
    // collapsed onto the estimate and the running intersection kept the baseline's call for good.
    const baseline = proportionSummary(20000, 2000);
    const candidate = proportionSummary(400, 0);
    const state = trackSequential(INITIAL_SEQUENTIAL_TEST, baseline, candidate, settings, gate);
    expect(state).toEqual(INITIAL_SEQUENTIAL_TEST);
    expect(sequentialFavours(state, settings)).toBeNull();
    expect(sequentialLookProblem(baseline, candidate, gate)).toBe(
      "the candidate has 0 conversions and 400 non-conversions (5 of both needed)",
    );
  });

  it("tests equal rates with the pooled variance under the null", () => {
    // 6/200 against 20/200 (3 % against 10 %): pooled p̄ = 0.065, V₀ = p̄(1 − p̄)(2/200).
    const baseline = proportionSummary(200, 20);
    const candidate = proportionSummary(200, 6);
    const state = trackSequential(INITIAL_SEQUENTIAL_TEST, baseline, candidate, settings, gate);
    const v0 = 0.065 * 0.935 * (2 / 200);
    const l = -2 * Math.log(0.1);
    const tau2 = v0 * 400 * ((l + Math.log(l + 1)) / 20000);
    const d = 6 / 200 - 20 / 200;
    const logLr = 0.5 * Math.log(v0 / (v0 + tau2)) + (tau2 * d * d) / (2 * v0 * (v0 + tau2));
    expect(state.pValue).toBeCloseTo(Math.min(1, Math.exp(-logLr)), 12);
    expect(state.looks).toBe(1);
    // The interval is at least as wide as the pooled one.
    const radius = Math.sqrt(((v0 * (v0 + tau2)) / tau2) * (Math.log1p(tau2 / v0) - 2 * Math.log(0.1)));
    expect(state.upper! - state.lower!).toBeGreaterThanOrEqual(2 * radius - 1e-12);
  });

  it("waits for minSamples in both versions", () => {
    const state = trackSequential(INITIAL_SEQUENTIAL_TEST, proportionSummary(9961, 996), proportionSummary(39, 1), settings, gate);
    expect(state.looks).toBe(0);
  });
});
