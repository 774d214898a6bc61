/**
 * Objectives in the statistics mode: for each objective and version, the posterior probability
 * that the objective holds, and a three-way decision — satisfied when that probability reaches
 * the confidence level, violated when it falls to its complement, undecided in between.
 *
 * - Rates (error rate, any proportion): Beta posterior; P(rate ≤ limit) = I_limit(α, β).
 * - Latency percentiles of the builtin histograms: "p95 ≤ L" holds exactly when at most 5% of
 *   requests are slower than L, so the share of slower requests gets a Beta posterior.
 * - Means with a known spread: Student-t posterior of the mean.
 * - Anything else: the point value is checked against the limits (probability 1 or 0).
 */
import { versionNames, type Experiment, type Objective } from "@iter8ts/types";
import { AnalysisMessage } from "../analysis-message";
import { readQuantity } from "../metric-quantity";
import { builtinPercentile, countAbove, type MetricObservations } from "./observe-metrics";
import { betaPosterior, posteriorMean, posteriorTails, reportedInterval, type Posterior } from "./posterior";
import type {
  EvidenceModel,
  FeasibilityStatus,
  ObjectiveDecision,
  ObjectiveEvidence,
  ObjectiveRule,
} from "./statistics-analysis";
import type { Strength } from "./strength";
import { describeNumber } from "./describe-number";

/** Where one version stands against all objectives. */
export interface VersionFeasibility {
  /** Product of the objectives' probabilities; null when one of them is unknown. */
  probability: number | null;
  status: FeasibilityStatus;
}

/** The objectives' evidence and what follows from it. */
export interface ObjectiveAssessment {
  evidence: ObjectiveEvidence[];
  /** `versionAssessments.data`: true only where the objective is satisfied. */
  assessments: Record<string, boolean[]>;
  feasibility: Map<string, VersionFeasibility>;
  message: AnalysisMessage;
}


/** An objective's limits, parsed once. */
interface Limits {
  upper: number | undefined;
  lower: number | undefined;
}

function limitsOf(objective: Objective): Limits {
  return { upper: readQuantity(objective.upperLimit), lower: readQuantity(objective.lowerLimit) };
}

function limitsText({ upper, lower }: Limits, label: string): string {
  if (upper !== undefined && lower !== undefined) return `${lower} ≤ ${label} ≤ ${upper}`;
  if (upper !== undefined) return `${label} ≤ ${upper}`;
  if (lower !== undefined) return `${label} ≥ ${lower}`;
  return `${label} (no limits)`;
}

/** P(lower ≤ X ≤ upper) under a posterior, using whichever tail is accurate. */
function probabilityWithin(posterior: Posterior, lower: number | undefined, upper: number | undefined): number {
  if (lower === undefined && upper === undefined) return 1;
  if (lower === undefined) return posteriorTails(posterior, upper!).lower;
  if (upper === undefined) return posteriorTails(posterior, lower).upper;
  if (upper < lower) return 0;
  const atUpper = posteriorTails(posterior, upper);
  const atLower = posteriorTails(posterior, lower);
  // Subtract the smaller pair of tails to keep precision when the mass is far in one tail.
  return Math.max(0, atUpper.lower < atLower.upper ? atUpper.lower - atLower.lower : atLower.upper - atUpper.upper);
}

function decide(probability: number, confidence: number): { decision: ObjectiveDecision; rule: ObjectiveRule } {
  if (probability >= confidence) return { decision: "satisfied", rule: "probability-at-least-confidence" };
  if (probability <= 1 - confidence) return { decision: "violated", rule: "probability-at-most-complement" };
  return { decision: "undecided", rule: "probability-in-between" };
}

interface Modelled {
  model: EvidenceModel;
  value: number | null;
  sampleSize: number | null;
  posterior: Posterior | null;
  probability: number | null;
  /** Text of the quantity whose posterior is formed, e.g. "share of requests slower than 100 ms". */
  label: string;
  note?: string;
}

/** The latency-percentile objective as a share of requests beyond the limit, from histograms. */
function exceedance(
  { upper, lower }: Limits,
  observations: MetricObservations,
  key: string,
  version: string,
  quantile: number,
  strength: Strength,
): Modelled | undefined {
  const histogram = observations.histogram(version);
  if (!histogram || (upper === undefined && lower === undefined)) return undefined;
  const n = histogram.DurationHistogram.Count;
  const value = observations.value(key, version);
  if (!(n > 0)) return { model: "exceedance", value, sampleSize: n, posterior: null, probability: null, label: key };
  // p_q ≤ U ⟺ share slower than U ≤ 1 − q;  p_q ≥ L ⟺ share faster than L ≤ q.
  let probability = 1;
  let posterior: Posterior | null = null;
  let label = "";
  if (upper !== undefined) {
    posterior = betaPosterior(countAbove(histogram, upper / 1000), n, strength.prior);
    probability *= posteriorTails(posterior, 1 - quantile).lower;
    label = `share of requests slower than ${upper} ms (at most ${describeNumber(1 - quantile)} allowed)`;
  }
  if (lower !== undefined) {
    const faster = betaPosterior(n - countAbove(histogram, lower / 1000), n, strength.prior);
    probability *= posteriorTails(faster, quantile).lower;
    if (!posterior) {
      posterior = faster;
      label = `share of requests faster than ${lower} ms (at most ${describeNumber(quantile)} allowed)`;
    }
  }
  return { model: "exceedance", value, sampleSize: n, posterior, probability, label };
}

/** What does not depend on the version, worked out once per objective. */
interface PreparedObjective {
  objective: Objective;
  limits: Limits;
  /** The normalised metric key. */
  key: string;
  /** The percentile of a builtin latency-percentile metric, else undefined. */
  quantile: number | undefined;
  /** The limits in words. */
  condition: string;
}

function prepareObjective(objective: Objective, observations: MetricObservations): PreparedObjective {
  const limits = limitsOf(objective);
  const key = observations.key(objective.metric);
  return { objective, limits, key, quantile: builtinPercentile(key), condition: limitsText(limits, objective.metric) };
}

function modelObjective(prepared: PreparedObjective, observations: MetricObservations, version: string, strength: Strength): Modelled {
  const { objective, limits, key, quantile } = prepared;
  if (quantile !== undefined) {
    const modelled = exceedance(limits, observations, key, version, quantile, strength);
    if (modelled) return modelled;
  }
  const observation = observations.observe(key, version);
  const { upper, lower } = limits;
  const base = {
    model: observation.model,
    value: observation.value,
    sampleSize: observation.sampleSize,
    posterior: observation.posterior,
    label: objective.metric,
    ...(observation.note ? { note: observation.note } : {}),
  };
  if (observation.value === null) return { ...base, probability: null };
  if (observation.model === "point") {
    const inside = (upper === undefined || observation.value <= upper) && (lower === undefined || observation.value >= lower);
    return { ...base, probability: inside ? 1 : 0 };
  }
  // Decisions come from data, never from the prior alone.
  if (!observation.posterior || !(observation.sampleSize !== null && observation.sampleSize > 0)) {
    return { ...base, posterior: null, probability: null };
  }
  return { ...base, probability: probabilityWithin(observation.posterior, lower, upper) };
}

/**
 * Assesses every objective for every version and derives each version's feasibility: infeasible
 * when an objective is violated, feasible when the product of the objectives' probabilities
 * reaches the confidence level, undecided otherwise.
 */
export function assessObjectivesWithStatistics(
  experiment: Experiment,
  observations: MetricObservations,
  strength: Strength,
): ObjectiveAssessment {
  const versions = versionNames(experiment);
  const objectives = experiment.spec.criteria?.objectives ?? [];
  const message = new AnalysisMessage();
  const evidence: ObjectiveEvidence[] = [];
  const assessments: Record<string, boolean[]> = {};
  const feasibility = new Map<string, VersionFeasibility>();
  const confidence = strength.confidence;
  const prepared = objectives.map((objective) => prepareObjective(objective, observations));
  if (objectives.length === 0) {
    for (const version of versions) feasibility.set(version, { probability: 1, status: "feasible" });
    message.info("no objectives in criteria; every version is feasible");
    return { evidence, assessments, feasibility, message };
  }
  for (const version of versions) {
    const flags: boolean[] = [];
    let product: number | null = 1;
    let violated = false;
    objectives.forEach((objective, index) => {
      const { limits, condition } = prepared[index]!;
      const modelled = modelObjective(prepared[index]!, observations, version, strength);
      const upper = limits.upper ?? null;
      const lower = limits.lower ?? null;
      let decision: ObjectiveDecision = "undecided";
      let rule: ObjectiveRule;
      let reason: string;
      if (modelled.value === null && modelled.model !== "exceedance") {
        rule = "no-value";
        reason = `no value of ${objective.metric} for ${version} yet`;
        message.warn(`Value for ${objective.metric} metric and ${version} version is unavailable.`);
      } else if (modelled.probability === null) {
        rule = "no-observations";
        reason = `no observations of ${objective.metric} for ${version} yet`;
      } else if (modelled.model === "point") {
        const inside = modelled.probability === 1;
        decision = inside ? "satisfied" : "violated";
        rule = inside ? "point-within-limits" : "point-outside-limits";
        reason = `${objective.metric} = ${describeNumber(modelled.value!)} ${inside ? "meets" : "breaks"} ${condition} (point value, no uncertainty model)`;
        if (modelled.note) message.info(modelled.note);
      } else {
        ({ decision, rule } = decide(modelled.probability, confidence));
        const comparison =
          decision === "satisfied" ? `≥ ${confidence}` : decision === "violated" ? `≤ ${describeNumber(1 - confidence)}` : "undecided";
        reason = `P(${condition}) = ${describeNumber(modelled.probability)} ${comparison} from ${modelled.sampleSize} observations`;
        if (modelled.model === "exceedance") reason += ` (${modelled.label})`;
      }
      const posterior = modelled.probability === null || modelled.model === "point" ? null : modelled.posterior;
      evidence.push({
        objective: index,
        metric: objective.metric,
        version,
        model: modelled.model,
        value: modelled.value,
        sampleSize: modelled.sampleSize,
        upperLimit: upper,
        lowerLimit: lower,
        posteriorMean: posterior ? posteriorMean(posterior) : null,
        interval: posterior ? reportedInterval(posterior, confidence) : null,
        probability: modelled.probability,
        decision,
        rule,
        reason,
      });
      flags.push(decision === "satisfied");
      if (decision === "violated") violated = true;
      product = product === null || modelled.probability === null ? null : product * modelled.probability;
    });
    assessments[version] = flags;
    const status: FeasibilityStatus = violated ? "infeasible" : product !== null && product >= confidence ? "feasible" : "undecided";
    feasibility.set(version, { probability: product, status });
  }
  message.info(
    `an objective is true once P(it holds) ≥ ${confidence}; false while undecided or violated (see statistics.data.objectives)`,
  );
  return { evidence, assessments, feasibility, message };
}
