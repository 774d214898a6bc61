import { validateTasks, validateVersionInfo, type Experiment } from "@iter8ts/types";

/** Why an experiment cannot run, as recorded on the Failed condition. */
export interface ExperimentProblem {
  reason: string;
  message: string;
}

/** The first problem with the action tasks (each needs exactly one of `task` and `run`). */
export function invalidTasks(experiment: Experiment): ExperimentProblem | undefined {
  return validateTasks(experiment) ?? undefined;
}

/**
 * The first problem with `versionInfo`: missing, wrong number of candidates or rewards for the
 * testing pattern, duplicate names, or a fieldPath not starting with `.`.
 */
export function invalidVersionInfo(experiment: Experiment): ExperimentProblem | undefined {
  return validateVersionInfo(experiment) ?? undefined;
}
