import { experimentNamespace, normalizeMetricRef, type Experiment } from "@iter8ts/types";

/** An objective marked `rollback_on_failure` that some versions do not meet. */
export interface RollbackViolation {
  /** Position of the objective in `spec.criteria.objectives`. */
  objective: number;
  /** The objective's metric, as `namespace/name`. */
  metric: string;
  /** The versions assessed as not meeting it. */
  versions: string[];
}

/**
 * The objectives that force a rollback: those whose effective `rollback_on_failure` is true
 * (explicitly, or by default under BlueGreen) and that at least one version, baseline
 * included, is assessed as not meeting. A version with no assessment for the objective is not
 * counted: missing evidence is reported by analytics as `false`, so an absent entry only
 * means the assessment list is shorter than the objectives.
 */
export function findRollbackViolations(
  experiment: Experiment,
  versionAssessments: Record<string, readonly boolean[]> | undefined,
): RollbackViolation[] {
  const objectives = experiment.spec.criteria?.objectives ?? [];
  if (!versionAssessments || objectives.length === 0) return [];
  const blueGreen = experiment.spec.strategy.deploymentPattern === "BlueGreen";
  const namespace = experimentNamespace(experiment);
  const out: RollbackViolation[] = [];
  objectives.forEach((objective, index) => {
    if (!(objective.rollback_on_failure ?? blueGreen)) return;
    const versions = Object.entries(versionAssessments)
      .filter(([, verdicts]) => verdicts[index] === false)
      .map(([version]) => version);
    if (versions.length > 0) {
      out.push({ objective: index, metric: normalizeMetricRef(objective.metric, namespace), versions });
    }
  });
  return out;
}
