import { escapeHtml } from "./escape-html";
import { ReportSource, WeightsKind, type MetricData, type ObjectiveData, type ReportData } from "../report/extract-report-data";
import type { ExperimentOutcome } from "../outcome/experiment-outcome";
import { formatNumber } from "../report/format-number";
import { renderLineChart } from "./line-chart";
import type { SequentialTestStatistics, StatisticsEvidence, VersionStatistics } from "../report/statistics-evidence";

/** Options of {@link renderReportHtml}. */
export interface RenderReportOptions {
  /**
   * A time to print as "rendered at" in the footer. Absent by default, so that the same
   * experiment always gives a byte-identical page.
   */
  renderedAt?: string;
}

/** Shorthand: escape a document string. */
const e = escapeHtml;

/** An outcome as the pages print it. */
export const OUTCOME_LABEL: Record<ExperimentOutcome, string> = {
  NotStarted: "Not started",
  InProgress: "In progress",
  Completed: "Completed",
  RolledBack: "Rolled back",
  Failed: "Failed",
};

// Inline only: the page must open without any network access, and the Content-Security-Policy
// below forbids every external resource, scripts included.
/** The report's CSS; the dashboard serves it as a stylesheet of its own origin. */
export const REPORT_STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --good: #116329; --bad: #a40e26; --warn: #7d4e00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
header { border-bottom: 1px solid var(--line); margin-bottom: 16px; padding-bottom: 12px; }
.eyebrow { margin: 0; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .06em; }
h1 { margin: 4px 0 8px; font-size: 28px; overflow-wrap: anywhere; }
h2 { margin: 32px 0 8px; font-size: 21px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 20px 0 6px; font-size: 16px; overflow-wrap: anywhere; }
p { margin: 6px 0; }
.note { color: var(--muted); font-size: 14px; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 4px; padding: 0 8px; font-weight: 600; font-size: 13px; margin-right: 8px; }
.outcome-Completed { color: var(--good); }
.outcome-Failed, .outcome-RolledBack { color: var(--bad); }
.outcome-InProgress, .outcome-NotStarted { color: var(--warn); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.result { border: 1px solid var(--line); background: var(--panel); border-radius: 8px; padding: 12px 16px; }
.result .winner { font-size: 20px; font-weight: 600; margin: 0 0 4px; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
table.decisions { width: 100%; }
table.decisions th, table.decisions td:nth-child(-n+5) { white-space: nowrap; }
thead th { background: var(--panel); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict-met { color: var(--good); }
.verdict-not-met { color: var(--bad); font-weight: 600; }
.verdict-none { color: var(--muted); }
.best { font-weight: 600; }
figure.chart-figure { margin: 12px 0 24px; }
figure.chart-figure figcaption { font-weight: 600; margin-bottom: 4px; overflow-wrap: anywhere; }
svg.chart { max-width: 100%; height: auto; display: block; font: 12px system-ui, sans-serif; }
svg.chart .grid line { stroke: #e6e8eb; }
svg.chart .axis line { stroke: #57606a; }
svg.chart .axis text { fill: #24292f; }
svg.chart .axis-label { font-size: 13px; font-weight: 600; }
svg.chart .empty { fill: var(--muted); font-size: 14px; }
.reference-line { stroke: #57606a; stroke-width: 1.5; stroke-dasharray: 5 4; }
svg.chart .reference-label { fill: #57606a; font-size: 11px; }
ul.legend { list-style: none; padding: 0; margin: 6px 0; display: flex; flex-wrap: wrap; gap: 4px 18px; }
ul.legend li { display: flex; align-items: center; gap: 6px; overflow-wrap: anywhere; }
ul.legend svg.swatch { flex: none; }
details.data summary { cursor: pointer; color: var(--muted); }
footer { margin-top: 40px; border-top: 1px solid var(--line); padding-top: 8px; color: var(--muted); font-size: 13px; }
`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function verdict(satisfied: boolean | null): string {
  if (satisfied === true) return `<span class="verdict-met">✓ met</span>`;
  if (satisfied === false) return `<span class="verdict-not-met">✗ not met</span>`;
  return `<span class="verdict-none">– not assessed</span>`;
}

function fact(label: string, value: string | null | undefined, raw = false): string {
  const shown = value === null || value === undefined || value === "" ? `<span class="note">—</span>` : raw ? value : e(value);
  return `<dt>${e(label)}</dt><dd>${shown}</dd>`;
}

function overview(data: ReportData): string {
  const x = data.experiment;
  const versions = x.baseline === null ? null : `${e(x.baseline)} (baseline)${x.candidates.map((c) => `, ${e(c)}`).join("")}`;
  const rows = [
    fact("Name", x.name),
    fact("Namespace", x.namespace),
    fact("Target", x.target),
    fact("Testing pattern", x.testingPattern),
    fact("Deployment pattern", x.deploymentPattern),
    fact("Versions", versions, true),
    fact("Stage", x.stage),
    fact("Iterations", `${x.completedIterations} of ${x.totalIterations} completed`),
    fact("Outcome", x.outcomeText),
    fact("Status message", x.message),
    fact("Initialised", x.initTime),
    fact("Started", x.startTime),
    fact("Last update", x.lastUpdateTime),
  ];
  const conditions = x.conditions.length
    ? [
        `<table class="conditions"><caption>Conditions</caption><thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">Last transition</th></tr></thead><tbody>`,
        ...x.conditions.map(
          (c) =>
            `<tr><th scope="row">${e(c.type)}</th><td>${e(c.status)}</td><td>${e(c.reason ?? "")}</td><td>${e(c.message ?? "")}</td><td>${e(c.lastTransitionTime ?? "")}</td></tr>`,
        ),
        `</tbody></table>`,
      ].join("")
    : `<p class="note">No conditions recorded yet.</p>`;
  return `<section id="overview" aria-labelledby="overview-h"><h2 id="overview-h">Overview</h2><dl class="facts">${rows.join("")}</dl>${conditions}</section>`;
}

function result(data: ReportData): string {
  const w = data.winner;
  let headline: string;
  if (w.assessment === null) headline = `<p class="winner" data-winner="">No winner assessed yet</p>`;
  else if (w.assessment.found && w.assessment.version) {
    headline = `<p class="winner" data-winner="${e(w.assessment.version)}">Winner: <span class="winner-name">${e(w.assessment.version)}</span></p>`;
  } else headline = `<p class="winner" data-winner="">No winner found</p>`;
  const parts = [headline];
  if (w.bestVersions.length > 1) parts.push(`<p>Tied for best: ${w.bestVersions.map(e).join(", ")}</p>`);
  if (w.since !== null) parts.push(`<p>The winner since iteration ${w.since}.</p>`);
  if (w.explanation) parts.push(`<p><strong>Why:</strong> <span class="explanation">${e(w.explanation)}</span></p>`);
  if (w.analyticsMessage) parts.push(`<p><strong>Analytics said:</strong> ${e(w.analyticsMessage)}</p>`);
  const recommended = data.versionRecommendedForPromotion;
  parts.push(
    `<p><strong>Recommended for promotion:</strong> <span class="recommended">${recommended ? e(recommended) : "none yet"}</span></p>`,
  );
  if (data.conclusion) {
    parts.push(`<p class="conclusion" data-outcome="${e(data.conclusion.outcome)}"><strong>Conclusion:</strong> ${e(data.conclusion.reason)}</p>`);
  }
  const latest = data.latestDecision;
  if (latest) {
    parts.push(`<p><strong>Latest decision</strong> (iteration ${latest.iteration}, ${e(latest.outcome)}): ${e(latest.reason)}</p>`);
  }
  return `<section id="result" aria-labelledby="result-h"><h2 id="result-h">Winner and recommendation</h2><div class="result">${parts.join("")}</div></section>`;
}

function weights(data: ReportData): string {
  const out = [`<section id="weights" aria-labelledby="weights-h"><h2 id="weights-h">Traffic weights</h2>`];
  if (data.weights) {
    const kind = data.weights.kind;
    const title =
      kind === WeightsKind.Applied
        ? "Traffic weight of each version after each iteration (%)"
        : kind === WeightsKind.Observed
          ? "Traffic weight of each version as observed (%)"
          : "Weights recommended by analytics at each iteration (%)";
    out.push(
      renderLineChart({
        id: "chart-weights",
        title,
        description: `Percent of traffic per version (${data.weights.series.map((s) => s.name).join(", ")}) by iteration.`,
        xLabel: "Iteration",
        yLabel: "Weight (%)",
        series: data.weights.series,
        yDomain: [0, 100],
        formatValue: (v) => `${formatNumber(v)}%`,
      }),
    );
  }
  if (data.weightsNote) out.push(`<p class="note">${e(data.weightsNote)}</p>`);
  out.push(`</section>`);
  return out.join("\n");
}

function metricChart(metric: MetricData, index: number): string {
  const units = metric.units ? ` (${metric.units})` : "";
  const roles = metric.roles.length ? ` — ${metric.roles.join(", ")}` : "";
  return renderLineChart({
    id: `chart-metric-${index}`,
    title: `${metric.metric}${units}${roles}`,
    description: `Value of ${metric.metric} per version by iteration${metric.limits.length ? `, with ${metric.limits.map((l) => `${l.label} ${formatNumber(l.value)}`).join(" and ")}` : ""}.`,
    xLabel: "Iteration",
    yLabel: metric.units ? `${metric.metric.slice(metric.metric.indexOf("/") + 1)} (${metric.units})` : metric.metric.slice(metric.metric.indexOf("/") + 1),
    series: metric.series,
    references: metric.limits.map((l) => ({ y: l.value, label: l.label })),
  });
}

function metrics(data: ReportData): string {
  const out = [`<section id="metrics" aria-labelledby="metrics-h"><h2 id="metrics-h">Metrics</h2>`];
  if (data.metrics.length === 0) out.push(`<p class="note">No metric values yet.</p>`);
  data.metrics.forEach((m, i) => out.push(metricChart(m, i)));
  out.push(`</section>`);
  return out.join("\n");
}

function limitText(limit: ObjectiveData["upperLimit"]): string {
  return limit === null ? `<span class="note">—</span>` : e(formatNumber(limit.value));
}

function objectives(data: ReportData): string {
  const versions = data.experiment.versions;
  const out = [`<section id="objectives" aria-labelledby="objectives-h"><h2 id="objectives-h">Objectives</h2>`];
  if (data.objectives.length === 0) {
    out.push(`<p class="note">The experiment has no objectives.</p></section>`);
    return out.join("");
  }
  out.push(
    `<table class="objectives"><caption>Objectives and whether each version meets them (latest analysis${data.source === ReportSource.Decisions ? "; in brackets: iterations that met it" : ""})</caption><thead><tr><th scope="col">#</th><th scope="col">Metric</th><th scope="col">Lower limit</th><th scope="col">Upper limit</th><th scope="col">Rollback on failure</th>`,
  );
  for (const v of versions) out.push(`<th scope="col">${e(v)}</th>`);
  out.push(`</tr></thead><tbody>`);
  for (const o of data.objectives) {
    out.push(
      `<tr><td class="num">${o.index + 1}</td><th scope="row">${e(o.metric)}</th><td class="num">${limitText(o.lowerLimit)}</td><td class="num">${limitText(o.upperLimit)}</td><td>${o.rollbackOnFailure ? "yes" : "no"}</td>`,
    );
    for (const v of versions) {
      const h = o.history?.[v];
      const count = h && h.assessed > 0 ? ` <span class="note">(${h.met} of ${h.assessed})</span>` : "";
      out.push(`<td data-version="${e(v)}">${verdict(o.satisfied[v] ?? null)}${count}</td>`);
    }
    out.push(`</tr>`);
  }
  out.push(`</tbody></table></section>`);
  return out.join("");
}

function rewards(data: ReportData): string {
  const versions = data.experiment.versions;
  const out = [`<section id="rewards" aria-labelledby="rewards-h"><h2 id="rewards-h">Reward</h2>`];
  if (data.rewards.length === 0) {
    out.push(`<p class="note">The experiment has no reward metric${data.experiment.testingPattern === "Canary" || data.experiment.testingPattern === "Conformance" ? ` (a ${e(data.experiment.testingPattern)} experiment decides by its objectives)` : ""}.</p></section>`);
    return out.join("");
  }
  out.push(
    `<table class="rewards"><caption>Reward values in the latest analysis; ★ marks the best value</caption><thead><tr><th scope="col">Reward</th><th scope="col">Preferred</th>`,
  );
  for (const v of versions) out.push(`<th scope="col">${e(v)}</th>`);
  out.push(`</tr></thead><tbody>`);
  data.rewards.forEach((r, i) => {
    out.push(`<tr><th scope="row">${e(r.metric)}${i > 0 ? ` <span class="note">(not used to pick the winner)</span>` : ""}</th><td>${r.preferredDirection === "High" ? "higher" : "lower"}</td>`);
    for (const v of versions) {
      const value = r.values[v];
      if (!value) out.push(`<td class="num"><span class="note">no value</span></td>`);
      else if (r.best.includes(v)) out.push(`<td class="num best">${e(formatNumber(value.value))} ★ best</td>`);
      else out.push(`<td class="num">${e(formatNumber(value.value))}</td>`);
    }
    out.push(`</tr>`);
  });
  out.push(`</tbody></table></section>`);
  return out.join("");
}

const maybe = (n: number | null, digits = 3): string => (n === null ? "—" : formatNumber(Number(n.toPrecision(digits))));

const SPENDING: Record<string, string> = { "obrien-fleming": "O'Brien-Fleming-like", pocock: "Pocock-like" };

/** The design cell: which test decides, with its spending, or why the always-valid test does. */
function designCell(t: SequentialTestStatistics): string {
  if (t.groupSequential) return `group-sequential <span class="note">(${e(SPENDING[t.groupSequential.spending] ?? t.groupSequential.spending)} alpha spending)</span>`;
  return `always-valid${t.alwaysValidReason ? ` <span class="note">(${e(t.alwaysValidReason)})</span>` : ""}`;
}

/** The outcome cell: the side the test has settled on, or that it has not. */
function outcomeCell(t: SequentialTestStatistics): string {
  if (t.favours === "candidate") return `<span class="verdict-met">favours the candidate</span>`;
  if (t.favours === "baseline") return `<span class="verdict-not-met">favours the baseline</span>`;
  return `<span class="verdict-none">not significant yet</span>`;
}

function sequentialRow(version: string, t: SequentialTestStatistics): string {
  const interval = t.interval ? ` <span class="note">(interval ${e(maybe(t.interval[0]))} to ${e(maybe(t.interval[1]))})</span>` : "";
  const alwaysValid = `${e(maybe(t.pValue))}${interval}`;
  const gs = t.groupSequential;
  const cells = gs
    ? [
        `${gs.look} of ${gs.plannedLooks}`,
        e(maybe(gs.z)),
        gs.look === 0
          ? `<span class="note">no look yet</span>`
          : `candidate above ${e(maybe(gs.upperBound))}; baseline below ${e(maybe(gs.lowerBound))}`,
        `${e(maybe(gs.spentUpper))} of ${e(maybe(gs.alphaUpper))} (candidate side); ${e(maybe(gs.spentLower))} of ${e(maybe(gs.alphaLower))} (baseline side)`,
        `${alwaysValid} <span class="note">(reported, not deciding)</span>`,
      ]
    : [`${t.looks} ${t.looks === 1 ? "look" : "looks"}, any number allowed`, "—", "—", `<span class="note">none: level ${e(maybe(t.alpha))} at every look</span>`, alwaysValid];
  return `<tr><th scope="row">${e(version)}</th><td>${designCell(t)}</td>${cells.map((c, i) => `<td${i === 1 ? ' class="num"' : ""}>${c}</td>`).join("")}<td>${outcomeCell(t)}</td></tr>`;
}

/** One row per candidate: the sequential test that confirms it against the baseline. */
function sequentialTests(versions: VersionStatistics[]): string {
  const tested = versions.filter((v): v is VersionStatistics & { sequential: SequentialTestStatistics } => v.sequential !== null);
  if (tested.length === 0) return "";
  const out = [
    `<table class="statistics-sequential"><caption>Sequential tests against the baseline (the z, boundaries and alpha are those of the last look that counted)</caption><thead><tr><th scope="col">Candidate</th><th scope="col">Design</th><th scope="col">Look</th><th scope="col">z</th><th scope="col">Boundary at this look</th><th scope="col">Alpha spent</th><th scope="col">Always-valid p</th><th scope="col">Outcome</th></tr></thead><tbody>`,
  ];
  for (const v of tested) out.push(sequentialRow(v.version, v.sequential));
  out.push(`</tbody></table>`);
  return out.join("");
}

function statistics(evidence: StatisticsEvidence): string {
  const out = [`<section id="statistics" aria-labelledby="statistics-h"><h2 id="statistics-h">Statistical evidence</h2>`];
  const w = evidence.winner;
  if (w.reason) out.push(`<p><strong>Winner rule${w.rule ? ` (${e(w.rule)})` : ""}:</strong> ${e(w.reason)}</p>`);
  if (evidence.versions.length) {
    out.push(
      `<table class="statistics-versions"><caption>Per version${w.confidence === null ? "" : ` (confidence ${e(formatNumber(w.confidence))})`}</caption><thead><tr><th scope="col">Version</th><th scope="col">Status</th><th scope="col">P(feasible)</th><th scope="col">Sample size</th><th scope="col">Reward (posterior mean)</th><th scope="col">Credible interval</th><th scope="col">P(best)</th><th scope="col">Expected loss</th></tr></thead><tbody>`,
    );
    for (const v of evidence.versions) {
      const ci = v.rewardInterval ? `${maybe(v.rewardInterval[0])} to ${maybe(v.rewardInterval[1])}` : "—";
      out.push(
        `<tr><th scope="row">${e(v.version)}</th><td>${e(v.status ?? "—")}</td><td class="num">${maybe(v.feasibility)}</td><td class="num">${maybe(v.sampleSize, 12)}</td><td class="num">${maybe(v.rewardMean, 4)}</td><td class="num">${e(ci)}</td><td class="num">${maybe(v.probabilityBest)}</td><td class="num">${maybe(v.expectedLoss)}</td></tr>`,
      );
    }
    out.push(`</tbody></table>`);
  }
  out.push(sequentialTests(evidence.versions));
  if (evidence.objectives.length) {
    out.push(
      `<table class="statistics-objectives"><caption>Objectives</caption><thead><tr><th scope="col">#</th><th scope="col">Metric</th><th scope="col">Version</th><th scope="col">Decision</th><th scope="col">P(objective holds)</th><th scope="col">Why</th></tr></thead><tbody>`,
    );
    for (const o of evidence.objectives) {
      const decision = o.decision === "satisfied" ? verdict(true) : o.decision === "violated" ? verdict(false) : `<span class="verdict-none">? ${e(o.decision ?? "undecided")}</span>`;
      out.push(
        `<tr><td class="num">${o.objective + 1}</td><td>${e(o.metric)}</td><th scope="row">${e(o.version)}</th><td>${decision}</td><td class="num">${maybe(o.probability)}</td><td>${e(o.reason ?? "")}</td></tr>`,
      );
    }
    out.push(`</tbody></table>`);
  }
  if (evidence.srm) {
    out.push(`<p><strong>Traffic check (sample ratio)${evidence.srm.status ? `: ${e(evidence.srm.status)}` : ""}.</strong> ${e(evidence.srm.reason ?? "")}</p>`);
  }
  if (evidence.weights?.reason) out.push(`<p><strong>Weights${evidence.weights.rule ? ` (${e(evidence.weights.rule)})` : ""}:</strong> ${e(evidence.weights.reason)}</p>`);
  out.push(`</section>`);
  return out.join("");
}

function decisions(data: ReportData): string {
  const out = [`<section id="decisions" aria-labelledby="decisions-h"><h2 id="decisions-h">Decisions</h2>`];
  if (data.decisions.length === 0) {
    out.push(`<p class="note">The status holds no decision history.</p></section>`);
    return out.join("");
  }
  out.push(
    `<table class="decisions"><caption>What each iteration decided and why (oldest first)</caption><thead><tr><th scope="col">Iteration</th><th scope="col">Loop</th><th scope="col">Time</th><th scope="col">Outcome</th><th scope="col">Winner</th><th scope="col">Recommended for promotion</th><th scope="col">Objectives not met</th><th scope="col">Why</th></tr></thead><tbody>`,
  );
  for (const d of data.decisions) {
    const why = d.error ? `${e(d.reason)} <span class="note">(${e(d.error)})</span>` : e(d.reason);
    const unmet =
      d.unmetObjectives === null
        ? `<span class="note">not assessed</span>`
        : d.unmetObjectives.length === 0
          ? `<span class="verdict-met">all met</span>`
          : d.unmetObjectives.map((u) => `<span class="verdict-not-met">${e(u.version)}</span>: ${u.objectives.join(", ")}`).join("; ");
    out.push(
      `<tr><th scope="row" class="num">${d.iteration}</th><td class="num">${d.loop ?? "—"}</td><td>${e(d.time ?? "")}</td><td>${e(d.outcome)}</td><td>${d.winner ? e(d.winner) : `<span class="note">none</span>`}</td><td>${d.versionRecommendedForPromotion ? e(d.versionRecommendedForPromotion) : `<span class="note">none</span>`}</td><td class="unmet">${unmet}</td><td>${why}</td></tr>`,
    );
  }
  out.push(`</tbody></table></section>`);
  return out.join("");
}

/**
 * The report's sections, each a `<section>` with a fixed id (`overview`, `result`, `weights`,
 * `metrics`, `objectives`, `rewards`, `statistics` when the analysis has evidence, `decisions`),
 * every text escaped: the report page and the live dashboard's experiment page are made of them.
 */
export function renderReportSections(data: ReportData): string[] {
  return [overview(data), result(data), weights(data), metrics(data), objectives(data), rewards(data), data.statistics ? statistics(data.statistics) : "", decisions(data)].filter(
    (section) => section !== "",
  );
}

/**
 * Draws a report as one self-contained HTML page: inline CSS and SVG, no script, and a
 * Content-Security-Policy that forbids loading anything, so it opens offline and cannot call
 * out. Every string from the experiment is escaped. The same data gives the same bytes.
 */
export function renderReportHtml(data: ReportData, options: RenderReportOptions = {}): string {
  const x = data.experiment;
  const sourceText =
    data.source === ReportSource.Decisions
      ? `status.decisions (${data.iterations.length} iteration${data.iterations.length === 1 ? "" : "s"})`
      : data.source === ReportSource.Analysis
        ? "the latest status.analysis"
        : "the experiment's spec and status (not analysed yet)";
  const body = [
    `<header><p class="eyebrow">Iter8 experiment report</p><h1>${e(x.name)}</h1>`,
    `<p class="outcome outcome-${x.outcome}"><span class="badge">${OUTCOME_LABEL[x.outcome]}</span>${e(x.namespace)} · ${e(x.testingPattern)} · ${e(x.deploymentPattern)} · ${x.completedIterations} of ${x.totalIterations} iterations</p></header>`,
    data.historyNote ? `<p class="note">${e(data.historyNote)}</p>` : "",
    ...renderReportSections(data),
    `<footer>Drawn by iter8ctl report from ${sourceText}.${options.renderedAt ? ` Rendered at ${e(options.renderedAt)}.` : ""}</footer>`,
  ];
  return [
    `<!DOCTYPE html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="referrer" content="no-referrer">`,
    `<title>${e(`${x.name} — Iter8 experiment report`)}</title>`,
    `<style>${REPORT_STYLE}</style>`,
    `</head>`,
    `<body><main>`,
    ...body.filter((b) => b !== ""),
    `</main></body>`,
    `</html>`,
    ``,
  ].join("\n");
}
