import { EXPERIMENT_DEFAULTS, versionNames } from "@iter8ts/types";
import type { Experiment, VersionWeight, WeightsAnalysis, WinnerAssessmentData } from "@iter8ts/types";
import { AnalysisMessage } from "./analysis-message";
import { resolveAnalyzeOptions } from "./analyze-options";
import type { AnalyzeOptions } from "./analyze-options";
import { roundWeights } from "./round-weights";

/** Share of traffic spread evenly over all versions, whoever is winning (Iter8's 10 %). */
export const EXPLORATION_SHARE = 0.1;

/** Caps on how candidates' weights may move in one iteration (percent). */
export interface WeightLimits {
  /** No candidate gets more than this. */
  maxCandidateWeight: number;
  /** No candidate gains more than this over its current weight (decreases are not limited). */
  maxCandidateWeightIncrement: number;
}

/**
 * The unconstrained split (percent, version order): {@link EXPLORATION_SHARE} spread evenly,
 * the rest shared equally by the best versions, or all on the baseline (index 0) when there are
 * none. Two versions with the candidate best give [5, 95]; with nobody best [95, 5].
 */
export function explorationMix(versionCount: number, bestIndices: readonly number[]): number[] {
  const best = new Set(bestIndices.filter((i) => i >= 0 && i < versionCount));
  if (best.size === 0) best.add(0);
  return Array.from({ length: versionCount }, (_, i) =>
    100 * (EXPLORATION_SHARE / versionCount + (1 - EXPLORATION_SHARE) * (best.has(i) ? 1 / best.size : 0)),
  );
}

/**
 * Applies the candidate caps to a proposed split (index 0 is the baseline): whatever a candidate
 * would gain beyond `maxCandidateWeightIncrement` over its current weight, or hold beyond
 * `maxCandidateWeight`, goes back to the baseline. The sum is unchanged.
 */
export function constrainWeights(
  proposed: readonly number[],
  current: readonly number[],
  limits: WeightLimits,
): number[] {
  const out = [...proposed];
  for (let i = 1; i < out.length; i++) {
    const want = out[i]!;
    // Never below zero, even if a current weight or a cap is (which the API does not allow).
    const allowed = Math.max(
      0,
      Math.min(want, (current[i] ?? 0) + limits.maxCandidateWeightIncrement, limits.maxCandidateWeight),
    );
    out[i] = allowed;
    out[0] = out[0]! + (want - allowed);
  }
  return out;
}

/**
 * The current weight of each version, matched by name in `status.currentWeightDistribution`.
 * Before any weight is observed the baseline holds 100. A single version missing from the list
 * holds what the others leave of 100 (as the controller computes for a version without a
 * weightObjRef); when several are missing, a missing baseline gets that remainder, missing
 * candidates get 0, and each such candidate is passed to `onAssumedZero`.
 */
export function currentWeights(
  experiment: Experiment,
  onAssumedZero: (version: string) => void = () => {},
): number[] {
  const versions = versionNames(experiment);
  const observed = experiment.status?.currentWeightDistribution ?? [];
  if (observed.length === 0) return versions.map((_, i) => (i === 0 ? 100 : 0));
  const byName = new Map(observed.map((w) => [w.name, w.value]));
  const missing = versions.filter((v) => !byName.has(v));
  const rest = Math.max(0, 100 - versions.reduce((sum, v) => sum + (byName.get(v) ?? 0), 0));
  return versions.map((version, i) => {
    const known = byName.get(version);
    if (known !== undefined) return known;
    if (missing.length === 1 || i === 0) return rest;
    onAssumedZero(version);
    return 0;
  });
}

/**
 * Recommends the next traffic split (Iter8 v2 rule): {@link explorationMix} around the winner
 * assessment's best versions, then — when `spec.strategy.weights` is set — the candidate caps of
 * {@link constrainWeights} against the current weights (matched by version name), then
 * {@link roundWeights} to whole percents summing to 100. Conformance experiments get no weights.
 * {@link analyze} fills in the default caps (100 / 10) first; called alone with no
 * `spec.strategy.weights`, no caps apply. `winner` defaults to the experiment's status.
 */
export function recommendWeights(
  experiment: Experiment,
  winner: WinnerAssessmentData | undefined = experiment.status?.analysis?.winnerAssessment?.data,
  options: AnalyzeOptions = {},
): WeightsAnalysis {
  const { provenance, timestamp } = resolveAnalyzeOptions(experiment, options);
  const message = new AnalysisMessage();
  const result = (data: VersionWeight[], text = message.format()) => ({ provenance, timestamp, data, message: text });
  const strategy = experiment.spec.strategy;
  if (strategy.testingPattern === "Conformance") {
    return result([], "weight computation is not applicable to a conformance experiment");
  }
  const versions = versionNames(experiment);
  if (versions.length === 0) {
    message.error("spec.versionInfo is missing; add a baseline and candidates so weights can be recommended");
    return result([]);
  }
  const bestNames = winner?.bestVersions?.length ? winner.bestVersions : winner?.winnerFound && winner.winner ? [winner.winner] : [];
  let weights = explorationMix(
    versions.length,
    bestNames.map((name) => versions.indexOf(name)),
  );
  if (strategy.weights) {
    const limits: WeightLimits = {
      maxCandidateWeight: strategy.weights.maxCandidateWeight ?? EXPERIMENT_DEFAULTS.maxCandidateWeight,
      maxCandidateWeightIncrement:
        strategy.weights.maxCandidateWeightIncrement ?? EXPERIMENT_DEFAULTS.maxCandidateWeightIncrement,
    };
    const current = currentWeights(experiment, (v) =>
      message.warn(`status.currentWeightDistribution has no weight for version ${v}; assuming 0`),
    );
    weights = constrainWeights(weights, current, limits);
  }
  const rounded = roundWeights(weights);
  if (message.isEmpty) message.info("all ok");
  if (strategy.deploymentPattern === "FixedSplit") {
    message.info("FixedSplit experiments keep their split; these weights are a recommendation only");
  }
  return result(versions.map((name, i) => ({ name, value: rounded[i]! })));
}
