/**
 * The part of `status.analysis.statistics` (written by the statistics mode of the analytics) that
 * a report shows. The status is free-form JSON to this reader: anything missing or of the wrong
 * type reads as `null` or is left out, so a status from another version never breaks a report.
 */

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

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function interval(value: unknown): [number, number] | null {
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [lo, hi] = [num(value[0]), num(value[1])];
  return lo === null || hi === null ? null : [lo, hi];
}

function record(value: unknown): Json {
  return isObject(value) ? value : {};
}

/**
 * Reads the statistics evidence from `status.analysis`, or returns null when the analysis has no
 * `statistics` part (the Iter8 point-value analysis).
 */
export function readStatisticsEvidence(analysis: unknown): StatisticsEvidence | null {
  if (!isObject(analysis) || !isObject(analysis.statistics) || !isObject(analysis.statistics.data)) return null;
  const data = analysis.statistics.data;
  const winner = record(data.winner);
  const probabilityBest = record(winner.probabilityBest);
  const expectedLoss = record(winner.expectedLoss);
  const sequential = record(winner.sequential);

  const versions: VersionStatistics[] = [];
  for (const v of Array.isArray(data.versions) ? data.versions : []) {
    if (!isObject(v) || typeof v.version !== "string") continue;
    const reward = record(v.reward);
    const test = record(sequential[v.version]);
    versions.push({
      version: v.version,
      status: str(v.status),
      feasibility: num(v.feasibility),
      sampleSize: num(v.sampleSize),
      probabilityBest: num(reward.probabilityBest) ?? num(probabilityBest[v.version]),
      expectedLoss: num(reward.expectedLoss) ?? num(expectedLoss[v.version]),
      rewardMean: num(reward.posteriorMean) ?? num(reward.value),
      rewardInterval: interval(reward.interval),
      sequentialPValue: num(test.pValue),
      favours: str(test.favours),
    });
  }

  const objectives: ObjectiveStatistics[] = [];
  for (const o of Array.isArray(data.objectives) ? data.objectives : []) {
    if (!isObject(o) || typeof o.version !== "string" || typeof o.objective !== "number") continue;
    objectives.push({
      objective: o.objective,
      metric: str(o.metric) ?? "",
      version: o.version,
      decision: str(o.decision),
      probability: num(o.probability),
      interval: interval(o.interval),
      reason: str(o.reason),
    });
  }

  const srm = isObject(data.srm) ? { status: str(data.srm.status), reason: str(data.srm.reason), pValue: num(data.srm.pValue) } : null;
  const weights = isObject(data.weights) ? { rule: str(data.weights.rule), reason: str(data.weights.reason) } : null;
  return {
    winner: { rule: str(winner.rule), reason: str(winner.reason), leader: str(winner.leader), confidence: num(winner.confidence) },
    versions,
    objectives,
    srm,
    weights,
  };
}
