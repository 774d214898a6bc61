import { extractReportData, ExperimentOutcome, type ReportData } from "@iter8ts/report";
import type { Experiment } from "@iter8ts/types";

/** One line of the list page, read from an experiment through the report's read model. */
export interface ExperimentRow {
  name: string;
  namespace: string;
  target: string;
  testingPattern: string;
  stage: string | null;
  completedIterations: number;
  totalIterations: number;
  /** The winner analytics found, or null (none yet, or none found). */
  winner: string | null;
  /** The first candidate, whose traffic the sparkline draws. */
  candidate: string | null;
  /** The candidate's weight (%) at each iteration shown, oldest first; null where none was recorded. */
  candidateWeights: Array<{ iteration: number; weight: number | null }>;
  outcome: ExperimentOutcome;
  outcomeText: string;
  lastUpdateTime: string | null;
}

/** Which rows the list's outcome filter keeps. */
export const OutcomeFilter = {
  All: "all",
  Running: "running",
  Completed: "completed",
  RolledBack: "rolled-back",
  Failed: "failed",
} as const;
export type OutcomeFilter = (typeof OutcomeFilter)[keyof typeof OutcomeFilter];

/** The list's filter, from the page's query string (`?q=…&outcome=…`). */
export interface ListFilter {
  /** Words that must each appear in the name, namespace, target, pattern, stage or a version. */
  text: string;
  outcome: OutcomeFilter;
}

// Feeds hand out the same object until the experiment changes: read each version once.
const reportOf = new WeakMap<Experiment, ReportData>();

/** The report data of `experiment` (`extractReportData`), computed once per experiment object. */
export function reportDataOf(experiment: Experiment): ReportData {
  let data = reportOf.get(experiment);
  if (!data) reportOf.set(experiment, (data = extractReportData(experiment)));
  return data;
}

/** The row of `experiment` (and the report data it was read from, for callers that need more). */
export function experimentRow(experiment: Experiment, data: ReportData = reportDataOf(experiment)): ExperimentRow {
  const x = data.experiment;
  const candidate = x.candidates[0] ?? null;
  const series = candidate === null ? undefined : data.weights?.series.find((s) => s.name === candidate);
  return {
    name: x.name,
    namespace: x.namespace,
    target: x.target,
    testingPattern: x.testingPattern,
    stage: x.stage,
    completedIterations: x.completedIterations,
    totalIterations: x.totalIterations,
    winner: data.winner.assessment?.found ? data.winner.assessment.version : null,
    candidate,
    candidateWeights: (series?.points ?? []).map((p) => ({ iteration: p.x, weight: p.y })),
    outcome: x.outcome,
    outcomeText: x.outcomeText,
    lastUpdateTime: x.lastUpdateTime,
  };
}

const OUTCOMES: Record<OutcomeFilter, readonly ExperimentOutcome[] | null> = {
  all: null,
  running: [ExperimentOutcome.NotStarted, ExperimentOutcome.InProgress],
  completed: [ExperimentOutcome.Completed],
  "rolled-back": [ExperimentOutcome.RolledBack],
  failed: [ExperimentOutcome.Failed],
};

/** Reads `?q=` and `?outcome=`; an unknown outcome means all (the form offers only known ones). */
export function parseListFilter(query: URLSearchParams): ListFilter {
  const outcome = query.get("outcome") ?? OutcomeFilter.All;
  return {
    text: (query.get("q") ?? "").slice(0, 200).trim(),
    outcome: Object.values(OutcomeFilter).includes(outcome as OutcomeFilter) ? (outcome as OutcomeFilter) : OutcomeFilter.All,
  };
}

/** Whether `row` (with its experiment's versions) passes `filter`. */
export function matchesFilter(row: ExperimentRow, versions: readonly string[], filter: ListFilter): boolean {
  const allowed = OUTCOMES[filter.outcome];
  if (allowed && !allowed.includes(row.outcome)) return false;
  const haystack = [row.name, row.namespace, `${row.namespace}/${row.name}`, row.target, row.testingPattern, row.stage ?? "", ...versions].join("\n").toLowerCase();
  return filter.text
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== "")
    .every((word) => haystack.includes(word));
}
