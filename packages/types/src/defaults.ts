import type { DeploymentPattern, Experiment } from "./experiment";

/** Defaults the controller applies in memory on every reconcile (none are stored in the CRD). */
export const EXPERIMENT_DEFAULTS = {
  maxCandidateWeight: 100,
  maxCandidateWeightIncrement: 10,
  deploymentPattern: "Progressive" as DeploymentPattern,
  intervalSeconds: 20,
  iterationsPerLoop: 15,
  maxLoops: 1,
} as const;

/** The namespace of an experiment, or `default`. */
export function experimentNamespace(experiment: Pick<Experiment, "metadata">): string {
  return experiment.metadata.namespace || "default";
}

/**
 * Returns a copy of the experiment with the in-memory defaults filled in: weights
 * (100 / 10), deployment pattern (Progressive), duration (20 s, 15 iterations, 1 loop), and
 * `rollback_on_failure: true` on objectives that lack it when the pattern is BlueGreen.
 * The input is not modified.
 */
export function withDefaults<E extends Experiment>(experiment: E): E {
  // Only the objects that get defaults are copied; free-form JSON the user wrote (task inputs,
  // `criteria.strength`) is shared, not cloned, so however deep it nests it costs nothing here.
  const d = EXPERIMENT_DEFAULTS;
  const source = experiment.spec;
  const deploymentPattern = source.strategy.deploymentPattern ?? d.deploymentPattern;
  const strategy = {
    ...source.strategy,
    deploymentPattern,
    weights: {
      ...source.strategy.weights,
      maxCandidateWeight: source.strategy.weights?.maxCandidateWeight ?? d.maxCandidateWeight,
      maxCandidateWeightIncrement: source.strategy.weights?.maxCandidateWeightIncrement ?? d.maxCandidateWeightIncrement,
    },
  };
  const duration = {
    ...source.duration,
    intervalSeconds: source.duration?.intervalSeconds ?? d.intervalSeconds,
    iterationsPerLoop: source.duration?.iterationsPerLoop ?? d.iterationsPerLoop,
    maxLoops: source.duration?.maxLoops ?? d.maxLoops,
  };
  const spec = { ...source, strategy, duration };
  if (source.criteria) {
    spec.criteria = { ...source.criteria };
    if (source.criteria.objectives) {
      spec.criteria.objectives = source.criteria.objectives.map((objective) =>
        deploymentPattern === "BlueGreen" ? { ...objective, rollback_on_failure: objective.rollback_on_failure ?? true } : { ...objective },
      );
    }
  }
  const copy = { ...experiment, metadata: { ...experiment.metadata }, spec };
  if (experiment.status !== undefined) copy.status = structuredClone(experiment.status);
  return copy;
}

/** Total iterations an experiment runs: iterationsPerLoop × maxLoops (after defaults). */
export function totalIterations(experiment: Experiment): number {
  const d = experiment.spec.duration;
  return (d?.iterationsPerLoop ?? EXPERIMENT_DEFAULTS.iterationsPerLoop) * (d?.maxLoops ?? EXPERIMENT_DEFAULTS.maxLoops);
}

/** The version names in order: baseline first, then candidates. */
export function versionNames(experiment: Pick<Experiment, "spec">): string[] {
  const info = experiment.spec.versionInfo;
  if (!info) return [];
  return [info.baseline.name, ...(info.candidates ?? []).map((c) => c.name)];
}
