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
  const copy = structuredClone(experiment);
  const spec = copy.spec;
  const d = EXPERIMENT_DEFAULTS;
  spec.strategy.deploymentPattern ??= d.deploymentPattern;
  spec.strategy.weights = {
    ...spec.strategy.weights,
    maxCandidateWeight: spec.strategy.weights?.maxCandidateWeight ?? d.maxCandidateWeight,
    maxCandidateWeightIncrement: spec.strategy.weights?.maxCandidateWeightIncrement ?? d.maxCandidateWeightIncrement,
  };
  spec.duration = {
    ...spec.duration,
    intervalSeconds: spec.duration?.intervalSeconds ?? d.intervalSeconds,
    iterationsPerLoop: spec.duration?.iterationsPerLoop ?? d.iterationsPerLoop,
    maxLoops: spec.duration?.maxLoops ?? d.maxLoops,
  };
  if (spec.strategy.deploymentPattern === "BlueGreen") {
    for (const objective of spec.criteria?.objectives ?? []) objective.rollback_on_failure ??= true;
  }
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
