/**
 * One iteration: query the metrics, analyse them, roll back on a violated objective, apply the
 * recommended weights, and record the decision. Each part that talks to a port can fail; a
 * failure is retried with backoff as a whole iteration, then fails the experiment.
 */
import { rollbackAssessments, type MetricValues } from "@iter8ts/analytics";
import { ConclusionOutcome, type VersionWeight } from "@iter8ts/types";
import { copyMetricValues, evidenceOf, explainContinue, explainRollback } from "../decision-record";
import { errorMessage } from "../engine-error";
import type { IterationAnalysis } from "../engine-settings";
import { DecisionOutcome, RetryStep, type DecisionRecord } from "../engine-status";
import { iterationPlan } from "../iteration-timing";
import { ActionName, HandlerType, Message, Reason } from "../reasons";
import { ReconcileOutcome, type StepOutcome } from "../reconcile-outcome";
import { RecordKind } from "../record-condition";
import { findRollbackViolations, type RollbackViolation } from "../rollback-check";
import { decide, forAnalysis, promoted, recommend, record, type DecisionDraft, type Turn } from "../turn";
import { versionRecommendedForPromotion } from "../version-recommended";
import { conclude, end, fail, type FailOptions } from "./finish";
import { guardReferences, specReferences } from "./references";
import { retryOrGiveUp } from "./retry";
import { launch } from "./run-action";

/** The parts of an iteration that call a port, and how the experiment fails when one gives up. */
const IterationPart = {
  metrics: "metrics",
  analytics: "analytics",
  weights: "weights",
  observe: "observe",
} as const;
type IterationPart = (typeof IterationPart)[keyof typeof IterationPart];

const GIVE_UP = {
  metrics: { afterAnalysis: false, failure: () => ({ reason: Reason.AnalyticsServiceError, message: Message.analyticsFailed }) },
  analytics: { afterAnalysis: false, failure: () => ({ reason: Reason.AnalyticsServiceError, message: Message.analyticsFailed }) },
  weights: {
    afterAnalysis: true,
    failure: (error) => ({ reason: Reason.WeightRedistributionFailed, message: Message.weightsFailed(errorMessage(error)) }),
  },
  observe: {
    afterAnalysis: true,
    failure: (error) => ({ reason: Reason.InvalidExperiment, message: Message.weightObjRefInvalid(errorMessage(error)) }),
  },
} satisfies Record<IterationPart, { afterAnalysis: boolean; failure: (error: unknown) => FailOptions }>;

/** Performs iteration `iteration` (1-based). */
export async function iterate(turn: Turn, iteration: number): Promise<StepOutcome> {
  // Again each iteration: a namespace that withdraws its consent stops the experiment.
  const refused = await guardReferences(turn, RetryStep.Iteration, specReferences(turn));
  if (refused) return refused;
  turn.status.startTime ??= turn.time;

  const measured = await measure(turn, iteration);
  if ("outcome" in measured) return measured;
  const { values, result } = measured;

  // In the statistics mode an objective that is still undecided reads `false` in
  // versionAssessments; only an objective shown to be violated may roll the experiment back.
  const violations = findRollbackViolations(turn.spec, rollbackAssessments(result.statistics) ?? result.versionAssessments?.data);
  if (violations.length > 0) return rollBack(turn, iteration, values, violations);

  const weights = await applyWeights(turn, iteration, values, result);
  if ("outcome" in weights) return weights;
  return continued(turn, iteration, values, weights);
}

/** Queries the metrics and analyses them into `status.analysis`. */
async function measure(turn: Turn, iteration: number): Promise<StepOutcome | { values: MetricValues; result: IterationAnalysis }> {
  const { now, signal, status } = turn;
  let values: MetricValues;
  try {
    values = await turn.ports.metrics.query(forAnalysis(turn), signal ? { now, signal } : { now });
  } catch (error) {
    return failIteration(turn, iteration, IterationPart.metrics, error);
  }
  let result: IterationAnalysis;
  try {
    result = turn.settings.analyze(forAnalysis(turn), values, { now, provenance: turn.settings.provenance });
  } catch (error) {
    return failIteration(turn, iteration, IterationPart.analytics, error, values);
  }
  const hists = status.analysis?.aggregatedBuiltinHists;
  status.analysis = { ...(hists ? { aggregatedBuiltinHists: hists } : {}), ...result };
  return { values, result };
}

/** Ends the experiment as rolled back, through the finish action when there is one. */
async function rollBack(turn: Turn, iteration: number, values: MetricValues, violations: RollbackViolation[]): Promise<StepOutcome> {
  const s = turn.status;
  conclude(turn, ConclusionOutcome.RolledBack, explainRollback(violations));
  decide(turn, {
    iteration,
    outcome: DecisionOutcome.RolledBack,
    reason: s.conclusion?.reason ?? explainRollback(violations),
    values: copyMetricValues(values),
    ...evidenceOf(s.analysis),
    ...promoted(turn),
  });
  delete s.retry;
  if (turn.spec.spec.strategy.actions?.[ActionName.Finish]) return launch(turn, ActionName.Finish, HandlerType.Rollback);
  return end(turn, Message.rolledBack);
}

/** Whether the recommended weights were applied, and why not. */
interface WeightsResult {
  applied: boolean;
  why?: string;
}

/** Applies the recommended weights (Progressive and BlueGreen) and reads back what the routers hold. */
async function applyWeights(turn: Turn, iteration: number, values: MetricValues, result: IterationAnalysis): Promise<StepOutcome | WeightsResult> {
  const { strategy, versionInfo } = turn.spec.spec;
  if (strategy.testingPattern === "Conformance") return { applied: false, why: "a Conformance experiment has one version" };
  if (strategy.deploymentPattern === "FixedSplit") return { applied: false, why: "the deployment pattern is FixedSplit" };
  const recommended = result.weights?.data ?? [];
  const versions = versionInfo ? [versionInfo.baseline, ...(versionInfo.candidates ?? [])] : [];
  const missing = versions.filter(
    (v) => v.weightObjRef && (v.weightObjRef.fieldPath ?? "") !== "" && !recommended.some((w) => w.name === v.name),
  );
  if (missing.length > 0) {
    delete turn.status.retry;
    const failed = await fail(turn, { reason: Reason.WeightRedistributionFailed, message: Message.weightsFailed(Message.noWeightRecommendation) });
    decide(turn, {
      iteration,
      outcome: DecisionOutcome.Failed,
      reason: `Analytics recommended no weight for ${missing.map((v) => v.name).join(", ")}.`,
      values: copyMetricValues(values),
      ...evidenceOf(turn.status.analysis),
      ...promoted(turn),
    });
    return failed;
  }
  let observed: void | (() => Promise<VersionWeight[]>);
  try {
    observed = await turn.ports.weights.apply(forAnalysis(turn), recommended, turn.signal ? { signal: turn.signal } : undefined);
  } catch (error) {
    return failIteration(turn, iteration, IterationPart.weights, error, values);
  }
  try {
    turn.status.currentWeightDistribution = await (observed ? observed() : turn.ports.weights.observe(forAnalysis(turn)));
  } catch (error) {
    return failIteration(turn, iteration, IterationPart.observe, error, values);
  }
  return { applied: true };
}

/** Records a completed iteration, and runs the loop action at the end of a loop. */
function continued(turn: Turn, iteration: number, values: MetricValues, weights: WeightsResult): Promise<StepOutcome> | StepOutcome {
  const s = turn.status;
  const evidence = evidenceOf(s.analysis);
  const recommendedVersion = versionRecommendedForPromotion(turn.spec, s.analysis);
  recommend(s, recommendedVersion);
  s.completedIterations = iteration;
  s.lastUpdateTime = turn.time;
  delete s.retry;
  const traffic = { applied: weights.applied, ...(evidence.recommendedWeights ? { recommended: evidence.recommendedWeights } : {}), ...(weights.why ? { why: weights.why } : {}) };
  const decision: DecisionDraft = {
    iteration,
    outcome: DecisionOutcome.Continued,
    reason: explainContinue(evidence.winner, traffic, recommendedVersion),
    values: copyMetricValues(values),
    ...evidence,
    weightsApplied: weights.applied,
  };
  // Observed weights are worth recording only when they differ from what was asked for (a
  // router that rounds, or another writer); otherwise they repeat the recommendation.
  if (s.currentWeightDistribution && JSON.stringify(s.currentWeightDistribution) !== JSON.stringify(evidence.recommendedWeights)) {
    decision.observedWeights = structuredClone(s.currentWeightDistribution);
  }
  if (recommendedVersion !== undefined) decision.versionRecommendedForPromotion = recommendedVersion;
  decide(turn, decision);
  record(turn, RecordKind.Progress, Reason.IterationUpdate, Message.completedIteration(iteration));

  const plan = iterationPlan(turn.spec);
  if (iteration % plan.iterationsPerLoop === 0) {
    const loop = iteration / plan.iterationsPerLoop;
    record(turn, RecordKind.Progress, Reason.IterationUpdate, Message.completedLoop(loop));
    if (turn.spec.spec.strategy.actions?.[ActionName.Loop]) return launch(turn, ActionName.Loop, HandlerType.Loop, { loop });
  }
  return { outcome: ReconcileOutcome.Progressed, requeueAfterMs: iteration >= plan.totalIterations ? 0 : plan.intervalMs };
}

/** A part of the iteration failed: retry the iteration later, or give up and fail the experiment. */
async function failIteration(turn: Turn, iteration: number, part: IterationPart, error: unknown, values?: MetricValues): Promise<StepOutcome> {
  const s = turn.status;
  const attempt = (s.retry?.step === RetryStep.Iteration ? s.retry.attempts : 0) + 1;
  const { afterAnalysis, failure } = GIVE_UP[part];
  const base: Omit<DecisionRecord, "time" | "loop" | "outcome" | "reason"> = {
    iteration,
    ...evidenceOf(afterAnalysis ? s.analysis : undefined),
    error: `${part}: ${errorMessage(error)}`,
  };
  if (values) base.values = copyMetricValues(values);
  const outcome = await retryOrGiveUp(turn, RetryStep.Iteration, error, async () => {
    const failed = await fail(turn, failure(error));
    decide(turn, {
      ...base,
      outcome: DecisionOutcome.Failed,
      reason: `Gave up on iteration ${iteration} after ${attempt} attempt(s): the ${part} step failed.`,
      ...promoted(turn),
    });
    return failed;
  });
  if (outcome.outcome === ReconcileOutcome.Retrying) {
    decide(turn, {
      ...base,
      outcome: DecisionOutcome.Retrying,
      reason: `Attempt ${attempt} of ${turn.settings.maxAttempts} failed in the ${part} step; trying again in ${Math.round((outcome.requeueAfterMs ?? 0) / 1000)} s.`,
    });
  }
  return outcome;
}
