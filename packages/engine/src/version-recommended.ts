import { ConclusionOutcome, versionNames, type Analysis, type Experiment } from "@iter8ts/types";

/**
 * The version recommended for promotion while the experiment runs: the winner when analytics
 * found one, otherwise the baseline. It is recomputed after every iteration and does not stick to
 * an earlier winner, so a candidate that stops winning stops being recommended. A winner that is
 * no longer one of the spec's versions (the spec was edited) is never recommended.
 */
export function versionRecommendedForPromotion(
  experiment: Pick<Experiment, "spec">,
  analysis: Analysis | undefined,
): string | undefined {
  const data = analysis?.winnerAssessment?.data;
  const winner = data?.winnerFound && typeof data.winner === "string" ? data.winner : undefined;
  if (winner !== undefined && versionNames(experiment).includes(winner)) return winner;
  return experiment.spec.versionInfo?.baseline.name;
}

/**
 * The version promoted when the experiment ends with `outcome`. Only a completed experiment
 * promotes what its latest analysis recommends; a rollback or a failure promotes the baseline,
 * the version that served before the experiment, whatever any earlier iteration recommended.
 */
export function versionToPromote(
  experiment: Pick<Experiment, "spec">,
  analysis: Analysis | undefined,
  outcome: ConclusionOutcome,
): string | undefined {
  if (outcome === ConclusionOutcome.Completed) return versionRecommendedForPromotion(experiment, analysis);
  return experiment.spec.versionInfo?.baseline.name;
}
