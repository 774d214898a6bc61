import type { Experiment, ExperimentStatus } from "@iter8ts/types";
import type { CollectInputs, CollectOptions, CollectResult, SecretData } from "@iter8ts/metrics";
import type { ResourceClient } from "@iter8ts/resources";
import type { z } from "zod";
import type { ProcessOutcome } from "./exec/run-process";
import type { TaskLocation } from "./task-error";

/**
 * A change to an experiment's status, as a function of the status it applies to, so that a
 * runtime that meets a write conflict can re-read the experiment and apply it again.
 */
export type StatusUpdate = (status: ExperimentStatus) => ExperimentStatus;

/** The load generator `metrics/collect` uses (by default `collectBuiltinMetrics` of `@iter8ts/metrics`). */
export type CollectFunction = (inputs: CollectInputs, options: CollectOptions) => Promise<CollectResult>;

/** Where tasks find Secrets: `get(namespace, name)`; a `SecretStore` of `@iter8ts/metrics` fits. */
export interface SecretSource {
  get(namespace: string, name: string): SecretData | undefined | Promise<SecretData | undefined>;
}

/** Options of {@link TaskContext.exec}. */
export interface ExecOptions {
  /** Variables added to the runner's environment for this process. */
  env?: Readonly<Record<string, string>>;
}

/** What a running task can use. Everything that touches the outside world comes through here. */
export interface TaskContext {
  /** The experiment as the action sees it now (including status updates of earlier tasks). */
  readonly experiment: Experiment;
  readonly location: TaskLocation;
  /** Aborted when the action is cancelled or the task times out. */
  readonly signal: AbortSignal;
  /**
   * Reads a Secret named `namespace/name`, or `name` in the experiment's namespace. From then on
   * its values are masked in output, events and errors.
   */
  secret(ref: string): Promise<SecretData>;
  /** Runs a command without a shell, with the task's timeout, output bound and redaction. */
  exec(command: string, args: readonly string[], options?: ExecOptions): Promise<ProcessOutcome>;
  readonly fetch: typeof fetch;
  readonly resources: ResourceClient | undefined;
  readonly collect: CollectFunction;
  /** Reports progress; warnings also land in the task's outcome. */
  log(level: "info" | "warning", message: string): void;
  /** Applies a status change to the action's experiment and hands it to the runtime to persist. */
  updateStatus(update: StatusUpdate): Promise<void>;
  /** Waits, or rejects when the task is aborted. */
  sleep(ms: number): Promise<void>;
  now(): Date;
  /** The shell for scripts (`/bin/bash`). */
  readonly bash: string;
  /** The kubectl command. */
  readonly kubectl: string;
  /** The Slack Web API base URL, ending in `/`. */
  readonly slackApiUrl: string;
}

/** What a task reports when it succeeds. */
export interface TaskRunOutput {
  /** Captured output (size-bounded, redacted). */
  output?: string;
  truncated?: boolean;
}

/** A task: its name, its inputs, and what it does. */
export interface TaskDefinition<Input = unknown> {
  /** `common/exec`, `notification/http`, …; `run` for scripts. */
  name: string;
  /** One line for listings. */
  summary: string;
  /** The `with` inputs; keys are matched ignoring case. */
  inputs: z.ZodType<Input>;
  /** Starts user-controlled processes: refused unless the runner allows exec. */
  runsUserCode?: boolean;
  /** Checks beyond the schema (templates compile, …); each string is one problem. */
  check?(input: Input): string[];
  run(input: Input, context: TaskContext): Promise<TaskRunOutput | void>;
}

/** Declares a task with its input type inferred from the schema. */
export function defineTask<Input>(definition: TaskDefinition<Input>): TaskDefinition<Input> {
  return definition;
}
