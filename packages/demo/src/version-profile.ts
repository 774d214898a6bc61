import { sampleNormal, seededRandom, type RandomSource } from "@iter8ts/analytics";

/**
 * How one version of the sample app behaves: how long it takes, how often it fails, and how
 * engaged its users are. The profiles make the demo's outcome predictable (v2 is faster and more
 * engaging) while every number still comes from real requests.
 */
export interface VersionProfile {
  /** The version's name, as the experiment's `versionInfo` names it. */
  name: string;
  /** Latency = `baseMs` + an exponential delay with mean `jitterMs` (capped at 8 × `jitterMs`). */
  latency: { baseMs: number; jitterMs: number };
  /** Share of requests answered with HTTP 500, spread evenly over the requests. */
  errorRate: number;
  /** Seconds a user stays engaged after a successful response: normal, clipped at 0. */
  engagement: { mean: number; stddev: number };
}

/** What the app does with one request. */
export interface VersionResponse {
  /** 0-based position of the request since the app started. */
  index: number;
  status: 200 | 500;
  latencyMs: number;
  /** Engagement in seconds; 0 for a failed request (an error page holds nobody). */
  engagement: number;
}

/** The baseline of the samples: solid, a little slower and less engaging than v2. */
export const BASELINE_PROFILE: VersionProfile = {
  name: "sample-app-v1",
  latency: { baseMs: 30, jitterMs: 10 },
  errorRate: 0.005,
  engagement: { mean: 30, stddev: 8 },
};

/** The candidate that should win: faster, fewer errors, users stay longer. */
export const CANDIDATE_PROFILE: VersionProfile = {
  name: "sample-app-v2",
  latency: { baseMs: 20, jitterMs: 8 },
  errorRate: 0.002,
  engagement: { mean: 38, stddev: 8 },
};

/** A candidate with a bug: one request in five fails, far beyond any error-rate objective. */
export const BROKEN_CANDIDATE_PROFILE: VersionProfile = {
  name: "sample-app-v2",
  latency: { baseMs: 20, jitterMs: 8 },
  errorRate: 0.2,
  engagement: { mean: 38, stddev: 8 },
};

/**
 * Draws the responses of a version, one per call, from a seeded random source so that two runs
 * of the same profile serve the same sequence. Errors are spaced evenly (request i fails when
 * ⌊(i+1)·rate⌋ > ⌊i·rate⌋), so the share of failures so far never exceeds the profile's rate and
 * a short run is not judged on an unlucky burst.
 */
export class VersionBehaviour {
  private served = 0;
  private readonly random: RandomSource;

  constructor(
    readonly profile: VersionProfile,
    seed: string = profile.name,
  ) {
    this.random = seededRandom(seed);
  }

  /** The response to the next request. */
  next(): VersionResponse {
    const index = this.served++;
    const { latency, errorRate, engagement } = this.profile;
    const fails = Math.floor((index + 1) * errorRate) > Math.floor(index * errorRate);
    const delay = Math.min(-latency.jitterMs * Math.log(1 - this.random()), 8 * latency.jitterMs);
    const engaged = Math.max(0, engagement.mean + engagement.stddev * sampleNormal(this.random));
    return { index, status: fails ? 500 : 200, latencyMs: latency.baseMs + delay, engagement: fails ? 0 : engaged };
  }
}
