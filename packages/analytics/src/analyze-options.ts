import type { Experiment } from "@iter8ts/types";

/** Options shared by {@link analyze} and its steps. Analytics has no clock: time comes in here. */
export interface AnalyzeOptions {
  /**
   * The time of this analysis: stamped on every result and used as "now" for mock metrics.
   * Defaults to the latest time the experiment's status records (`lastUpdateTime`, else
   * `startTime`, else `initTime`), so that re-analysing a saved experiment is repeatable. An
   * unparseable value is ignored in favour of that default.
   */
  now?: Date | string | number;
  /** Written into every result's `provenance` (the controller writes its analytics endpoint). */
  provenance?: string;
}

/** The provenance stamped on results when the caller names none. */
export const DEFAULT_PROVENANCE = "iter8ts/analytics";

/** {@link AnalyzeOptions} with every default filled in. */
export interface ResolvedAnalyzeOptions {
  /** RFC 3339 timestamp of the analysis. */
  timestamp: string;
  /** The same instant in milliseconds since the epoch. */
  nowMs: number;
  provenance: string;
}

function toMillis(time: Date | string | number | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = time instanceof Date ? time.getTime() : typeof time === "number" ? time : Date.parse(time);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Fills in the defaults of {@link AnalyzeOptions} for one experiment. */
export function resolveAnalyzeOptions(
  experiment: Pick<Experiment, "status">,
  options: AnalyzeOptions = {},
): ResolvedAnalyzeOptions {
  const status = experiment.status;
  const nowMs =
    toMillis(options.now) ??
    toMillis(status?.lastUpdateTime) ??
    toMillis(status?.startTime) ??
    toMillis(status?.initTime) ??
    0;
  return {
    timestamp: new Date(nowMs).toISOString(),
    nowMs,
    provenance: options.provenance ?? DEFAULT_PROVENANCE,
  };
}

/**
 * Whole seconds from `status.startTime` to `nowMs`, at least 1 (as Iter8 computes
 * `elapsedTime`): a start in the future, or no start at all, counts as 1 second.
 */
export function elapsedSeconds(experiment: Pick<Experiment, "status">, nowMs: number): number {
  const start = toMillis(experiment.status?.startTime);
  if (start === undefined) return 1;
  return Math.max(1, Math.floor((nowMs - start) / 1000));
}
