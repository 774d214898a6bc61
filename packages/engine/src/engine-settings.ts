/**
 * The engine's settings: what a runtime may pass ({@link EngineOptions}, every one optional) and
 * the same resolved once, with defaults, when the engine is created ({@link EngineSettings}).
 */
import { analyze as defaultAnalyze, type MetricValues, type StatisticsAnalysis } from "@iter8ts/analytics";
import type { Analysis, Experiment } from "@iter8ts/types";
import { DEFAULT_DECISION_HISTORY } from "./decision-record";
import type { ActionValidator } from "./next-step";

/** The analysis parts computed each iteration (everything in `status.analysis` but the builtin histograms). */
export type IterationAnalysis = Pick<Analysis, "aggregatedMetrics" | "versionAssessments" | "winnerAssessment" | "weights"> & {
  /** The statistics mode's evidence and running state, when `criteria.strength` is set. */
  statistics?: StatisticsAnalysis;
};

/** The analytics function the engine calls each iteration. */
export type AnalyzeFn = (
  experiment: Experiment,
  values: MetricValues,
  options: { now: Date; provenance: string },
) => IterationAnalysis;

/** Backoff for failed steps. */
export interface RetryPolicy {
  /** Attempts of a step before the experiment fails (first attempt included). Default 6. */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. Default 2 s. */
  initialDelayMs?: number;
  /** Longest delay between attempts. Default 2 min. */
  maxDelayMs?: number;
}

/** Engine settings; every one has a default. */
export interface EngineOptions {
  /** Analytics; defaults to `analyze` from `@iter8ts/analytics`. */
  analyze?: AnalyzeFn;
  /** Written as `provenance` of each analysis. Default `iter8ts/analytics`. */
  provenance?: string;
  retry?: RetryPolicy;
  /**
   * How often an action the runner lost (it answers Unknown for a started run, e.g. a restarted
   * local process) is started again before it fails. Default 1.
   */
  maxActionRestarts?: number;
  /** How often to ask the runner about a running action. Default 1 s. */
  actionPollMs?: number;
  /** An action still running after this long fails. Default 20 min. */
  actionTimeoutMs?: number;
  /** How often a waiting experiment looks at its target again, in case a wake-up was missed. Default 30 s. */
  waitingRecheckMs?: number;
  /** Retry delay after the store failed. Default 5 s. */
  storeRetryMs?: number;
  /** Decisions kept in `status.decisions`. Default 50. */
  decisionHistory?: number;
  /** Re-reads after a write conflict within one reconcile. Default 3. */
  conflictRetries?: number;
  /** Makes the token that identifies an experiment incarnation; default 12 random hex digits. */
  newRunToken?: () => string;
  /**
   * Checks the actions' tasks before the experiment takes its target (for example with
   * `@iter8ts/tasks`' `validate`); a problem fails the experiment with InvalidExperiment.
   */
  validateActions?: ActionValidator;
}

/** {@link EngineOptions} with every default applied and every bound enforced. */
export interface EngineSettings {
  analyze: AnalyzeFn;
  provenance: string;
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  maxActionRestarts: number;
  actionPollMs: number;
  actionTimeoutMs: number;
  waitingRecheckMs: number;
  storeRetryMs: number;
  decisionHistory: number;
  conflictRetries: number;
  newRunToken: () => string;
  validateActions: ActionValidator | undefined;
}

function randomToken(): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Resolves the options once, when the engine is created. */
export function resolveSettings(options: EngineOptions = {}): EngineSettings {
  return {
    analyze: options.analyze ?? defaultAnalyze,
    provenance: options.provenance ?? "iter8ts/analytics",
    maxAttempts: Math.max(1, options.retry?.maxAttempts ?? 6),
    initialDelayMs: options.retry?.initialDelayMs ?? 2_000,
    maxDelayMs: options.retry?.maxDelayMs ?? 120_000,
    maxActionRestarts: Math.max(0, options.maxActionRestarts ?? 1),
    actionPollMs: options.actionPollMs ?? 1_000,
    actionTimeoutMs: options.actionTimeoutMs ?? 20 * 60_000,
    waitingRecheckMs: options.waitingRecheckMs ?? 30_000,
    storeRetryMs: options.storeRetryMs ?? 5_000,
    decisionHistory: options.decisionHistory ?? DEFAULT_DECISION_HISTORY,
    conflictRetries: Math.max(0, options.conflictRetries ?? 3),
    newRunToken: options.newRunToken ?? randomToken,
    validateActions: options.validateActions,
  };
}

/** The delay before the next attempt after `attempts` failed ones: doubling, capped. */
export function backoffMs(settings: Pick<EngineSettings, "initialDelayMs" | "maxDelayMs">, attempts: number): number {
  return Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** Math.max(0, attempts - 1));
}
