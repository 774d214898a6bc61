import type { Analysis, Experiment } from "@iter8ts/types";

/**
 * The version recommended for promotion: the winner when analytics found one, otherwise the
 * baseline. It is recomputed after every iteration and does not stick to an earlier winner, so a
 * candidate that stops winning stops being recommended.
 */
export function versionRecommendedForPromotion(
  experiment: Pick<Experiment, "spec">,
  analysis: Analysis | undefined,
): string | undefined {
  const data = analysis?.winnerAssessment?.data;
  if (data?.winnerFound && typeof data.winner === "string" && data.winner !== "") return data.winner;
  return experiment.spec.versionInfo?.baseline.name;
}
