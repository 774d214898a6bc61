import { criteriaMetricKeys, readEngineStatus, type DecisionRecord } from "@iter8ts/engine";
import {
  experimentNamespace,
  quantityToNumber,
  sameMetricRef,
  type Conclusion,
  type Experiment,
  type VersionWeight,
} from "@iter8ts/types";
import { summarizeExperiment, type ObjectiveSummary, type RewardSummary, type WinnerSummary } from "../describe/summarize-experiment";
import { experimentOutcome, type ExperimentOutcome } from "../outcome/experiment-outcome";
import { explainWinner } from "./explain-winner";
import { readStatisticsEvidence, type StatisticsEvidence } from "./statistics-evidence";

/** Where the per-iteration data of a report comes from. */
export const ReportSource = {
  /** `status.decisions`: one entry per iteration (the last 50). */
  Decisions: "decisions",
  /** Only the latest `status.analysis`: one point per version. */
  Analysis: "analysis",
  /** The experiment has not been analysed yet. */
  None: "none",
} as const;
export type ReportSource = (typeof ReportSource)[keyof typeof ReportSource];

/** Values of one series (a version) at each iteration; `null` where there is none. */
export interface ReportSeries {
  name: string;
  points: Array<{ x: number; y: number | null }>;
}

/** Which weights a weights chart shows. */
export const WeightsKind = {
  /** The split in force after each iteration (observed when it differed from the recommendation). */
  Applied: "applied",
  /** What analytics recommended, when nothing was applied (FixedSplit). */
  Recommended: "recommended",
  /** The split observed on the target objects (from `status.currentWeightDistribution`). */
  Observed: "observed",
} as const;
export type WeightsKind = (typeof WeightsKind)[keyof typeof WeightsKind];

/** Traffic weights per version per iteration, in percent. */
export interface WeightsData {
  kind: WeightsKind;
  series: ReportSeries[];
}

/** One metric's values per version per iteration, and the objective limits on it. */
export interface MetricData {
  /** `namespace/name`. */
  metric: string;
  units: string | null;
  /** What the criteria use it for: `reward (higher is better)`, `objective 1`, `indicator`, `request count`. */
  roles: string[];
  limits: Array<{ label: string; value: number }>;
  series: ReportSeries[];
}

/** An objective as of the latest analysis, with how often each version met it. */
export interface ObjectiveData extends ObjectiveSummary {
  /** Position in `spec.criteria.objectives` (0-based). */
  index: number;
  /** Per version: iterations that met the objective out of those assessed; null without decisions. */
  history: Record<string, { met: number; assessed: number }> | null;
}

/** One iteration's decision, as the engine recorded it. */
export interface DecisionRow {
  iteration: number;
  loop: number | null;
  time: string | null;
  outcome: string;
  reason: string;
  winner: string | null;
  /** The version recommended for promotion after this decision. */
  versionRecommendedForPromotion: string | null;
  /**
   * The versions that did not meet every objective in this iteration, with the objectives they
   * missed (1-based): why a version could not win. Null when the iteration assessed none.
   */
  unmetObjectives: Array<{ version: string; objectives: number[] }> | null;
  error: string | null;
}

/** Overview of the experiment. */
export interface ExperimentOverview {
  name: string;
  namespace: string;
  target: string;
  testingPattern: string;
  deploymentPattern: string;
  stage: string | null;
  completedIterations: number;
  totalIterations: number;
  versions: string[];
  baseline: string | null;
  candidates: string[];
  message: string | null;
  outcome: ExperimentOutcome;
  /** The outcome in words, from the conditions. */
  outcomeText: string;
  conditions: Array<{ type: string; status: string; reason: string | null; message: string | null; lastTransitionTime: string | null }>;
  initTime: string | null;
  startTime: string | null;
  lastUpdateTime: string | null;
}

/**
 * Everything a report shows, as data: the HTML page is drawn from it and `report -o json` prints
 * it. It depends only on the experiment, so the same document always gives the same report.
 */
export interface ReportData {
  experiment: ExperimentOverview;
  source: ReportSource;
  /** The iterations on the x axis of every chart, ascending. */
  iterations: number[];
  /** Set when earlier iterations fell out of the bounded decision history. */
  historyNote: string | null;
  /** Null when there are no weights to show (Conformance, or nothing analysed yet). */
  weights: WeightsData | null;
  /** Why there is no weights chart, or what the chart does not show. */
  weightsNote: string | null;
  metrics: MetricData[];
  objectives: ObjectiveData[];
  rewards: RewardSummary[];
  winner: {
    /** Null until analytics has assessed a winner. */
    assessment: WinnerSummary | null;
    /** Versions tied for best when no unique winner exists. */
    bestVersions: string[];
    /** Why: the statistics mode's reason when present, else the testing pattern's rule applied to the latest analysis. */
    explanation: string | null;
    /** The analytics' own message about the winner, without its empty parts. */
    analyticsMessage: string | null;
    /** The first iteration of the current winner's unbroken run of wins, from the decisions. */
    since: number | null;
  };
  versionRecommendedForPromotion: string | null;
  /** How the experiment ends (completed, rolled back, failed) and why; null until decided. */
  conclusion: Conclusion | null;
  /** The most recent decision, whose sentence says what the experiment did last and why. */
  latestDecision: DecisionRow | null;
  decisions: DecisionRow[];
  statistics: StatisticsEvidence | null;
}

const finite = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/**
 * Drops the empty `Error: ` and `Warning: ` parts that Iter8-style analytics messages carry
 * (`Error: ; Warning: ; Info: found unique winner` → `Info: found unique winner`).
 */
export function readableAnalyticsMessage(message: string | null | undefined): string | null {
  if (!message) return null;
  const parts = message.split("; ").filter((p) => !/^(Error|Warning|Info):\s*$/.test(p));
  const text = parts.join("; ").trim();
  return text === "" ? null : text;
}

/** The last record of each iteration that satisfies `has`, by iteration. */
function latestPerIteration(decisions: readonly DecisionRecord[], has: (d: DecisionRecord) => boolean): Map<number, DecisionRecord> {
  const out = new Map<number, DecisionRecord>();
  for (const d of decisions) if (has(d)) out.set(d.iteration, d);
  return out;
}

/** Baseline and candidates first, then any other version the data names, in order of appearance. */
function orderVersions(known: readonly string[], found: Iterable<string>): string[] {
  const out = [...known];
  for (const v of found) if (!out.includes(v)) out.push(v);
  return out;
}

function weightsOf(d: DecisionRecord): VersionWeight[] | undefined {
  if (d.weightsApplied === true) return d.observedWeights ?? d.recommendedWeights;
  return undefined;
}

function seriesFromWeights(
  iterations: readonly number[],
  versions: readonly string[],
  at: (iteration: number) => readonly VersionWeight[] | undefined,
): ReportSeries[] {
  const names = orderVersions(versions, iterations.flatMap((i) => (at(i) ?? []).map((w) => w.name)));
  return names.map((name) => ({
    name,
    points: iterations.map((x) => ({ x, y: finite(at(x)?.find((w) => w.name === name)?.value) })),
  }));
}

function metricRoles(experiment: Experiment, metric: string): string[] {
  const namespace = experimentNamespace(experiment);
  const criteria = experiment.spec.criteria ?? {};
  const same = (ref: string) => sameMetricRef(ref, metric, namespace);
  const roles: string[] = [];
  if (criteria.requestCount && same(criteria.requestCount)) roles.push("request count");
  for (const r of criteria.rewards ?? []) {
    if (same(r.metric)) roles.push(`reward (${r.preferredDirection === "High" ? "higher" : "lower"} is better)`);
  }
  (criteria.objectives ?? []).forEach((o, i) => {
    if (same(o.metric)) roles.push(`objective ${i + 1}`);
  });
  if ((criteria.indicators ?? []).some(same)) roles.push("indicator");
  return roles;
}

function metricLimits(experiment: Experiment, metric: string): Array<{ label: string; value: number }> {
  const namespace = experimentNamespace(experiment);
  const out: Array<{ label: string; value: number }> = [];
  (experiment.spec.criteria?.objectives ?? []).forEach((o, i) => {
    if (!sameMetricRef(o.metric, metric, namespace)) return;
    const many = (experiment.spec.criteria?.objectives ?? []).filter((p) => sameMetricRef(p.metric, metric, namespace)).length > 1;
    const suffix = many ? ` (objective ${i + 1})` : "";
    if (o.upperLimit !== undefined) out.push({ label: `upper limit${suffix}`, value: quantityToNumber(o.upperLimit) });
    if (o.lowerLimit !== undefined) out.push({ label: `lower limit${suffix}`, value: quantityToNumber(o.lowerLimit) });
  });
  return out;
}

function metricUnits(experiment: Experiment, metric: string): string | null {
  const namespace = experimentNamespace(experiment);
  const info = (experiment.status?.metrics ?? []).find((m) => sameMetricRef(m.name, metric, namespace));
  return info?.metricObj.spec.units ?? null;
}

/** Criteria metrics first in the order the engine loads them, then the others by name. */
function orderMetrics(experiment: Experiment, found: Iterable<string>): string[] {
  const namespace = experimentNamespace(experiment);
  const present = [...new Set(found)];
  const criteria = criteriaMetricKeys(experiment).filter((c) => present.some((m) => sameMetricRef(c, m, namespace)));
  const others = present.filter((m) => !criteria.some((c) => sameMetricRef(c, m, namespace))).sort();
  return [...criteria, ...others];
}

/** Where the latest run of decisions naming `winner` began; decisions without a verdict are skipped. */
function winnerSince(decisions: readonly DecisionRecord[], winner: string | null): number | null {
  if (winner === null) return null;
  let since: number | null = null;
  for (const d of decisions) {
    if (!d.winner) continue;
    if (d.winner.found && d.winner.winner === winner) since ??= d.iteration;
    else since = null;
  }
  return since;
}

function decisionRow(d: DecisionRecord): DecisionRow {
  return {
    iteration: d.iteration,
    loop: d.loop,
    time: d.time,
    outcome: d.outcome,
    reason: d.reason,
    winner: (d.winner?.found && d.winner.winner) || null,
    versionRecommendedForPromotion: d.versionRecommendedForPromotion ?? null,
    unmetObjectives: d.versionAssessments
      ? Object.entries(d.versionAssessments).flatMap(([version, met]) => {
          const objectives = met.flatMap((ok, i) => (ok ? [] : [i + 1]));
          return objectives.length ? [{ version, objectives }] : [];
        })
      : null,
    error: d.error ?? null,
  };
}

/** The value of `metric` (as written in the record, or matched as `namespace/name`) for `version`. */
function valueIn(d: DecisionRecord | undefined, metric: string, version: string, namespace: string): number | null {
  const values = d?.values;
  if (!values) return null;
  const key = Object.hasOwn(values, metric) ? metric : Object.keys(values).find((k) => sameMetricRef(k, metric, namespace));
  return finite(key === undefined ? undefined : values[key]?.[version]?.value);
}

function fromDecisions(experiment: Experiment, decisions: DecisionRecord[], versions: string[]) {
  const namespace = experimentNamespace(experiment);
  const iterations = [...new Set(decisions.map((d) => d.iteration))].sort((a, b) => a - b);
  const withValues = latestPerIteration(decisions, (d) => d.values !== undefined);
  const foundMetrics = new Set<string>();
  const foundVersions = new Set<string>();
  for (const d of withValues.values()) {
    for (const [metric, byVersion] of Object.entries(d.values ?? {})) {
      foundMetrics.add(metric);
      for (const v of Object.keys(byVersion)) foundVersions.add(v);
    }
  }
  const allVersions = orderVersions(versions, foundVersions);
  const metrics: MetricData[] = orderMetrics(experiment, foundMetrics).map((metric) => ({
    metric,
    units: metricUnits(experiment, metric),
    roles: metricRoles(experiment, metric),
    limits: metricLimits(experiment, metric),
    series: allVersions
      .map((name) => ({ name, points: iterations.map((x) => ({ x, y: valueIn(withValues.get(x), metric, name, namespace) })) }))
      // A version that never had this metric (e.g. queried for the baseline only) adds nothing.
      .filter((s) => s.points.some((p) => p.y !== null) || versions.includes(s.name)),
  }));

  const applied = latestPerIteration(decisions, (d) => weightsOf(d) !== undefined);
  const recommended = latestPerIteration(decisions, (d) => d.recommendedWeights !== undefined);
  let weights: WeightsData | null = null;
  let weightsNote: string | null = null;
  if (applied.size > 0) {
    weights = { kind: WeightsKind.Applied, series: seriesFromWeights(iterations, versions, (i) => (applied.has(i) ? weightsOf(applied.get(i)!) : undefined)) };
  } else if (recommended.size > 0) {
    weights = { kind: WeightsKind.Recommended, series: seriesFromWeights(iterations, versions, (i) => recommended.get(i)?.recommendedWeights) };
    weightsNote = `Recommended weights only: they were not applied because ${
      experiment.spec.strategy.deploymentPattern === "FixedSplit" ? "the deployment pattern is FixedSplit" : "no iteration applied them"
    }.`;
  } else {
    weightsNote =
      experiment.spec.strategy.testingPattern === "Conformance" ? "A Conformance experiment has one version, so there are no weights." : "No weights were recommended yet.";
  }

  const assessed = latestPerIteration(decisions, (d) => d.versionAssessments !== undefined);
  const history = (index: number): Record<string, { met: number; assessed: number }> =>
    Object.fromEntries(
      allVersions.map((v) => {
        let met = 0;
        let count = 0;
        for (const d of assessed.values()) {
          const verdict = d.versionAssessments?.[v]?.[index];
          if (verdict === undefined) continue;
          count++;
          if (verdict) met++;
        }
        return [v, { met, assessed: count }];
      }),
    );

  const first = iterations[0] ?? 1;
  const historyNote =
    first > 1
      ? `The status keeps the decisions of the most recent iterations only; iterations 1–${first - 1} are not shown.`
      : null;
  return { iterations, metrics, weights, weightsNote, history, historyNote };
}

function fromAnalysis(experiment: Experiment, versions: string[]) {
  const status = experiment.status ?? {};
  const analysis = status.analysis;
  if (!analysis?.aggregatedMetrics && !analysis?.weights && !analysis?.versionAssessments) return null;
  const x = Math.max(1, status.completedIterations ?? 0);
  const iterations = [x];
  const aggregated = analysis.aggregatedMetrics?.data ?? {};
  const namespace = experimentNamespace(experiment);
  const metrics: MetricData[] = orderMetrics(experiment, Object.keys(aggregated)).map((metric) => {
    const key = Object.hasOwn(aggregated, metric) ? metric : Object.keys(aggregated).find((k) => sameMetricRef(k, metric, namespace));
    const data = key === undefined ? {} : (aggregated[key]?.data ?? {});
    const names = orderVersions(versions, Object.keys(data));
    return {
      metric,
      units: metricUnits(experiment, metric),
      roles: metricRoles(experiment, metric),
      limits: metricLimits(experiment, metric),
      series: names.map((name) => {
        const q = data[name]?.value;
        return { name, points: [{ x, y: q === undefined || q === null ? null : quantityToNumber(q) }] };
      }),
    };
  });
  let weights: WeightsData | null = null;
  let weightsNote: string | null = null;
  if (status.currentWeightDistribution?.length) {
    weights = { kind: WeightsKind.Observed, series: seriesFromWeights(iterations, versions, () => status.currentWeightDistribution) };
  } else if (analysis.weights?.data.length) {
    weights = { kind: WeightsKind.Recommended, series: seriesFromWeights(iterations, versions, () => analysis.weights?.data) };
  } else {
    weightsNote = experiment.spec.strategy.testingPattern === "Conformance" ? "A Conformance experiment has one version, so there are no weights." : "No weights were recommended yet.";
  }
  const historyNote = "The status has no decision history (it was written by a runtime that does not keep one), so each chart shows the latest analysis only.";
  return { iterations, metrics, weights, weightsNote, historyNote };
}

/**
 * Collects what a report shows from an experiment: the overview, the charts' series (from
 * `status.decisions`, or from the latest `status.analysis` when there are none), objectives,
 * rewards, the winner and why, the recommended version, the decisions, and the statistics
 * evidence when the analysis carries it. Pure; never throws on a parsed experiment.
 */
export function extractReportData(experiment: Experiment): ReportData {
  const summary = summarizeExperiment(experiment);
  // The engine's status schema drops decisions of the wrong shape (hand-edited ones).
  const engineStatus = readEngineStatus(experiment.status);
  const decisions = engineStatus.decisions ?? [];
  const status = experiment.status ?? {};
  const { outcome, text } = experimentOutcome(experiment.status);
  const info = experiment.spec.versionInfo;

  let source: ReportSource = ReportSource.None;
  let iterations: number[] = [];
  let metrics: MetricData[] = [];
  let weights: WeightsData | null = null;
  let weightsNote: string | null = "No iteration has been analysed yet.";
  let historyNote: string | null = null;
  let history: ((index: number) => Record<string, { met: number; assessed: number }>) | null = null;
  if (decisions.length > 0) {
    const d = fromDecisions(experiment, decisions, summary.versions);
    source = ReportSource.Decisions;
    ({ iterations, metrics, weights, weightsNote, historyNote } = d);
    history = d.history;
  } else {
    const a = fromAnalysis(experiment, summary.versions);
    if (a) {
      source = ReportSource.Analysis;
      ({ iterations, metrics, weights, weightsNote, historyNote } = a);
    }
  }

  const statistics = readStatisticsEvidence(status.analysis);
  const winnerData = status.analysis?.winnerAssessment;
  const latest = decisions[decisions.length - 1];
  return {
    experiment: {
      name: summary.name,
      namespace: summary.namespace,
      target: summary.target,
      testingPattern: summary.testingPattern,
      deploymentPattern: summary.deploymentPattern,
      stage: summary.stage,
      completedIterations: summary.completedIterations,
      totalIterations: summary.totalIterations,
      versions: summary.versions,
      baseline: info?.baseline.name ?? null,
      candidates: (info?.candidates ?? []).map((c) => c.name),
      message: summary.message,
      outcome,
      outcomeText: text,
      conditions: (status.conditions ?? []).map((c) => ({
        type: c.type,
        status: c.status,
        reason: c.reason ?? null,
        message: c.message ?? null,
        lastTransitionTime: c.lastTransitionTime ?? null,
      })),
      initTime: status.initTime ?? null,
      startTime: status.startTime ?? null,
      lastUpdateTime: status.lastUpdateTime ?? null,
    },
    source,
    iterations,
    historyNote,
    weights,
    weightsNote,
    metrics,
    objectives: summary.objectives.map((o, index) => ({ ...o, index, history: history ? history(index) : null })),
    rewards: summary.rewards,
    winner: {
      assessment: summary.winner,
      bestVersions: [...(winnerData?.data.bestVersions ?? [])],
      explanation: statistics?.winner.reason ?? explainWinner(summary),
      analyticsMessage: readableAnalyticsMessage(winnerData?.message),
      since: winnerSince(decisions, summary.winner?.found ? summary.winner.version : null),
    },
    versionRecommendedForPromotion: summary.versionRecommendedForPromotion,
    conclusion: summary.conclusion,
    latestDecision: latest ? decisionRow(latest) : null,
    decisions: decisions.map(decisionRow),
    statistics,
  };
}
