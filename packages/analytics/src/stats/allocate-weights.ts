/**
 * Weights in the statistics mode. The exploitation share follows the evidence — top-two Thompson
 * allocation from the win probabilities while no winner is found, everything on the winner once it
 * is, the candidate's probability of satisfying its objectives in a Canary — then uniform
 * exploration and a floor are mixed in, the Iter8 caps (`maxCandidateWeight`,
 * `maxCandidateWeightIncrement`) applied, and the result rounded by largest remainder. A sample
 * ratio mismatch freezes the current weights.
 */
import { EXPERIMENT_DEFAULTS, type Experiment, type VersionWeight, type WinnerAssessmentData } from "@iter8ts/types";
import { constrainWeights, type WeightLimits } from "../recommend-weights";
import { roundWeights } from "../round-weights";
import type { RewardComparison } from "./decide-winner";
import type { VersionFeasibility } from "./objective-evidence";
import type { SrmEvidence, WeightsEvidence, WeightsRule } from "./statistics-analysis";
import type { Strength } from "./strength";
import { mixAllocation, topTwoThompson } from "./thompson-allocation";

/** Everything the weights depend on. */
export interface WeightInputs {
  experiment: Experiment;
  versions: readonly string[];
  winner: WinnerAssessmentData;
  reward: RewardComparison | null;
  feasibility: ReadonlyMap<string, VersionFeasibility>;
  srm: SrmEvidence;
  strength: Strength;
  /** Current weights (percent, version order). */
  current: readonly number[];
}

/** Recommended weights with their evidence. */
export interface WeightAllocation {
  data: VersionWeight[];
  evidence: WeightsEvidence;
}

const byName = (versions: readonly string[], values: readonly number[]): Record<string, number> =>
  values.length === 0 ? {} : Object.fromEntries(versions.map((v, i) => [v, values[i] ?? 0]));

/** Applies the rule of the module comment. */
export function allocateWeights(inputs: WeightInputs): WeightAllocation {
  const { experiment, versions, winner, reward, feasibility, srm, strength, current } = inputs;
  const k = versions.length;
  const done = (rule: WeightsRule, reason: string, allocation: number[], mixed: number[], capped: number[], recommended: number[]) => ({
    data: versions.map((name, i) => ({ name, value: recommended[i]! })),
    evidence: {
      rule,
      reason,
      allocation: byName(versions, allocation),
      mixed: byName(versions, mixed),
      capped: byName(versions, capped),
      current: byName(versions, current),
      recommended: byName(versions, recommended),
    },
  });
  if (experiment.spec.strategy.testingPattern === "Conformance" || k === 0) {
    const reason =
      k === 0 ? "spec.versionInfo names no versions" : "weight computation is not applicable to a conformance experiment";
    return { data: [], evidence: done("not-applicable", reason, [], [], [], []).evidence };
  }
  if (srm.status === "mismatch") {
    const frozen = roundWeights(current.map((w) => Math.max(0, w)));
    return done("frozen-srm", `weights frozen: ${srm.reason}`, [], [...current], [...current], frozen);
  }

  let rule: WeightsRule;
  let reason: string;
  let allocation: number[];
  const winnerIndex = winner.winnerFound && winner.winner ? versions.indexOf(winner.winner) : -1;
  if (winnerIndex >= 0) {
    allocation = versions.map((_, i) => (i === winnerIndex ? 1 : 0));
    rule = "winner";
    reason = `winner ${winner.winner} takes the exploitation share`;
  } else if (reward && reward.contenders.length > 0) {
    const shares = topTwoThompson(
      reward.contenders.map((i) => reward.probabilityBest[i]!),
      strength.topTwo,
    );
    allocation = versions.map(() => 0);
    reward.contenders.forEach((versionIndex, j) => {
      allocation[versionIndex] = shares[j]!;
    });
    rule = "thompson";
    reason = `top-two Thompson allocation (b = ${strength.topTwo}) from P(best) of ${reward.contenders.map((i) => versions[i]).join(", ")}`;
  } else if (experiment.spec.strategy.testingPattern === "Canary" && k >= 2) {
    const candidate = feasibility.get(versions[1]!);
    const q = candidate?.status === "infeasible" ? 0 : (candidate?.probability ?? 0);
    allocation = versions.map((_, i) => (i === 0 ? 1 - q : i === 1 ? q : 0));
    rule = "feasibility";
    reason = `candidate share follows P(candidate satisfies all objectives) = ${Number(q.toPrecision(4))}`;
  } else {
    allocation = versions.map((_, i) => (i === 0 ? 1 : 0));
    rule = "baseline";
    reason = "no evidence to allocate by; exploitation stays on the baseline";
  }
  const mixed = mixAllocation(allocation, strength.exploration, strength.weightFloor).map((w) => 100 * w);
  const weights = experiment.spec.strategy.weights;
  const limits: WeightLimits = {
    maxCandidateWeight: weights?.maxCandidateWeight ?? EXPERIMENT_DEFAULTS.maxCandidateWeight,
    maxCandidateWeightIncrement: weights?.maxCandidateWeightIncrement ?? EXPERIMENT_DEFAULTS.maxCandidateWeightIncrement,
  };
  const capped = constrainWeights(mixed, current, limits);
  return done(rule, reason, allocation, mixed, capped, roundWeights(capped));
}
