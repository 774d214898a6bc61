import type { MetricValues } from "@iter8ts/analytics";
import { ConclusionOutcome, type Analysis, type Experiment, type VersionWeight } from "@iter8ts/types";
import type { DecisionRecord, EngineStatus } from "./engine-status";
import type { RollbackViolation } from "./rollback-check";

/** How many decisions `status.decisions` keeps by default. */
export const DEFAULT_DECISION_HISTORY = 50;

/** A copy of the queried values that survives JSON: non-finite numbers become `null`. */
export function copyMetricValues(values: MetricValues): MetricValues {
  const out: MetricValues = {};
  for (const [metric, byVersion] of Object.entries(values)) {
    const copy: MetricValues[string] = {};
    for (const [version, v] of Object.entries(byVersion ?? {})) {
      const entry: MetricValues[string][string] = {};
      if (v.value !== undefined) entry.value = typeof v.value === "number" && Number.isFinite(v.value) ? v.value : null;
      if (typeof v.sampleSize === "number" && Number.isFinite(v.sampleSize)) entry.sampleSize = v.sampleSize;
      if (v.error !== undefined) entry.error = v.error;
      copy[version] = entry;
    }
    out[metric] = copy;
  }
  return out;
}

/** The evidence part of a decision, read from the analysis of the iteration. */
export function evidenceOf(analysis: Analysis | undefined): Pick<DecisionRecord, "versionAssessments" | "winner" | "recommendedWeights"> {
  const out: Pick<DecisionRecord, "versionAssessments" | "winner" | "recommendedWeights"> = {};
  const assessments = analysis?.versionAssessments?.data;
  if (assessments) out.versionAssessments = structuredClone(assessments);
  const winner = analysis?.winnerAssessment;
  if (winner) {
    out.winner = { found: winner.data.winnerFound };
    if (winner.data.winnerFound && winner.data.winner) out.winner.winner = winner.data.winner;
  }
  const weights = analysis?.weights?.data;
  if (weights) out.recommendedWeights = weights.map((w) => ({ name: w.name, value: w.value }));
  return out;
}

/** `v1=90, v2=10`. */
export function formatWeights(weights: readonly VersionWeight[]): string {
  return weights.map((w) => `${w.name}=${w.value}`).join(", ");
}

/** One sentence per violated objective. */
export function explainRollback(violations: readonly RollbackViolation[]): string {
  const parts = violations.map(
    (v) => `objective ${v.objective + 1} (${v.metric}) is not met by ${v.versions.join(", ")}`,
  );
  return `Rolled back: ${parts.join("; ")}; the objective is marked rollback_on_failure.`;
}

/** How a completed experiment ended, before saying what it promotes. */
export function explainCompletion(iterations: number, analysis: Analysis | undefined): string {
  const data = analysis?.winnerAssessment?.data;
  const winner = data?.winnerFound && data.winner ? ` with winner ${data.winner}` : " without a winner";
  return `Completed after ${iterations} iteration(s)${winner}.`;
}

/** Why a failed experiment ended, before saying what it promotes. */
export function explainFailure(reason: string, message: string): string {
  return `Failed: ${message} (${reason}).`;
}

/** Which version the end of an experiment promotes. */
export function explainPromotion(experiment: Pick<Experiment, "spec">, outcome: ConclusionOutcome, version: string | undefined): string {
  if (version === undefined) return "No version is recommended for promotion.";
  if (version !== experiment.spec.versionInfo?.baseline.name) return `${version} is recommended for promotion.`;
  return outcome === ConclusionOutcome.Completed
    ? `The baseline ${version} is recommended for promotion.`
    : `The baseline ${version}, which served before the experiment, is recommended for promotion.`;
}

/** Why an iteration continued: who won and what happened to traffic. */
export function explainContinue(
  winner: DecisionRecord["winner"],
  weights: { applied: boolean; recommended?: readonly VersionWeight[]; why?: string },
  recommended: string | undefined,
): string {
  const who = winner?.found && winner.winner ? `Winner: ${winner.winner}.` : "No winner yet.";
  let traffic: string;
  if (weights.applied && weights.recommended) traffic = ` Weights set to ${formatWeights(weights.recommended)}.`;
  else traffic = weights.why ? ` Weights unchanged: ${weights.why}.` : "";
  const promote = recommended ? ` Recommended for promotion: ${recommended}.` : "";
  return `${who}${traffic}${promote}`;
}

/** Appends a decision and keeps only the most recent `limit`. */
export function appendDecision(status: EngineStatus, decision: DecisionRecord, limit: number): void {
  const list = [...(status.decisions ?? []), decision];
  status.decisions = list.slice(Math.max(0, list.length - Math.max(1, limit)));
}
