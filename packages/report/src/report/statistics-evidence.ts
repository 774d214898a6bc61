/**
 * The part of `status.analysis.statistics` (written by the statistics mode of the analytics) that
 * a report shows, read through the analytics' own schemas. Each part (the winner, each version,
 * each objective, the traffic check, the weights) is read on its own: a part that does not match
 * the schema (a hand-edited status, one from another version) is left out or reads as null, so it
 * never breaks the rest of the report.
 */
import {
  ObjectiveEvidenceSchema,
  SrmEvidenceSchema,
  VersionEvidenceSchema,
  WeightsEvidenceSchema,
  WinnerEvidenceSchema,
  type ObjectiveEvidence,
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

function versionStatistics(v: VersionEvidence, winner: WinnerEvidence | null): VersionStatistics {
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
  return {
    winner: winner
      ? { rule: winner.rule, reason: winner.reason, leader: winner.leader, confidence: winner.confidence }
      : { rule: null, reason: null, leader: null, confidence: null },
    versions: each(VersionEvidenceSchema, data.versions).map((v) => versionStatistics(v, winner)),
    objectives: each(ObjectiveEvidenceSchema, data.objectives).map(objectiveStatistics),
    srm: srm ? { status: srm.status, reason: srm.reason, pValue: srm.pValue } : null,
    weights: weights ? { rule: weights.rule, reason: weights.reason } : null,
  };
}
