/**
 * The winner in the statistics mode. A/B and A/B/N: the version most likely to have the best
 * reward among those not violating an objective wins only when every check allows it —
 *
 * 1. no sample ratio mismatch;
 * 2. it is feasible (P(all objectives hold) ≥ confidence);
 * 3. P(best) ≥ confidence;
 * 4. its expected loss ≤ lossThreshold × |baseline reward|;
 * 5. every compared version (the baseline and every candidate not violating an objective) has at
 *    least minSamples observations and, for a proportion reward, minConversions conversions and
 *    non-conversions — a baseline must not win against a candidate that has barely been tried;
 * 6. (sequential) the always-valid test against the baseline has settled in its favour — for the
 *    baseline, against every candidate.
 *
 * Canary: the candidate wins once feasible; the baseline once the candidate is infeasible and the
 * baseline feasible. Conformance: the baseline once feasible. Both also need minSamples and no
 * mismatch. The first check that fails is the rule reported.
 *
 * A winner once found is held at later looks unless it violates an objective, traffic stops
 * matching the weights at two looks in a row (or reaches a version whose weight was 0), or
 * (sequential) the always-valid test turns against it; P(best) drifting
 * back under the cut-off does not revoke it, so promotion and weights do not flap.
 */
import type { TestingPattern, WinnerAssessmentData } from "@iter8ts/types";
import type { VersionFeasibility } from "./objective-evidence";
import type { Observation } from "./observe-metrics";
import { posteriorMean } from "./posterior";
import { compareArms, type Direction } from "./probability-best";
import type { SequentialEvidence, SrmEvidence, WinnerEvidence, WinnerRule } from "./statistics-analysis";
import type { Strength } from "./strength";
import { describeNumber } from "./describe-number";

/** The reward's posteriors compared across versions. */
export interface RewardComparison {
  metric: string;
  direction: Direction;
  /** Per version, in version order. */
  observations: Observation[];
  /** Indices of versions still in the running: not infeasible, with a reward posterior. */
  contenders: number[];
  /** P(best) per version (0 outside the contenders). */
  probabilityBest: number[];
  /** Expected loss per version (null outside the contenders). */
  expectedLoss: (number | null)[];
}

/** Compares the contenders' reward posteriors (P(best) and expected loss by quadrature). */
export function compareRewards(
  versions: readonly string[],
  metric: string,
  direction: Direction,
  observations: Observation[],
  feasibility: ReadonlyMap<string, VersionFeasibility>,
): RewardComparison {
  const contenders = versions
    .map((version, i) => ({ version, i }))
    .filter(({ version, i }) => feasibility.get(version)?.status !== "infeasible" && observations[i]?.posterior)
    .map(({ i }) => i);
  const probabilityBest = versions.map(() => 0);
  const expectedLoss: (number | null)[] = versions.map(() => null);
  if (contenders.length > 0) {
    const compared = compareArms(
      contenders.map((i) => observations[i]!.posterior!),
      direction,
    );
    contenders.forEach((versionIndex, j) => {
      probabilityBest[versionIndex] = compared.probabilityBest[j]!;
      expectedLoss[versionIndex] = compared.expectedLoss[j]!;
    });
  }
  return { metric, direction, observations, contenders, probabilityBest, expectedLoss };
}

/** [conversions, non-conversions] of a proportion observation; null for any other model. */
function proportionOutcomes(observation: Observation | undefined): [number, number] | null {
  if (observation?.model !== "proportion" || !observation.summary) return null;
  const { n, mean } = observation.summary;
  const conversions = Math.round(n * mean);
  return [conversions, Math.round(n - conversions)];
}

/** Everything the winner rule looks at. */
export interface WinnerInputs {
  pattern: TestingPattern;
  versions: readonly string[];
  feasibility: ReadonlyMap<string, VersionFeasibility>;
  /** Observations behind each version's decisions, in version order. */
  sampleSizes: readonly (number | null)[];
  /** The reward comparison (A/B, A/B/N); null when there is no usable reward. */
  reward: RewardComparison | null;
  /** Why there is no usable reward, when `reward` is null in A/B or A/B/N. */
  rewardProblem?: { rule: WinnerRule; reason: string };
  /** Always-valid tests per candidate (empty when `sequential` is off). */
  sequential: Record<string, SequentialEvidence>;
  srm: SrmEvidence;
  strength: Strength;
  /** A winner decided at an earlier look, if any. */
  held?: { winner: string; look: number } | null;
}

/** The winner assessment with its evidence. */
export interface WinnerDecision {
  data: WinnerAssessmentData;
  evidence: WinnerEvidence;
}


/** Applies the winner rule of the module comment. */
export function decideWinner(inputs: WinnerInputs): WinnerDecision {
  const { pattern, versions, feasibility, sampleSizes, reward, srm, strength } = inputs;
  const confidence = strength.confidence;
  const probabilityBest: Record<string, number> = {};
  const expectedLoss: Record<string, number> = {};
  if (reward) {
    versions.forEach((version, i) => {
      if (!reward.contenders.includes(i)) return;
      probabilityBest[version] = reward.probabilityBest[i]!;
      expectedLoss[version] = reward.expectedLoss[i]!;
    });
  }
  const baselineMean = reward?.observations[0]?.posterior ? posteriorMean(reward.observations[0].posterior) : null;
  const lossThreshold =
    reward && baselineMean !== null ? strength.lossThreshold * (baselineMean !== 0 ? Math.abs(baselineMean) : 1) : null;
  let leader: string | null = null;
  const finish = (rule: WinnerRule, reason: string, winner: string | null = null, bestVersions: string[] = []): WinnerDecision => ({
    data: winner ? { winnerFound: true, winner, bestVersions: [winner] } : { winnerFound: false, bestVersions },
    evidence: {
      rule,
      reason,
      winner,
      leader,
      reward: reward?.metric ?? null,
      preferredDirection: reward?.direction ?? null,
      confidence,
      lossThreshold,
      minSamples: strength.minSamples,
      probabilityBest,
      expectedLoss,
      sequential: inputs.sequential,
    },
  });
  if (versions.length === 0) return finish("no-versions", "spec.versionInfo names no versions");
  const held = inputs.held && versions.includes(inputs.held.winner) ? inputs.held : null;
  // One chi-square alarm may be chance (even split over the planned looks); a winner already found
  // is revoked only by a second alarm in a row, or by traffic on a 0-weight version.
  const srmRevokes =
    srm.status === "mismatch" && (srm.zeroWeightTraffic.length > 0 || (srm.consecutiveAlarms ?? 2) >= 2);
  if (held && !srmRevokes && feasibility.get(held.winner)?.status !== "infeasible") {
    const index = versions.indexOf(held.winner);
    const test = inputs.sequential[held.winner];
    const turned =
      strength.sequential &&
      reward !== null &&
      (index === 0
        ? Object.values(inputs.sequential).some((t) => t.favours === "candidate")
        : test?.favours === "baseline");
    if (!turned) {
      leader = held.winner;
      return finish("winner-held", `${held.winner} was found the winner at look ${held.look} and nothing has overturned it`, held.winner);
    }
  }
  const enough = (i: number) => (sampleSizes[i] ?? 0) >= strength.minSamples;
  const feasible = (version: string) => feasibility.get(version)?.status === "feasible";
  const samplesReason = (indices: number[]) =>
    indices
      .filter((i) => !enough(i))
      .map((i) => `${versions[i]} has ${sampleSizes[i] ?? 0}`)
      .join(", ") + ` of the ${strength.minSamples} observations needed`;

  if (pattern === "Conformance" || pattern === "Canary") {
    const candidate = pattern === "Canary" ? versions[1] : undefined;
    leader = candidate ?? versions[0]!;
    if (srm.status === "mismatch") return finish("sample-ratio-mismatch", srm.reason);
    if (candidate !== undefined && feasible(candidate)) {
      if (!enough(1) || !enough(0)) return finish("min-samples", samplesReason([0, 1]));
      return finish("winner", `candidate ${candidate} satisfies all objectives with probability ≥ ${confidence}`, candidate);
    }
    const candidateOut = candidate === undefined || feasibility.get(candidate)?.status === "infeasible";
    if (candidateOut && feasible(versions[0]!)) {
      leader = versions[0]!;
      if (!enough(0)) return finish("min-samples", samplesReason([0]));
      const why = candidate === undefined ? "" : `; candidate ${candidate} violates an objective`;
      return finish("winner", `baseline ${versions[0]} satisfies all objectives with probability ≥ ${confidence}${why}`, versions[0]!);
    }
    return finish("undecided", "no version is known to satisfy all objectives yet");
  }

  if (!reward) {
    const problem = inputs.rewardProblem ?? { rule: "no-reward" as const, reason: "A/B and A/B/N experiments need a reward in criteria.rewards" };
    return finish(problem.rule, problem.reason);
  }
  if (reward.contenders.length === 0) {
    return finish("no-contenders", "every version violates an objective or has no reward observations yet");
  }
  const best = reward.contenders.reduce((a, b) => (reward.probabilityBest[b]! > reward.probabilityBest[a]! ? b : a));
  const name = versions[best]!;
  leader = name;
  // Versions whose expected loss is within the threshold are practically as good as the best.
  const nearlyBest = reward.contenders
    .filter((i) => feasible(versions[i]!) && lossThreshold !== null && (reward.expectedLoss[i] ?? Infinity) <= lossThreshold)
    .map((i) => versions[i]!);
  const pBest = reward.probabilityBest[best]!;
  const loss = reward.expectedLoss[best]!;
  if (srm.status === "mismatch") return finish("sample-ratio-mismatch", srm.reason, null, nearlyBest);
  if (!feasible(name)) {
    const f = feasibility.get(name)?.probability;
    return finish(
      "leader-not-feasible",
      `${name} leads (P(best) = ${describeNumber(pBest)}) but P(all objectives hold) = ${f === null || f === undefined ? "unknown" : describeNumber(f)} < ${confidence}`,
      null,
      nearlyBest,
    );
  }
  if (pBest < confidence) {
    return finish("probability-best-below-confidence", `${name} leads with P(best) = ${describeNumber(pBest)} < ${confidence}`, null, nearlyBest);
  }
  if (lossThreshold !== null && loss > lossThreshold) {
    return finish(
      "expected-loss-above-threshold",
      `${name} has P(best) = ${describeNumber(pBest)} but expected loss ${describeNumber(loss)} > ${describeNumber(lossThreshold)}`,
      null,
      nearlyBest,
    );
  }
  // P(best) among the versions with data says nothing about a version without any yet.
  const unseen = versions.filter((v, i) => !reward.contenders.includes(i) && feasibility.get(v)?.status !== "infeasible");
  if (unseen.length > 0) {
    return finish("min-samples", `no reward observations yet for ${unseen.join(", ")}`, null, nearlyBest);
  }
  // Every version in the comparison, not only the leader and the baseline: P(best) and the
  // always-valid tests say little about a version that has barely been tried.
  const compared = versions.map((_, i) => i).filter((i) => i === 0 || feasibility.get(versions[i]!)?.status !== "infeasible");
  const few = compared.filter((i) => !enough(i));
  if (few.length > 0) return finish("min-samples", samplesReason(few), null, nearlyBest);
  const short = compared
    .map((i) => ({ i, outcomes: proportionOutcomes(reward.observations[i]) }))
    .filter(({ outcomes }) => outcomes !== null && Math.min(...outcomes) < strength.minConversions);
  if (short.length > 0) {
    return finish(
      "min-samples",
      short
        .map(({ i, outcomes }) => `${versions[i]} has ${outcomes![0]} conversions and ${outcomes![1]} non-conversions`)
        .join(", ") + ` (each needs ${strength.minConversions} of both)`,
      null,
      nearlyBest,
    );
  }
  if (strength.sequential) {
    if (best === 0) {
      const unsettled = versions.slice(1).filter((v, j) => reward.contenders.includes(j + 1) && inputs.sequential[v]?.favours !== "baseline");
      if (unsettled.length > 0) {
        return finish(
          "sequential-not-significant",
          `baseline ${name} leads but the ${inputs.sequential[unsettled[0]!]?.design === "group-sequential" ? "group-sequential" : "always-valid"} tests against ${unsettled.join(", ")} have not settled in its favour`,
          null,
          nearlyBest,
        );
      }
    } else {
      const test = inputs.sequential[name];
      if (test?.favours !== "candidate") {
        const gs = test?.design === "group-sequential" ? test.groupSequential : undefined;
        return finish(
          "sequential-not-significant",
          gs
            ? `${name} leads but its group-sequential z against the baseline is ${gs.z === null ? "not available yet" : describeNumber(gs.z)}` +
                (gs.upperBound === null ? "" : ` (needs ≥ ${describeNumber(gs.upperBound)} at look ${gs.look} of ${gs.plannedLooks})`)
            : `${name} leads but its always-valid p-value against the baseline is ${test ? describeNumber(test.pValue) : 1} (needs ≤ ${test ? describeNumber(test.alpha) : strength.alpha} with the interval on its side)`,
          null,
          nearlyBest,
        );
      }
    }
  }
  return finish(
    "winner",
    `${name}: P(best) = ${describeNumber(pBest)} ≥ ${confidence}, expected loss ${describeNumber(loss)} ≤ ${describeNumber(lossThreshold ?? 0)}` +
      (strength.sequential
        ? Object.values(inputs.sequential).some((t) => t.design === "group-sequential")
          ? ", group-sequential test crossed its boundary"
          : ", always-valid test settled"
        : ""),
    name,
  );
}
