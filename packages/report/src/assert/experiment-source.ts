import type { Experiment, ValidationIssue } from "@iter8ts/types";

/** Why an experiment could not be loaded. */
export const ExperimentLoadErrorCode = {
  /** The file or stream could not be read. */
  ReadFailed: "read_failed",
  /** The input holds no document. */
  EmptyInput: "empty_input",
  /** The input is not one valid Experiment. */
  InvalidExperiment: "invalid_experiment",
  /** The cluster has no such experiment (or none at all in the namespace). */
  NotFound: "not_found",
} as const;
export type ExperimentLoadErrorCode = (typeof ExperimentLoadErrorCode)[keyof typeof ExperimentLoadErrorCode];

/** An experiment could not be loaded; `issues` lists every problem by field path. */
export class ExperimentLoadError extends Error {
  override readonly name = "ExperimentLoadError";
  constructor(
    readonly code: ExperimentLoadErrorCode,
    /** Where the experiment was read from, e.g. a file path or `standard input`. */
    readonly source: string,
    message: string,
    readonly issues: ValidationIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A parsed experiment, plus problems that did not stop parsing (unknown fields, ignored). */
export interface LoadedExperiment {
  experiment: Experiment;
  warnings: ValidationIssue[];
}

/**
 * Where `describe` and `assert` get their experiment from. `load` reads it afresh on every call,
 * so `assert --timeout` sees new status; a file today, a cluster object when one is named.
 */
export interface ExperimentSource {
  /** The source as a user would name it, for messages. */
  readonly label: string;
  /** False when a second `load` cannot see anything new (standard input is read once). */
  readonly rereadable: boolean;
  /** @throws ExperimentLoadError */
  load(): Promise<LoadedExperiment>;
}
