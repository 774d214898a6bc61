/**
 * The statistics mode of `analyze`, used when `spec.criteria.strength` is set. It produces the
 * same four results as the Iter8 v2 rules — `versionAssessments` (true only where an objective is
 * satisfied), `winnerAssessment` (`winnerFound`, `winner`, `bestVersions`) and `weights` — plus
 * `statistics`: the evidence behind each decision and the running state the next iteration
 * continues from (`status.analysis.statistics`).
 *
 * Pure: the state comes in through `experiment.status.analysis.statistics` and goes out in the
 * result, so re-analysing the same status gives the same answer.
 */
import {
  experimentNamespace,
  totalIterations,
  versionNames,
  type AggregatedMetricsAnalysis,
  type Experiment,
  type VersionAssessmentsAnalysis,
  type WeightsAnalysis,
  type WinnerAssessmentAnalysis,
} from "@iter8ts/types";
import { aggregateMetrics } from "../aggregate-metrics";
import { indexAggregatedMetrics } from "../aggregated-metrics-data";
import { AnalysisMessage } from "../analysis-message";
import { resolveAnalyzeOptions, type AnalyzeOptions } from "../analyze-options";
import { readBuiltinHistograms } from "../builtin-histogram";
import type { MetricValues } from "../metric-values";
import { currentWeights } from "../recommend-weights";
import { roundWeights } from "../round-weights";
import { allocateWeights } from "./allocate-weights";
import { compareRewards, decideWinner, type RewardComparison } from "./decide-winner";
import { assessObjectivesWithStatistics } from "./objective-evidence";
import { MetricObservations, type Observation } from "./observe-metrics";
import { posteriorMean, reportedInterval } from "./posterior";
import {
  StatisticsAnalysisSchema,
  StatisticsStateSchema,
  type GroupSequentialState,
  type SequentialEvidence,
  type SequentialTestState,
  type StatisticsAnalysis,
  type SrmState,
  type StatisticsState,
  type VersionEvidence,
  type WinnerRule,
} from "./statistics-analysis";
import { StatisticsError } from "./statistics-error";
import { parseStrength, type Strength } from "./strength";
import {
  INITIAL_SEQUENTIAL_TEST,
  sequentialEvidence,
  trackSequential,
  type SequentialLookGate,
  type SequentialSettings,
} from "./track-sequential";
import { emptySrmState, trackTraffic } from "./track-traffic";
import {
  designOf,
  groupSequentialEvidence,
  groupSequentialStateProblem,
  INITIAL_GROUP_SEQUENTIAL_TEST,
  trackGroupSequential,
} from "./track-group-sequential";
import type { SampleSummary } from "./sample-summary";
import type { Direction } from "./probability-best";

/** The four Iter8 results plus the statistics part. */
export interface StatisticsAnalysisResult {
  aggregatedMetrics: AggregatedMetricsAnalysis;
  versionAssessments: VersionAssessmentsAnalysis;
  winnerAssessment: WinnerAssessmentAnalysis;
  weights: WeightsAnalysis;
  /** Absent only when `strength` is invalid and no earlier statistics exist to carry over. */
  statistics?: StatisticsAnalysis;
}

function freshState(versions: readonly string[], strength: Strength): StatisticsState {
  return {
    schemaVersion: 1,
    looks: 0,
    versions: [...versions],
    sequential: { metric: null, alpha: strength.alpha, tuning: strength.sequentialTuning, tests: {} },
    srm: emptySrmState(versions),
    decision: null,
  };
}

/** The carried state, and why it could not be continued when it was missing or inconsistent. */
interface PreviousState {
  state: StatisticsState;
  /**
   * Set when earlier looks happened but their state is missing or does not fit this look: the
   * traffic accounting then restarts from the current counts instead of charging all traffic
   * so far to today's weights (which would look like a sample ratio mismatch).
   */
  broken: string | null;
}

/**
 * The state carried in the status, or a fresh one (saying why) when it cannot be continued. A
 * state is expected once `status.completedIterations` is above 0 (the engine writes back what
 * `analyze` returned, then counts the iteration), and it must be the one of the previous
 * iteration: its `completedIterations` plus one, or the same when an iteration is analysed again.
 */
function previousState(
  experiment: Experiment,
  versions: readonly string[],
  strength: Strength,
  message: AnalysisMessage,
): PreviousState {
  const raw = (experiment.status?.analysis as Record<string, unknown> | undefined)?.["statistics"] as
    | { data?: { state?: unknown } }
    | undefined;
  const completed = experiment.status?.completedIterations ?? 0;
  const broken = (why: string): PreviousState => {
    const text =
      `${why}; the traffic check and the always-valid tests restart from this look ` +
      "(write status.analysis.statistics back exactly as analyze returned it, every iteration)";
    message.warn(text);
    return { state: freshState(versions, strength), broken: text };
  };
  if (raw?.data?.state === undefined) {
    if (completed > 0) {
      return broken(
        `status.analysis.statistics.data.state is missing although ${completed} iteration${completed === 1 ? " has" : "s have"} completed` +
          " (the statistics mode was just switched on, or the state analyze returned was not carried over)",
      );
    }
    return { state: freshState(versions, strength), broken: null };
  }
  const parsed = StatisticsStateSchema.safeParse(raw.data.state);
  if (!parsed.success) {
    return broken("status.analysis.statistics.data.state is not in the expected shape");
  }
  const state = parsed.data;
  if (state.versions.length !== versions.length || state.versions.some((v, i) => v !== versions[i])) {
    message.warn(
      `the versions changed (${state.versions.join(", ")} → ${versions.join(", ")}); the statistics start afresh`,
    );
    return { state: freshState(versions, strength), broken: null };
  }
  if (state.completedIterations !== undefined && completed !== state.completedIterations && completed !== state.completedIterations + 1) {
    return broken(
      `the carried state is inconsistent: it was written at completed iteration ${state.completedIterations}, ` +
        `but ${completed} iteration${completed === 1 ? " has" : "s have"} completed now (expected ${state.completedIterations + 1})`,
    );
  }
  return { state, broken: null };
}

/** What {@link trackDesign} needs. */
interface DesignInputs {
  experiment: Experiment;
  strength: Strength;
  /** The design carried from the last look (undefined: none, or the tests restarted). */
  carried: GroupSequentialState | undefined;
  /** Why the design cannot start now although earlier looks happened (null: it can). */
  missing: string | null;
  candidates: readonly string[];
  baseline: SampleSummary | null;
  summaries: readonly (SampleSummary | null)[];
  direction: Direction;
  gate: SequentialLookGate;
  message: AnalysisMessage;
}

/**
 * The group-sequential design of this look: set up over the planned looks at the first look,
 * continued from the carried state, or abandoned (for good: the always-valid test, which ran
 * alongside from the start, decides from then on) when it cannot be continued validly — the
 * horizon or the design changed, the look is past the plan, or the carried state is missing or
 * does not fit the design (the alpha already spent would be unknown).
 */
function trackDesign(inputs: DesignInputs): GroupSequentialState {
  const { experiment, strength, carried, candidates, message } = inputs;
  const plannedLooks = Math.max(1, totalIterations(experiment));
  const look = (experiment.status?.completedIterations ?? 0) + 1;
  const count = Math.max(1, candidates.length);
  const fresh: GroupSequentialState = {
    spending: strength.spending,
    alphaUpper: strength.alpha / count,
    alphaLower: strength.baselineAlpha / count,
    plannedLooks,
    tests: {},
    abandoned: null,
  };
  const abandon = (state: GroupSequentialState, why: string): GroupSequentialState => {
    message.warn(`${why}; the always-valid test decides from now on`);
    return { ...state, abandoned: why };
  };
  let state: GroupSequentialState;
  if (carried?.abandoned) {
    state = carried;
  } else if (carried === undefined) {
    state = inputs.missing !== null ? abandon(fresh, inputs.missing) : fresh;
  } else if (carried.plannedLooks !== plannedLooks) {
    state = abandon(carried, `the planned looks changed (${carried.plannedLooks} → ${plannedLooks}: maxLoops × iterationsPerLoop)`);
  } else if (carried.spending !== fresh.spending || carried.alphaUpper !== fresh.alphaUpper || carried.alphaLower !== fresh.alphaLower) {
    state = abandon(carried, "the group-sequential design changed (spending, alpha, baselineAlpha or the candidates)");
  } else {
    const design = designOf(carried);
    const problems = candidates
      .map((c) => [c, carried.tests[c] ? groupSequentialStateProblem(carried.tests[c]!, design) : null] as const)
      .filter(([, problem]) => problem !== null);
    state = problems.length
      ? abandon(carried, `the carried group-sequential state is inconsistent: ${problems.map(([c, p]) => `${c}: ${p}`).join("; ")}`)
      : carried;
  }
  if (!state.abandoned && look > plannedLooks) {
    state = abandon(state, `look ${look} is past the ${plannedLooks} planned looks (maxLoops × iterationsPerLoop)`);
  }
  if (state.abandoned) {
    message.info(`design: always-valid (${state.abandoned})`);
    return state;
  }
  const design = designOf(state);
  const tests: GroupSequentialState["tests"] = {};
  candidates.forEach((candidate, j) => {
    tests[candidate] = trackGroupSequential(
      state.tests[candidate] ?? INITIAL_GROUP_SEQUENTIAL_TEST,
      inputs.baseline,
      inputs.summaries[j] ?? null,
      design,
      look,
      inputs.direction,
      inputs.gate,
    );
  });
  message.info(
    `design: group-sequential (${state.spending === "pocock" ? "Pocock" : "O'Brien-Fleming"}-like alpha spending over ${plannedLooks} planned looks, look ${look})`,
  );
  return { ...state, tests };
}

/** Carries the previous statistics part through when this iteration cannot produce one. */
function carriedStatistics(experiment: Experiment): StatisticsAnalysis | undefined {
  const raw = (experiment.status?.analysis as Record<string, unknown> | undefined)?.["statistics"];
  const parsed = StatisticsAnalysisSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Analyses one iteration in the statistics mode. `experiment` must already have the in-memory
 * defaults (`withDefaults`); `analyze` does that and then calls this when `criteria.strength` is
 * set. Never throws on a well-typed experiment: problems are reported in the messages.
 */
export function analyzeWithStatistics(
  experiment: Experiment,
  values: MetricValues = {},
  options: AnalyzeOptions = {},
): StatisticsAnalysisResult {
  const { provenance, timestamp } = resolveAnalyzeOptions(experiment, options);
  const stamp = <T>(data: T, message: AnalysisMessage) => ({ provenance, timestamp, data, message: message.format() });
  const versions = versionNames(experiment);
  const aggregatedMetrics = aggregateMetrics(experiment, values, options);
  const current = currentWeights(experiment);

  let strength: Strength;
  try {
    strength = parseStrength(experiment.spec.criteria?.strength);
  } catch (error) {
    if (!(error instanceof StatisticsError)) throw error;
    // Without valid settings nothing is decided and the traffic stays where it is.
    const problem = () => new AnalysisMessage().error(`${error.message}; fix it to enable the statistics mode`);
    const objectives = experiment.spec.criteria?.objectives ?? [];
    const data = Object.fromEntries(objectives.length ? versions.map((v) => [v, objectives.map(() => false)]) : []);
    const pattern = experiment.spec.strategy.testingPattern;
    const weights = pattern === "Conformance" || versions.length === 0 ? [] : roundWeights(current.map((w) => Math.max(0, w)));
    const statistics = carriedStatistics(experiment);
    return {
      aggregatedMetrics,
      versionAssessments: stamp(data, problem()),
      winnerAssessment: stamp({ winnerFound: false, bestVersions: [] }, problem()),
      weights: stamp(
        versions.length && weights.length ? versions.map((name, i) => ({ name, value: weights[i]! })) : [],
        problem(),
      ),
      ...(statistics ? { statistics } : {}),
    };
  }

  const statisticsMessage = new AnalysisMessage();
  const weightsMessage = new AnalysisMessage();
  if (versions.length === 0) {
    const problem = () => new AnalysisMessage().error("spec.versionInfo is missing; add a baseline (and candidates) to analyse");
    const state = freshState(versions, strength);
    const srm = trackTraffic(state.srm, versions, [], [], strength.srmThreshold).evidence;
    const winner = decideWinner({
      pattern: experiment.spec.strategy.testingPattern,
      versions,
      feasibility: new Map(),
      sampleSizes: [],
      reward: null,
      sequential: {},
      srm,
      strength,
    });
    const weights = allocateWeights({
      experiment,
      versions,
      winner: winner.data,
      reward: null,
      feasibility: new Map(),
      srm,
      strength,
      current: [],
    });
    return {
      aggregatedMetrics,
      versionAssessments: stamp({}, problem()),
      winnerAssessment: stamp(winner.data, problem()),
      weights: stamp([], problem()),
      statistics: stamp(
        { settings: strength, state, objectives: [], versions: [], winner: winner.evidence, weights: weights.evidence, srm },
        problem(),
      ),
    };
  }

  const { state: previous, broken } = previousState(experiment, versions, strength, statisticsMessage);
  const namespace = experimentNamespace(experiment);
  const { histograms } = readBuiltinHistograms(experiment.status?.analysis?.aggregatedBuiltinHists?.data);
  const observations = new MetricObservations(
    experiment,
    indexAggregatedMetrics(aggregatedMetrics.data, namespace),
    histograms,
    strength,
  );

  // Objectives and feasibility.
  const objectives = assessObjectivesWithStatistics(experiment, observations, strength);

  // Traffic against the weights that were in force since the last look. When the carried state
  // is broken, nobody knows which weights the traffic so far arrived under: the accounting starts
  // from the current counts and this look only says why.
  const counts = versions.map((v) => observations.requestCount(v));
  const srmBefore: SrmState =
    broken && counts.every((c) => c !== null)
      ? { ...previous.srm, lastCounts: Object.fromEntries(versions.map((v, i) => [v, counts[i]!])) }
      : previous.srm;
  const traffic = trackTraffic(
    srmBefore,
    versions,
    counts,
    current,
    strength.srmThreshold,
    totalIterations(experiment),
  );
  if (broken) traffic.evidence = { ...traffic.evidence, status: "unavailable", reason: broken };
  for (const warning of traffic.warnings) statisticsMessage.warn(warning);

  // The reward (A/B and A/B/N).
  const pattern = experiment.spec.strategy.testingPattern;
  const rewardSpec = pattern === "A/B" || pattern === "A/B/N" ? experiment.spec.criteria?.rewards?.[0] : undefined;
  let reward: RewardComparison | null = null;
  let rewardObservations: Observation[] | null = null;
  let rewardProblem: { rule: WinnerRule; reason: string } | undefined;
  if (rewardSpec) {
    const key = observations.key(rewardSpec.metric);
    rewardObservations = versions.map((v) => observations.observe(key, v));
    const modelled = rewardObservations.some((o) => o.model === "proportion" || o.model === "mean");
    const pointOnly = rewardObservations.some((o) => o.model === "point");
    if (!modelled && pointOnly) {
      const note = rewardObservations.find((o) => o.note)?.note;
      rewardProblem = {
        rule: "reward-without-model",
        reason:
          note ??
          `reward ${rewardSpec.metric} has no uncertainty model; declare strength.metrics["${key}"] as proportion or mean`,
      };
    } else {
      try {
        reward = compareRewards(versions, key, rewardSpec.preferredDirection, rewardObservations, objectives.feasibility);
      } catch (error) {
        if (!(error instanceof StatisticsError)) throw error;
        rewardProblem = { rule: "reward-without-model", reason: error.message };
      }
    }
  }

  // Always-valid tests of each candidate against the baseline.
  const sequentialEvidenceByVersion: Record<string, SequentialEvidence> = {};
  const candidates = versions.slice(1);
  // The always-valid test is a two-sided confidence sequence: at level (alpha + baselineAlpha)
  // per experiment, shared by the candidates, any call under the null stays within that total
  // (each side at half of it). The group-sequential design spends the two claims separately.
  const settings: SequentialSettings = {
    alpha: (strength.alpha + strength.baselineAlpha) / Math.max(1, candidates.length),
    tuning: strength.sequentialTuning,
    direction: rewardSpec?.preferredDirection ?? "High",
  };
  const sequentialMetric = reward?.metric ?? null;
  let tests: Record<string, SequentialTestState> = {};
  let groupSequential: GroupSequentialState | undefined;
  if (strength.sequential && reward && rewardObservations) {
    const old = previous.sequential;
    const continuing = old.metric === sequentialMetric && old.alpha === settings.alpha && old.tuning === settings.tuning;
    if (!continuing && old.metric !== null) {
      statisticsMessage.warn("the reward or the always-valid settings changed; the always-valid tests start afresh");
    }
    const baselineSummary = rewardObservations[0]?.summary ?? null;
    const gate: SequentialLookGate = {
      proportion: rewardObservations[0]?.model === "proportion",
      minSamples: strength.minSamples,
      minConversions: strength.minConversions,
    };
    candidates.forEach((candidate, j) => {
      const before = (continuing ? old.tests[candidate] : undefined) ?? INITIAL_SEQUENTIAL_TEST;
      const next = trackSequential(before, baselineSummary, rewardObservations![j + 1]?.summary ?? null, settings, gate);
      tests[candidate] = next;
      sequentialEvidenceByVersion[candidate] = { ...sequentialEvidence(next, settings), design: "always-valid" };
    });
    if (strength.design === "always-valid") {
      statisticsMessage.info("design: always-valid (strength.design)");
    } else {
      groupSequential = trackDesign({
        experiment,
        strength,
        carried: old.metric === sequentialMetric ? old.groupSequential : undefined,
        missing:
          broken !== null
            ? "the group-sequential state of the earlier looks is missing (the carried state could not be continued)"
            : old.metric !== null && old.metric !== sequentialMetric
              ? `the reward changed (${old.metric} → ${sequentialMetric}) after the design had started`
              : previous.looks > 0 && old.groupSequential === undefined
                ? `the group-sequential design was switched on after ${previous.looks} look${previous.looks === 1 ? "" : "s"} without it`
                : null,
        candidates,
        baseline: baselineSummary,
        summaries: candidates.map((_, j) => rewardObservations![j + 1]?.summary ?? null),
        direction: settings.direction,
        gate,
        message: statisticsMessage,
      });
      if (groupSequential.abandoned == null) {
        const design = designOf(groupSequential);
        for (const candidate of candidates) {
          sequentialEvidenceByVersion[candidate] = groupSequentialEvidence(
            groupSequential.tests[candidate] ?? INITIAL_GROUP_SEQUENTIAL_TEST,
            design,
            sequentialEvidenceByVersion[candidate],
          );
        }
      }
    }
  } else {
    tests = {};
  }

  // Observations behind each version's decisions.
  const sampleSizes = versions.map((version, i) => {
    const fromReward = rewardObservations?.[i]?.sampleSize;
    if (fromReward !== null && fromReward !== undefined) return fromReward;
    const requests = observations.requestCount(version);
    if (requests !== null) return requests;
    const fromObjectives = objectives.evidence.filter((e) => e.version === version).map((e) => e.sampleSize ?? 0);
    return fromObjectives.length ? Math.max(...fromObjectives) : null;
  });

  const winner = decideWinner({
    pattern,
    versions,
    feasibility: objectives.feasibility,
    sampleSizes,
    reward,
    ...(rewardProblem ? { rewardProblem } : {}),
    sequential: sequentialEvidenceByVersion,
    srm: traffic.evidence,
    strength,
    held: previous.decision ?? null,
  });
  const look = previous.looks + 1;
  const decision = winner.data.winnerFound && winner.data.winner
    ? { winner: winner.data.winner, look: previous.decision?.winner === winner.data.winner ? previous.decision.look : look }
    : null;

  const weights = allocateWeights({
    experiment,
    versions,
    winner: winner.data,
    reward,
    feasibility: objectives.feasibility,
    srm: traffic.evidence,
    strength,
    current,
  });

  const versionEvidence: VersionEvidence[] = versions.map((version, i) => {
    const feasibility = objectives.feasibility.get(version);
    const observation = rewardObservations?.[i];
    const posterior = observation?.posterior ?? null;
    return {
      version,
      sampleSize: sampleSizes[i] ?? null,
      feasibility: feasibility?.probability ?? null,
      status: feasibility?.status ?? "undecided",
      reward: observation
        ? {
            model: observation.model === "exceedance" ? "proportion" : observation.model,
            value: observation.value,
            posteriorMean: posterior ? posteriorMean(posterior) : null,
            interval: posterior ? reportedInterval(posterior, strength.confidence) : null,
            probabilityBest: reward && reward.contenders.includes(i) ? reward.probabilityBest[i]! : null,
            expectedLoss: reward?.expectedLoss[i] ?? null,
          }
        : null,
    };
  });

  const state: StatisticsState = {
    schemaVersion: 1,
    looks: look,
    completedIterations: experiment.status?.completedIterations ?? 0,
    versions: [...versions],
    sequential: { metric: sequentialMetric, alpha: settings.alpha, tuning: settings.tuning, tests, ...(groupSequential ? { groupSequential } : {}) },
    srm: traffic.state,
    decision,
  };

  const winnerMessage = new AnalysisMessage();
  if (rewardProblem) winnerMessage.warn(rewardProblem.reason);
  winnerMessage.info(`${winner.evidence.rule}: ${winner.evidence.reason}`);
  if (weights.data.length > 0) {
    weightsMessage.info(`${weights.evidence.rule}: ${weights.evidence.reason}`);
    if (experiment.spec.strategy.deploymentPattern === "FixedSplit") {
      weightsMessage.info("FixedSplit experiments keep their split; these weights are a recommendation only");
    }
  }
  statisticsMessage.info(`srm ${traffic.evidence.status}: ${traffic.evidence.reason}`);

  return {
    aggregatedMetrics,
    versionAssessments: stamp(objectives.assessments, objectives.message),
    winnerAssessment: stamp(winner.data, winnerMessage),
    weights:
      weights.data.length > 0
        ? stamp(weights.data, weightsMessage)
        : { provenance, timestamp, data: [], message: "weight computation is not applicable to a conformance experiment" },
    statistics: stamp(
      {
        settings: strength,
        state,
        objectives: objectives.evidence,
        versions: versionEvidence,
        winner: winner.evidence,
        weights: weights.evidence,
        srm: traffic.evidence,
      },
      statisticsMessage,
    ),
  };
}
