/**
 * The part of `status.analysis.statistics` (written by the statistics mode of the analytics) that
 * a report shows, read through the analytics' own schemas. Each part (the winner, each version,
 * each objective, the traffic check, the weights) is read on its own: a part that does not match
 * the schema (a hand-edited status, one from another version) is left out or reads as null, so it
 * never breaks the rest of the report.
 */
import {
  GroupSequentialStateSchema,
  ObjectiveEvidenceSchema,
  SrmEvidenceSchema,
  VersionEvidenceSchema,
  WeightsEvidenceSchema,
  WinnerEvidenceSchema,
  type ObjectiveEvidence,
  type SequentialEvidence,
  type VersionEvidence,
  type WinnerEvidence,
} from "@iter8ts/analytics";

/** Where one version stands, per the statistics mode. */
export interface VersionStatistics {
  version: string;
  /** `feasible`, `infeasible` or `undecided`. */
  status: string | null;
  /** Probability that the version satisfies every objective. */
  feasibility: number | null;
  sampleSize: number | null;
  probabilityBest: number | null;
  expectedLoss: number | null;
  rewardMean: number | null;
  /** Credible interval of the reward. */
  rewardInterval: [number, number] | null;
  /** Always-valid p-value of the comparison with the baseline (candidates only). */
  sequentialPValue: number | null;
  /** Which side that comparison has settled on: `candidate`, `baseline`, or null. */
  favours: string | null;
  /** The sequential test that confirms this candidate against the baseline (null: baseline, or no test). */
  sequential: SequentialTestStatistics | null;
}

/** Where a group-sequential test stands at its last look that counted. */
export interface GroupSequentialLook {
  /** `obrien-fleming` or `pocock`. */
  spending: string;
  /** The last look that counted (0: none yet) and the looks the design plans. */
  look: number;
  plannedLooks: number;
  /** The z statistic at that look (positive: the candidate is better). */
  z: number | null;
  /** The boundaries of that look: the candidate wins above `upperBound`, the baseline below `lowerBound` (null: none yet, or no alpha left). */
  upperBound: number | null;
  lowerBound: number | null;
  /** One-sided alpha spent so far on the candidate's (upper) and the baseline's (lower) side, and what each side may spend in all. */
  spentUpper: number;
  spentLower: number;
  alphaUpper: number;
  alphaLower: number;
}

/** The sequential test of one candidate: the design that decides and its figures. */
export interface SequentialTestStatistics {
  /** `group-sequential` or `always-valid`. */
  design: string;
  /**
   * Why the always-valid test decides: chosen by `strength.design`, or why the group-sequential
   * design stopped applying (the planned looks changed, a look went past them, …). Null for the
   * group-sequential design, and when the analysis does not say.
   */
  alwaysValidReason: string | null;
  /** The group-sequential figures (null under the always-valid design). */
  groupSequential: GroupSequentialLook | null;
  /** The always-valid p-value and interval of the reward difference, reported under either design. */
  pValue: number;
  interval: [number, number] | null;
  /** Two-sided level of the always-valid test. */
  alpha: number;
  /** Looks the test has counted. */
  looks: number;
  favours: string | null;
}

/** The evidence for one objective of one version. */
export interface ObjectiveStatistics {
  /** Position in `spec.criteria.objectives`. */
  objective: number;
  metric: string;
  version: string;
  /** `satisfied`, `violated` or `undecided`. */
  decision: string | null;
  /** Probability that the objective holds. */
  probability: number | null;
  interval: [number, number] | null;
  reason: string | null;
}

/** The statistics evidence behind the latest analysis. */
export interface StatisticsEvidence {
  winner: { rule: string | null; reason: string | null; leader: string | null; confidence: number | null };
  versions: VersionStatistics[];
  objectives: ObjectiveStatistics[];
  /** The sample-ratio-mismatch check. */
  srm: { status: string | null; reason: string | null; pValue: number | null } | null;
  weights: { rule: string | null; reason: string | null } | null;
}

/** What `safeParse` of a zod schema returns; the report needs no zod of its own. */
interface Parses<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

function parsed<T>(schema: Parses<T>, value: unknown): T | null {
  const result = schema.safeParse(value);
  return result.success ? result.data : null;
}

function each<T>(schema: Parses<T>, value: unknown): T[] {
  return Array.isArray(value) ? value.map((item) => parsed(schema, item)).filter((item): item is T => item !== null) : [];
}

/** `status.analysis.statistics.data`, or null when the analysis has no statistics part. */
function statisticsData(analysis: unknown): Record<string, unknown> | null {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
  return isObject(analysis) && isObject(analysis.statistics) && isObject(analysis.statistics.data) ? analysis.statistics.data : null;
}

/**
 * Why the always-valid test decides, from the state the analysis carries: the group-sequential
 * design's own reason once it stopped applying; with no design in the state, the experiment chose
 * always-valid (`strength.design`). Null when the state cannot be read.
 */
function alwaysValidReason(data: Record<string, unknown>): string | null {
  const state = data.state;
  if (typeof state !== "object" || state === null || !("sequential" in state)) return null;
  const sequential = state.sequential;
  if (typeof sequential !== "object" || sequential === null) return null;
  if (!("groupSequential" in sequential) || sequential.groupSequential === undefined) return "chosen by strength.design: always-valid";
  const design = parsed(GroupSequentialStateSchema, sequential.groupSequential);
  return design?.abandoned ?? null;
}

function sequentialTest(test: SequentialEvidence, reason: string | null): SequentialTestStatistics {
  const gs = test.design === "group-sequential" ? test.groupSequential : undefined;
  return {
    design: gs ? "group-sequential" : "always-valid",
    // An analysis from before the designs names none: its state says nothing about a choice.
    alwaysValidReason: test.design === "always-valid" ? reason : null,
    groupSequential: gs
      ? {
          spending: gs.spending,
          look: gs.look,
          plannedLooks: gs.plannedLooks,
          z: gs.z,
          upperBound: gs.upperBound,
          lowerBound: gs.lowerBound,
          spentUpper: gs.spentUpper,
          spentLower: gs.spentLower,
          alphaUpper: gs.alphaUpper,
          alphaLower: gs.alphaLower,
        }
      : null,
    pValue: test.pValue,
    interval: test.lower !== null && test.upper !== null ? [test.lower, test.upper] : null,
    alpha: test.alpha,
    looks: test.looks,
    favours: test.favours,
  };
}

function versionStatistics(v: VersionEvidence, winner: WinnerEvidence | null, reason: string | null): VersionStatistics {
  const test = winner?.sequential[v.version];
  return {
    version: v.version,
    status: v.status,
    feasibility: v.feasibility,
    sampleSize: v.sampleSize,
    probabilityBest: v.reward?.probabilityBest ?? winner?.probabilityBest[v.version] ?? null,
    expectedLoss: v.reward?.expectedLoss ?? winner?.expectedLoss[v.version] ?? null,
    rewardMean: v.reward?.posteriorMean ?? v.reward?.value ?? null,
    rewardInterval: v.reward?.interval ?? null,
    sequentialPValue: test?.pValue ?? null,
    favours: test?.favours ?? null,
    sequential: test ? sequentialTest(test, reason) : null,
  };
}

function objectiveStatistics(o: ObjectiveEvidence): ObjectiveStatistics {
  return { objective: o.objective, metric: o.metric, version: o.version, decision: o.decision, probability: o.probability, interval: o.interval, reason: o.reason };
}

/**
 * Reads the statistics evidence from `status.analysis`, or returns null when the analysis has no
 * `statistics` part (the Iter8 point-value analysis).
 */
export function readStatisticsEvidence(analysis: unknown): StatisticsEvidence | null {
  const data = statisticsData(analysis);
  if (!data) return null;
  const winner = parsed(WinnerEvidenceSchema, data.winner);
  const srm = parsed(SrmEvidenceSchema, data.srm);
  const weights = parsed(WeightsEvidenceSchema, data.weights);
  const reason = alwaysValidReason(data);
  return {
    winner: winner
      ? { rule: winner.rule, reason: winner.reason, leader: winner.leader, confidence: winner.confidence }
      : { rule: null, reason: null, leader: null, confidence: null },
    versions: each(VersionEvidenceSchema, data.versions).map((v) => versionStatistics(v, winner, reason)),
    objectives: each(ObjectiveEvidenceSchema, data.objectives).map(objectiveStatistics),
    srm: srm ? { status: srm.status, reason: srm.reason, pValue: srm.pValue } : null,
    weights: weights ? { rule: weights.rule, reason: weights.reason } : null,
  };
}
