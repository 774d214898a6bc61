// The parts of `status.analysis.statistics` a report reads, as the statistics mode writes them:
// typed by the analytics' own types, so a fixture that drifts from the schema fails to compile.
import type {
  GroupSequentialState,
  ObjectiveEvidence,
  SequentialEvidence,
  SrmEvidence,
  StatisticsData,
  StatisticsState,
  VersionEvidence,
  WeightsEvidence,
  WinnerEvidence,
} from "@iter8ts/analytics";

/** The parts of the statistics data a report shows (the state: for why the always-valid test decides). */
export type ReportedStatistics = Pick<StatisticsData, "winner" | "versions" | "objectives" | "srm" | "weights"> & { state?: StatisticsState };

/** A winner assessment: no winner yet, nothing measured. */
export function winnerEvidence(over: Partial<WinnerEvidence> = {}): WinnerEvidence {
  return {
    rule: "undecided",
    reason: "no version is known to satisfy its objectives yet",
    winner: null,
    leader: null,
    reward: null,
    preferredDirection: null,
    confidence: 0.95,
    lossThreshold: null,
    minSamples: 0,
    probabilityBest: {},
    expectedLoss: {},
    sequential: {},
    ...over,
  };
}

/** An always-valid comparison of a candidate with the baseline that has settled on nothing. */
export function alwaysValidEvidence(over: Partial<SequentialEvidence> = {}): SequentialEvidence {
  return { pValue: 1, lower: null, upper: null, estimate: null, looks: 0, alpha: 0.1, favours: null, design: "always-valid", ...over };
}

/** A group-sequential comparison (O'Brien-Fleming-like, 20 planned looks) before its first look. */
export function groupSequentialEvidence(
  over: Partial<NonNullable<SequentialEvidence["groupSequential"]>> = {},
  alwaysValid: Partial<SequentialEvidence> = {},
): SequentialEvidence {
  return {
    ...alwaysValidEvidence(alwaysValid),
    design: "group-sequential",
    groupSequential: {
      spending: "obrien-fleming",
      z: null,
      look: 0,
      plannedLooks: 20,
      upperBound: null,
      lowerBound: null,
      spentUpper: 0,
      spentLower: 0,
      alphaUpper: 0.025,
      alphaLower: 0.025,
      ...over,
    },
  };
}

/** The state the statistics mode carries, with the given group-sequential design (absent: always-valid chosen). */
export function statisticsState(groupSequential?: GroupSequentialState): StatisticsState {
  return {
    schemaVersion: 1,
    looks: 7,
    versions: ["v1", "v2"],
    sequential: { metric: "default/conversion-rate", alpha: 0.1, tuning: 20000, tests: {}, ...(groupSequential ? { groupSequential } : {}) },
    srm: { lastCounts: {}, observed: {}, expected: {}, zeroWeightTraffic: [], periods: 0 },
  };
}

/** A version with no reward and undecided feasibility. */
export function versionEvidence(version: string, over: Partial<VersionEvidence> = {}): VersionEvidence {
  return { version, sampleSize: null, feasibility: null, status: "undecided", reward: null, ...over };
}

/** A reward posterior with nothing but the model. */
export function rewardEvidence(over: Partial<NonNullable<VersionEvidence["reward"]>> = {}): NonNullable<VersionEvidence["reward"]> {
  return { model: "proportion", value: null, posteriorMean: null, interval: null, probabilityBest: null, expectedLoss: null, ...over };
}

/** An objective of a version that has no value yet. */
export function objectiveEvidence(over: Partial<ObjectiveEvidence> & Pick<ObjectiveEvidence, "objective" | "metric" | "version">): ObjectiveEvidence {
  return {
    model: "point",
    value: null,
    sampleSize: null,
    upperLimit: null,
    lowerLimit: null,
    posteriorMean: null,
    interval: null,
    probability: null,
    decision: "undecided",
    rule: "no-value",
    reason: "no value yet",
    ...over,
  };
}

/** A traffic check with too little data. */
export function srmEvidence(over: Partial<SrmEvidence> = {}): SrmEvidence {
  return {
    status: "insufficient-data",
    reason: "too little traffic to check",
    threshold: 0.001,
    chiSquare: null,
    dof: 1,
    pValue: null,
    observed: {},
    expected: {},
    zeroWeightTraffic: [],
    ...over,
  };
}

/** Weights left on the baseline. */
export function weightsEvidence(over: Partial<WeightsEvidence> = {}): WeightsEvidence {
  return { rule: "baseline", reason: "nothing to go on yet", allocation: {}, mixed: {}, capped: {}, current: {}, recommended: {}, ...over };
}

/** `status.analysis.statistics` with the given parts (the others as the builders above leave them). */
export function statisticsAnalysis(data: Partial<ReportedStatistics> = {}) {
  return {
    provenance: "iter8ts/analytics",
    timestamp: "2024-05-06T09:05:30.000Z",
    data: { winner: winnerEvidence(), versions: [], objectives: [], srm: srmEvidence(), weights: weightsEvidence(), ...data },
  };
}
