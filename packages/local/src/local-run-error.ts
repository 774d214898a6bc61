/** Why local mode could not start or keep its files. */
export const LocalRunErrorCode = {
  /** A path given to `iter8ctl run` cannot be read. */
  ReadFailed: "read_failed",
  /** A document is not valid YAML/JSON, or an Experiment, Metric or Secret does not validate. */
  InvalidDocument: "invalid_document",
  /** An object cannot be told apart from another (the same kind and name under two apiVersions). */
  AmbiguousObject: "ambiguous_object",
  /** The paths hold no Experiment. */
  NoExperiment: "no_experiment",
  /** An object that an experiment's weightObjRef names is not among the documents. */
  MissingObject: "missing_object",
  /** A task of an action would be refused (unknown task, bad inputs, bad condition). */
  InvalidTasks: "invalid_tasks",
  /** The actions run commands on this machine and the user did not allow it (`--allow-exec` or the prompt). */
  ExecNotAllowed: "exec_not_allowed",
  /** Another `iter8ctl run` is working in the same folder. */
  Locked: "locked",
  /** A file could not be written. */
  WriteFailed: "write_failed",
  /** The state file of actions is unreadable. */
  StateUnreadable: "state_unreadable",
} as const;
export type LocalRunErrorCode = (typeof LocalRunErrorCode)[keyof typeof LocalRunErrorCode];

/**
 * A problem with the files local mode works on. The message names the file (and line, or the
 * object) and what to do; `problems` lists every problem when there are several.
 */
export class LocalRunError extends Error {
  override readonly name = "LocalRunError";
  constructor(
    readonly code: LocalRunErrorCode,
    message: string,
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Writing may succeed on a second attempt (a full disk freed, a lock released); reading a bad file will not. */
  get retryable(): boolean {
    return this.code === LocalRunErrorCode.WriteFailed;
  }
}
