import { describe, expect, it } from "vitest";
import { BASELINE_PROFILE, BROKEN_CANDIDATE_PROFILE, CANDIDATE_PROFILE, VersionBehaviour, type VersionProfile } from "./version-profile";

const draw = (profile: VersionProfile, n: number, seed?: string) => {
  const behaviour = new VersionBehaviour(profile, seed);
  return Array.from({ length: n }, () => behaviour.next());
};

describe("VersionBehaviour", () => {
  it("fails exactly the profile's share of requests, evenly spaced", () => {
    const responses = draw({ ...CANDIDATE_PROFILE, errorRate: 0.25 }, 100);
    const failed = responses.filter((r) => r.status === 500).map((r) => r.index);
    expect(failed).toHaveLength(25);
    expect(failed.slice(0, 3)).toEqual([3, 7, 11]);
    // The share of failures so far never exceeds the rate, so a short run is not unlucky.
    let errors = 0;
    for (const r of responses) {
      if (r.status === 500) errors++;
      expect(errors / (r.index + 1)).toBeLessThanOrEqual(0.25);
    }
  });

  it("draws latency above the base with the profile's mean delay, and no engagement on errors", () => {
    const responses = draw(BROKEN_CANDIDATE_PROFILE, 4000);
    const { baseMs, jitterMs } = BROKEN_CANDIDATE_PROFILE.latency;
    expect(Math.min(...responses.map((r) => r.latencyMs))).toBeGreaterThanOrEqual(baseMs);
    expect(Math.max(...responses.map((r) => r.latencyMs))).toBeLessThanOrEqual(baseMs + 8 * jitterMs);
    const mean = responses.reduce((s, r) => s + r.latencyMs, 0) / responses.length;
    expect(mean).toBeGreaterThan(baseMs + 0.9 * jitterMs);
    expect(mean).toBeLessThan(baseMs + 1.1 * jitterMs);
    expect(responses.filter((r) => r.status === 500).every((r) => r.engagement === 0)).toBe(true);
    expect(responses.every((r) => r.engagement >= 0)).toBe(true);
  });

  it("serves the same sequence for the same seed and another one for another seed", () => {
    expect(draw(BASELINE_PROFILE, 20)).toEqual(draw(BASELINE_PROFILE, 20));
    expect(draw(BASELINE_PROFILE, 20, "other")).not.toEqual(draw(BASELINE_PROFILE, 20));
  });

  it("makes v2 faster and more engaging than v1 over many requests", () => {
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const v1 = draw(BASELINE_PROFILE, 2000);
    const v2 = draw(CANDIDATE_PROFILE, 2000);
    expect(mean(v2.map((r) => r.engagement))).toBeGreaterThan(mean(v1.map((r) => r.engagement)) + 5);
    expect(mean(v2.map((r) => r.latencyMs))).toBeLessThan(mean(v1.map((r) => r.latencyMs)) - 5);
  });
});
