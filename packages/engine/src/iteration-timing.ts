import { EXPERIMENT_DEFAULTS, type Experiment, type ExperimentStatus } from "@iter8ts/types";

/** How early an iteration may run, so that a timer firing a little early does not wait a whole interval. */
export const ITERATION_TOLERANCE_MS = 100;

/** Duration settings with defaults applied. */
export interface IterationPlan {
  intervalMs: number;
  iterationsPerLoop: number;
  maxLoops: number;
  totalIterations: number;
}

/** Reads the duration of an experiment, filling the defaults (20 s, 15 iterations, 1 loop). */
export function iterationPlan(experiment: Pick<Experiment, "spec">): IterationPlan {
  const d = experiment.spec.duration;
  const intervalSeconds = d?.intervalSeconds ?? EXPERIMENT_DEFAULTS.intervalSeconds;
  const iterationsPerLoop = d?.iterationsPerLoop ?? EXPERIMENT_DEFAULTS.iterationsPerLoop;
  const maxLoops = d?.maxLoops ?? EXPERIMENT_DEFAULTS.maxLoops;
  return { intervalMs: intervalSeconds * 1000, iterationsPerLoop, maxLoops, totalIterations: iterationsPerLoop * maxLoops };
}

/**
 * When the next iteration is due (epoch ms): right away for the first one, otherwise one
 * interval after the last update. It may run up to {@link ITERATION_TOLERANCE_MS} earlier.
 * Reading the interval from the spec on every call means an edited `intervalSeconds` applies
 * from the next iteration.
 */
export function nextIterationAt(plan: IterationPlan, status: ExperimentStatus): number {
  if ((status.completedIterations ?? 0) === 0) return Number.NEGATIVE_INFINITY;
  const last = status.lastUpdateTime ? Date.parse(status.lastUpdateTime) : Number.NaN;
  if (Number.isNaN(last)) return Number.NEGATIVE_INFINITY;
  return last + plan.intervalMs;
}

/** The loop an iteration (1-based) belongs to. */
export function loopOf(plan: IterationPlan, iteration: number): number {
  return Math.ceil(iteration / plan.iterationsPerLoop);
}
