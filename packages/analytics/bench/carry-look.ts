/** How the simulator feeds each look back, the way the engine does between iterations. */
import type { Experiment, VersionWeight } from "@iter8ts/types";
import type { analyze } from "../src/index";

/**
 * Carries one look's analysis into the experiment as the engine does: the analysis and the
 * applied weights are written into the status, which goes through the API server as JSON.
 * Returns the weights of `names`, in order, for the next look's routing.
 */
export function carryLook(experiment: Experiment, analysis: ReturnType<typeof analyze>, names: readonly string[], iteration: number, now: number): number[] {
  const next: VersionWeight[] = analysis.weights.data;
  experiment.status = JSON.parse(
    JSON.stringify({
      ...experiment.status,
      analysis: { ...experiment.status?.analysis, ...analysis },
      currentWeightDistribution: next,
      completedIterations: iteration,
      lastUpdateTime: new Date(now).toISOString(),
    }),
  ) as Experiment["status"];
  return names.map((name) => next.find((w) => w.name === name)?.value ?? 0);
}
