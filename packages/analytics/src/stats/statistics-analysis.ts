/**
 * `status.analysis.statistics`: what the statistics mode writes next to the four Iter8 results —
 * the settings it used, the evidence behind every decision, and the running state (always-valid
 * tests, traffic accounting) that the next iteration continues from. Status is a loose object in
 * the API, so this part travels with the experiment without a schema change.
 *
 * Every number is finite or null, so the object survives a JSON round trip unchanged.
 */
import { z } from "zod";
import { StrengthSchema } from "./strength";

const nullableNumber = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable();
const byVersion = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

/** Running state of one always-valid test of a candidate against the baseline. */
export const SequentialTestStateSchema = z.strictObject({
  /** Smallest always-valid p-value seen so far. */
  pValue: z.number().min(0).max(1),
  /** Intersection of the confidence-sequence intervals so far; null = unbounded. */
  lower: nullableNumber,
  upper: nullableNumber,
  /** Looks folded in so far. */
  looks: z.int().min(0),
  /** The effect estimate (candidate − baseline) at the last look. */
  estimate: nullableNumber,
});
/** A value of {@link SequentialTestStateSchema}. */
export type SequentialTestState = z.infer<typeof SequentialTestStateSchema>;

/**
 * Running state of one group-sequential test of a candidate against the baseline: what the
 * design needs to continue at the next look. The boundaries themselves are not stored: they
 * follow from the design and the look indices, and the recorded spent alpha is checked against
 * them when the state comes back.
 */
export const GroupSequentialTestStateSchema = z.strictObject({
  /** Look indices (1-based, `completedIterations + 1` at the time) that counted, increasing. */
  looks: z.array(z.int().min(1)),
  /** One-sided alpha spent so far on the upper ("candidate better") and lower side. */
  spentUpper: z.number().min(0).max(1),
  spentLower: z.number().min(0).max(1),
  /** The z statistic (positive: the candidate is better) at the last look that counted. */
  z: nullableNumber,
  /** The side crossed, once a boundary was crossed (final: the test has stopped). */
  crossed: z.enum(["upper", "lower"]).nullable(),
});
/** A value of {@link GroupSequentialTestStateSchema}. */
export type GroupSequentialTestState = z.infer<typeof GroupSequentialTestStateSchema>;

/** The design of the group-sequential tests of an experiment, and each candidate's state. */
export const GroupSequentialStateSchema = z.strictObject({
  spending: z.enum(["obrien-fleming", "pocock"]),
  /** One-sided levels of each candidate's test (the claims' levels over the candidates). */
  alphaUpper: z.number().min(0).max(0.5),
  alphaLower: z.number().min(0).max(0.5),
  /** `maxLoops × iterationsPerLoop` when the design was set up; a change ends the design. */
  plannedLooks: z.int().min(1),
  /** Candidate name → running test. */
  tests: z.record(z.string(), GroupSequentialTestStateSchema),
  /** Why the design no longer applies (the horizon changed, looks went past it), once it stopped applying. */
  abandoned: z.string().nullable().optional(),
});
/** A value of {@link GroupSequentialStateSchema}. */
export type GroupSequentialState = z.infer<typeof GroupSequentialStateSchema>;

/** Traffic accounting for the sample-ratio-mismatch check, accumulated period by period. */
export const SrmStateSchema = z.strictObject({
  /** The cumulative per-version counts seen at the last look. */
  lastCounts: byVersion(z.number().min(0)),
  /** Units observed since the start (counter resets folded in). */
  observed: byVersion(z.number().min(0)),
  /** Units expected from the weights in force in each period. */
  expected: byVersion(z.number().min(0)),
  /** Versions that received traffic in a period when their weight was 0. */
  zeroWeightTraffic: z.array(z.string()),
  /** Periods accounted so far. */
  periods: z.int().min(0),
  /** Consecutive looks so far whose chi-square test flagged a mismatch (absent: 0). */
  alarms: z.int().min(0).optional(),
});
/** A value of {@link SrmStateSchema}. */
export type SrmState = z.infer<typeof SrmStateSchema>;

/** The state the statistics mode carries from one iteration to the next. */
export const StatisticsStateSchema = z.looseObject({
  schemaVersion: z.literal(1),
  /** Iterations analysed so far. */
  looks: z.int().min(0),
  /**
   * `status.completedIterations` at the last look. The engine feeds the state back and counts
   * the iteration, so the next look must see this plus one (or the same, when an iteration is
   * analysed again): anything else means the state is stale or belongs elsewhere.
   */
  completedIterations: z.int().min(0).optional(),
  /** The versions (baseline first) the state belongs to; a change resets it. */
  versions: z.array(z.string()),
  sequential: z.strictObject({
    /** The reward metric (normalised reference) the tests are about; a change resets them. */
    metric: z.string().nullable(),
    /** Two-sided level of each candidate's test (2 × alpha / number of candidates). */
    alpha: z.number(),
    tuning: z.number(),
    /** Candidate name → running test against the baseline. */
    tests: byVersion(SequentialTestStateSchema),
    /** The group-sequential design and its tests (absent: the design is not in use). */
    groupSequential: GroupSequentialStateSchema.optional(),
  }),
  srm: SrmStateSchema,
  /**
   * The winner once every check has passed, and the look at which it did. A decision is held
   * (so that it does not flap as P(best) wanders around the cut-off) until the winner violates an
   * objective, traffic stops matching the weights, or the always-valid test turns against it.
   */
  decision: z.strictObject({ winner: z.string(), look: z.int().min(1) }).nullable().optional(),
});
/** A value of {@link StatisticsStateSchema}. */
export type StatisticsState = z.infer<typeof StatisticsStateSchema>;

/** The three outcomes of an objective for a version. */
export const ObjectiveDecision = {
  Satisfied: "satisfied",
  Violated: "violated",
  Undecided: "undecided",
} as const;
/** One of the values of {@link ObjectiveDecision}. */
export type ObjectiveDecision = (typeof ObjectiveDecision)[keyof typeof ObjectiveDecision];

/** Which rule decided an objective. */
export const ObjectiveRule = {
  /** P(objective holds) ≥ confidence. */
  ProbabilityAtLeastConfidence: "probability-at-least-confidence",
  /** P(objective holds) ≤ 1 − confidence. */
  ProbabilityAtMostComplement: "probability-at-most-complement",
  /** In between: more data needed. */
  ProbabilityInBetween: "probability-in-between",
  /** No uncertainty model: the value is inside the limits. */
  PointWithinLimits: "point-within-limits",
  /** No uncertainty model: the value is outside the limits. */
  PointOutsideLimits: "point-outside-limits",
  /** No value (yet) for this metric and version. */
  NoValue: "no-value",
  /** A model needs observations and there are none yet. */
  NoObservations: "no-observations",
} as const;
/** One of the values of {@link ObjectiveRule}. */
export type ObjectiveRule = (typeof ObjectiveRule)[keyof typeof ObjectiveRule];

/** How a metric's value became a posterior. */
export const EvidenceModel = {
  Proportion: "proportion",
  /** The share of requests beyond a latency limit, from the builtin histograms (Beta posterior). */
  Exceedance: "exceedance",
  Mean: "mean",
  Point: "point",
  /** Nothing to model: no value. */
  None: "none",
} as const;
/** One of the values of {@link EvidenceModel}. */
export type EvidenceModel = (typeof EvidenceModel)[keyof typeof EvidenceModel];

/** The evidence for one objective of one version. */
export const ObjectiveEvidenceSchema = z.looseObject({
  /** Position in `spec.criteria.objectives`. */
  objective: z.int().min(0),
  metric: z.string(),
  version: z.string(),
  model: z.enum(["proportion", "exceedance", "mean", "point", "none"]),
  /** The metric's value as aggregated this iteration. */
  value: nullableNumber,
  sampleSize: nullableNumber,
  upperLimit: nullableNumber,
  lowerLimit: nullableNumber,
  /** Posterior mean of the modelled quantity (the rate, the mean, or the exceeding share). */
  posteriorMean: nullableNumber,
  /**
   * Equal-tailed credible interval at the confidence level, for reading only (no decision uses
   * it): from Beta parameters or t degrees of freedom of 30 on, the Cornish–Fisher expansion,
   * within 2e-3 posterior standard deviations of the exact quantiles (`reportedInterval`).
   */
  interval,
  /** P(objective holds); 1 or 0 for point checks; null when undecidable. */
  probability: nullableNumber,
  decision: z.enum(["satisfied", "violated", "undecided"]),
  rule: z.enum(Object.values(ObjectiveRule) as [ObjectiveRule, ...ObjectiveRule[]]),
  /** The rule in words, with the numbers. */
  reason: z.string(),
});
/** A value of {@link ObjectiveEvidenceSchema}. */
export type ObjectiveEvidence = z.infer<typeof ObjectiveEvidenceSchema>;

/** Where a version stands against all its objectives. */
export const FeasibilityStatus = {
  Feasible: "feasible",
  Infeasible: "infeasible",
  Undecided: "undecided",
} as const;
/** One of the values of {@link FeasibilityStatus}. */
export type FeasibilityStatus = (typeof FeasibilityStatus)[keyof typeof FeasibilityStatus];

/** Per-version summary: feasibility and the reward's posterior. */
export const VersionEvidenceSchema = z.looseObject({
  version: z.string(),
  /** Observations behind the version's reward (else its request count). */
  sampleSize: nullableNumber,
  /** Product of its objectives' probabilities; null when one is unknown. */
  feasibility: nullableNumber,
  /** Infeasible when an objective is violated; feasible when feasibility ≥ confidence. */
  status: z.enum(["feasible", "infeasible", "undecided"]),
  reward: z
    .looseObject({
      model: z.enum(["proportion", "mean", "point", "none"]),
      value: nullableNumber,
      posteriorMean: nullableNumber,
      interval,
      probabilityBest: nullableNumber,
      expectedLoss: nullableNumber,
    })
    .nullable(),
});
/** A value of {@link VersionEvidenceSchema}. */
export type VersionEvidence = z.infer<typeof VersionEvidenceSchema>;

/** Which rule decided the winner assessment. */
export const WinnerRule = {
  /** Every check passed: the winner is found. */
  Winner: "winner",
  /** A winner found earlier still stands (see `StatisticsState.decision`). */
  WinnerHeld: "winner-held",
  NoVersions: "no-versions",
  /** A/B and A/B/N need a reward. */
  NoReward: "no-reward",
  /** The reward has no uncertainty model (declare one in `strength.metrics`). */
  RewardWithoutModel: "reward-without-model",
  /** Every version violates an objective (or lacks a reward posterior). */
  NoContenders: "no-contenders",
  /** Traffic does not match the weights: no promotion until it is explained. */
  SampleRatioMismatch: "sample-ratio-mismatch",
  /** The leading version is not (yet) known to satisfy its objectives. */
  LeaderNotFeasible: "leader-not-feasible",
  ProbabilityBestBelowConfidence: "probability-best-below-confidence",
  ExpectedLossAboveThreshold: "expected-loss-above-threshold",
  MinSamples: "min-samples",
  /** The always-valid test against the baseline is not (yet) significant. */
  SequentialNotSignificant: "sequential-not-significant",
  /** Canary/Conformance: no version is known to satisfy its objectives yet. */
  Undecided: "undecided",
} as const;
/** One of the values of {@link WinnerRule}. */
export type WinnerRule = (typeof WinnerRule)[keyof typeof WinnerRule];

/** The always-valid comparison of one candidate with the baseline, as reported. */
export const SequentialEvidenceSchema = z.looseObject({
  pValue: z.number(),
  lower: nullableNumber,
  upper: nullableNumber,
  estimate: nullableNumber,
  looks: z.int().min(0),
  /** Two-sided level this candidate's test is held to (2 × alpha / candidates). */
  alpha: z.number(),
  /** Which side the test has settled on, if any. */
  favours: z.enum(["candidate", "baseline"]).nullable(),
  /** The test that decides: the group-sequential design or the always-valid test (absent: always-valid). */
  design: z.enum(["group-sequential", "always-valid"]).optional(),
  /** Group-sequential: the z statistic (positive: the candidate is better), the look and its boundaries. */
  groupSequential: z
    .looseObject({
      spending: z.enum(["obrien-fleming", "pocock"]),
      z: nullableNumber,
      look: z.int().min(0),
      plannedLooks: z.int().min(1),
      /** The boundaries of the last look that counted (null: none yet, or no alpha left). */
      upperBound: nullableNumber,
      lowerBound: nullableNumber,
      spentUpper: z.number(),
      spentLower: z.number(),
      alphaUpper: z.number(),
      alphaLower: z.number(),
    })
    .optional(),
});
/** A value of {@link SequentialEvidenceSchema}. */
export type SequentialEvidence = z.infer<typeof SequentialEvidenceSchema>;

/** The evidence for the winner assessment. */
export const WinnerEvidenceSchema = z.looseObject({
  rule: z.enum(Object.values(WinnerRule) as [WinnerRule, ...WinnerRule[]]),
  reason: z.string(),
  winner: z.string().nullable(),
  /** The version with the highest P(best) (A/B, A/B/N) or the one the pattern looks at. */
  leader: z.string().nullable(),
  reward: z.string().nullable(),
  preferredDirection: z.enum(["High", "Low"]).nullable(),
  confidence: z.number(),
  /** Expected loss allowed, in the reward's units. */
  lossThreshold: nullableNumber,
  minSamples: z.int().min(0),
  probabilityBest: byVersion(z.number()),
  expectedLoss: byVersion(z.number()),
  sequential: byVersion(SequentialEvidenceSchema),
});
/** A value of {@link WinnerEvidenceSchema}. */
export type WinnerEvidence = z.infer<typeof WinnerEvidenceSchema>;

/** Which rule produced the weights. */
export const WeightsRule = {
  /** Top-two Thompson allocation from the win probabilities. */
  Thompson: "thompson",
  /** A winner is found: exploitation goes to it. */
  Winner: "winner",
  /** Canary: the candidate's share follows its probability of satisfying the objectives. */
  Feasibility: "feasibility",
  /** Nothing to go on: exploitation stays on the baseline. */
  Baseline: "baseline",
  /** A sample ratio mismatch freezes the current weights. */
  FrozenBySampleRatioMismatch: "frozen-srm",
  /** Conformance experiments have no weights. */
  NotApplicable: "not-applicable",
} as const;
/** One of the values of {@link WeightsRule}. */
export type WeightsRule = (typeof WeightsRule)[keyof typeof WeightsRule];

/** The evidence for the recommended weights (percent unless said otherwise). */
export const WeightsEvidenceSchema = z.looseObject({
  rule: z.enum(Object.values(WeightsRule) as [WeightsRule, ...WeightsRule[]]),
  reason: z.string(),
  /** Exploitation shares (fractions) before exploration and floor. */
  allocation: byVersion(z.number()),
  /** After exploration and floor, before the Iter8 caps. */
  mixed: byVersion(z.number()),
  /** After the caps, before rounding. */
  capped: byVersion(z.number()),
  current: byVersion(z.number()),
  recommended: byVersion(z.int()),
});
/** A value of {@link WeightsEvidenceSchema}. */
export type WeightsEvidence = z.infer<typeof WeightsEvidenceSchema>;

/** The evidence of the sample-ratio-mismatch check. */
export const SrmEvidenceSchema = z.looseObject({
  status: z.enum(["ok", "mismatch", "insufficient-data", "unavailable"]),
  reason: z.string(),
  threshold: z.number(),
  chiSquare: nullableNumber,
  dof: z.int().min(0),
  pValue: nullableNumber,
  observed: byVersion(z.number()),
  expected: byVersion(z.number()),
  zeroWeightTraffic: z.array(z.string()),
  /**
   * Consecutive looks, this one included, at which the chi-square test flagged a mismatch. A
   * winner already found is revoked only from the second (or at once for traffic on a version
   * whose weight was 0, which no chance explains).
   */
  consecutiveAlarms: z.int().min(0).optional(),
  /** The p-value threshold of one look: `srmThreshold` split over the planned looks. */
  lookThreshold: z.number().optional(),
});
/** A value of {@link SrmEvidenceSchema}. */
export type SrmEvidence = z.infer<typeof SrmEvidenceSchema>;

/** Everything the statistics mode reports for one iteration. */
export const StatisticsDataSchema = z.looseObject({
  settings: StrengthSchema,
  state: StatisticsStateSchema,
  objectives: z.array(ObjectiveEvidenceSchema),
  versions: z.array(VersionEvidenceSchema),
  winner: WinnerEvidenceSchema,
  weights: WeightsEvidenceSchema,
  srm: SrmEvidenceSchema,
});
/** A value of {@link StatisticsDataSchema}. */
export type StatisticsData = z.infer<typeof StatisticsDataSchema>;

/** `status.analysis.statistics`, in the shape of the other analysis parts. */
export const StatisticsAnalysisSchema = z.looseObject({
  provenance: z.string(),
  timestamp: z.string(),
  message: z.string().nullish(),
  data: StatisticsDataSchema,
});
/** A value of {@link StatisticsAnalysisSchema}. */
export type StatisticsAnalysis = z.infer<typeof StatisticsAnalysisSchema>;
