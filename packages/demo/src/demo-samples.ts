import type { DurationOverride } from "./prepare-workdir";
import { BASELINE_PROFILE, BROKEN_CANDIDATE_PROFILE, CANDIDATE_PROFILE, type VersionProfile } from "./version-profile";

/** Which version a sample must leave all traffic on, and how the experiment gets there. */
export const ExpectedOutcome = {
  /** The candidate wins and the finish action promotes it. */
  PromoteCandidate: "promote-candidate",
  /** The candidate breaks an objective marked rollback_on_failure; all traffic returns to the baseline. */
  RollBack: "roll-back",
} as const;
export type ExpectedOutcome = (typeof ExpectedOutcome)[keyof typeof ExpectedOutcome];

/** A sample of `samples/local` and what the demo runs it with. */
export interface DemoSample {
  /** The folder under `samples/local`. */
  name: string;
  /** One line for the summary. */
  title: string;
  baseline: VersionProfile;
  candidate: VersionProfile;
  expected: ExpectedOutcome;
  /** The VirtualService file the router follows, relative to the sample. */
  routingFile: string;
  /** `spec.duration` in `--fast` mode. */
  fast: DurationOverride;
}

/** The samples, in the order the demo runs them. */
export const DEMO_SAMPLES: readonly DemoSample[] = [
  {
    name: "ab-progressive",
    title: "A/B test with progressive traffic shifting; the winner is promoted",
    baseline: BASELINE_PROFILE,
    candidate: CANDIDATE_PROFILE,
    expected: ExpectedOutcome.PromoteCandidate,
    routingFile: "routing.yaml",
    fast: { intervalSeconds: 1, iterationsPerLoop: 4 },
  },
  {
    name: "rollback",
    title: "the candidate breaks its error-rate objective and the experiment rolls back",
    baseline: BASELINE_PROFILE,
    candidate: BROKEN_CANDIDATE_PROFILE,
    expected: ExpectedOutcome.RollBack,
    routingFile: "routing.yaml",
    fast: { intervalSeconds: 1, iterationsPerLoop: 4 },
  },
  {
    name: "statistics",
    title: "A/B test in the statistics mode (Bayesian evidence, group-sequential test)",
    baseline: BASELINE_PROFILE,
    candidate: CANDIDATE_PROFILE,
    expected: ExpectedOutcome.PromoteCandidate,
    routingFile: "routing.yaml",
    // Evidence needs observations: enough iterations for the baseline's minSamples at its share
    // (at 80 requests/s the winner is found in the second or third of them).
    fast: { intervalSeconds: 1, iterationsPerLoop: 6 },
  },
];

/** The sample called `name`, or undefined. */
export function findDemoSample(name: string): DemoSample | undefined {
  return DEMO_SAMPLES.find((s) => s.name === name);
}
