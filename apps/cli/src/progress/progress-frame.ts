import { sameMetricRef, type Experiment } from "@iter8ts/types";
import { conditionText, displayWidth, formatDecimal, summarizeExperiment, type ExperimentSummary } from "@iter8ts/report";

const BAR_WIDTH = 20;

/** A bar of `width` cells, `share` (0..1) of them full. */
export function bar(share: number, width = BAR_WIDTH): string {
  const full = Math.max(0, Math.min(width, Math.round(share * width)));
  return "█".repeat(full) + "░".repeat(width - full);
}

function pad(text: string, width: number, right = false): string {
  const space = " ".repeat(Math.max(0, width - displayWidth(text)));
  return right ? space + text : text + space;
}

/** Cuts a line to `columns` terminal columns, so a redraw never wraps. */
export function fitLine(line: string, columns: number): string {
  if (displayWidth(line) <= columns) return line;
  let out = "";
  for (const char of line) {
    if (displayWidth(out + char) > columns - 1) break;
    out += char;
  }
  return `${out}…`;
}

/** One version's cell: the value, and its marks (✓/✗/? for objectives, ★ for the best reward). */
interface MetricCell {
  value: string;
  marks: string;
}

/** One row of the metrics table: a metric, its condition, and a cell per version. */
interface MetricRow {
  label: string;
  cells: MetricCell[];
}

/**
 * The metric rows of an experiment: every metric with its last values; an objective's condition
 * after its name and ✓/✗ after each value; the best reward value marked with ★.
 */
function metricRows(s: ExperimentSummary): MetricRow[] {
  return s.metrics.map((metric) => {
    const objectives = s.objectives.filter((o) => sameMetricRef(o.metric, metric.name, s.namespace));
    const reward = s.rewards.find((r) => sameMetricRef(r.metric, metric.name, s.namespace));
    const conditions = objectives.map(conditionText).filter(Boolean);
    let label = metric.units ? `${metric.name} (${metric.units})` : metric.name;
    if (conditions.length) label += ` ${conditions.join("; ")}`;
    if (reward) label += reward.preferredDirection === "High" ? " ↑ reward" : " ↓ reward";
    const cells = s.versions.map((v): MetricCell => {
      const value = metric.values[v];
      const marks: string[] = [];
      if (objectives.length && value) {
        const verdicts = objectives.map((o) => o.satisfied[v]);
        marks.push(verdicts.some((x) => x === false) ? "✗" : verdicts.every((x) => x === true) ? "✓" : "?");
      }
      if (reward?.best.includes(v)) marks.push("★");
      return { value: value ? formatDecimal(value.quantity) : "-", marks: marks.join(" ") };
    });
    return { label, cells };
  });
}

function cellText(cell: MetricCell | undefined): string {
  return cell ? [cell.value, cell.marks].filter(Boolean).join(" ") : "-";
}

/** `sample-app-v1 80%, sample-app-v2 20%`, from `status.currentWeightDistribution`. */
export function weightsText(experiment: Experiment): string | undefined {
  const weights = experiment.status?.currentWeightDistribution;
  if (!weights?.length) return undefined;
  return weights.map((w) => `${w.name} ${w.value}%`).join(", ");
}

/** `winner sample-app-v2 · promote sample-app-v2`, once analytics has assessed. */
function outcomeText(s: ExperimentSummary): string | undefined {
  const parts: string[] = [];
  if (s.winner) parts.push(`winner ${s.winner.found && s.winner.version ? s.winner.version : "not found yet"}`);
  if (s.versionRecommendedForPromotion) parts.push(`promote ${s.versionRecommendedForPromotion}`);
  return parts.length ? parts.join(" · ") : undefined;
}

/**
 * The live view of one experiment on a terminal: stage, iteration progress, the traffic split
 * as bars, the latest metric values with their assessments, the winner, and the latest event.
 * Lines are cut to `columns`.
 */
export function renderFrame(experiment: Experiment, columns = 100): string[] {
  const s = summarizeExperiment(experiment);
  const lines: string[] = [];
  lines.push(`◆ ${s.namespace}/${s.name} · ${s.testingPattern} · ${s.deploymentPattern} · ${s.stage ?? "not started"}`);
  const total = Math.max(1, s.totalIterations);
  lines.push(`  iteration ${s.completedIterations} of ${s.totalIterations}  ${bar(s.completedIterations / total)}`);

  const weights = experiment.status?.currentWeightDistribution ?? [];
  if (weights.length) {
    const width = Math.max(...weights.map((w) => displayWidth(w.name)));
    weights.forEach((w, i) => lines.push(`  ${i === 0 ? "traffic" : "       "}  ${pad(w.name, width)} ${bar(w.value / 100)} ${pad(`${w.value}%`, 4, true)}`));
  }

  const rows = metricRows(s);
  if (rows.length && s.versions.length) {
    const labelWidth = Math.max(6, ...rows.map((r) => displayWidth(r.label)));
    // Values are right-aligned on their own, marks follow them, so decimal points line up.
    const valueWidths = s.versions.map((_, i) => Math.max(...rows.map((r) => displayWidth(r.cells[i]?.value ?? ""))));
    const markWidths = s.versions.map((_, i) => Math.max(...rows.map((r) => displayWidth(r.cells[i]?.marks ?? ""))));
    const widths = s.versions.map((v, i) => Math.max(displayWidth(v), (valueWidths[i] ?? 0) + ((markWidths[i] ?? 0) > 0 ? 1 + (markWidths[i] ?? 0) : 0)));
    const cell = (c: MetricCell | undefined, i: number) => {
      const marks = (markWidths[i] ?? 0) > 0 ? ` ${pad(c?.marks ?? "", markWidths[i] ?? 0)}` : "";
      return pad(`${pad(c?.value ?? "-", valueWidths[i] ?? 0, true)}${marks}`, widths[i] ?? 0, true);
    };
    lines.push(`  ${pad("metric", labelWidth)}  ${s.versions.map((v, i) => pad(v, widths[i] ?? 0, true)).join("  ")}`);
    for (const row of rows) lines.push(`  ${pad(row.label, labelWidth)}  ${row.cells.map(cell).join("  ")}`);
  }

  const outcome = outcomeText(s);
  if (outcome) lines.push(`  ${outcome}`);
  if (s.message) lines.push(`  ${s.message}`);
  return lines.map((l) => fitLine(l, columns));
}

/**
 * The log lines of one completed iteration, for a plain log: the iteration, the traffic split
 * and the winner on the first line, then one line per metric with its values and assessments.
 */
export function iterationLines(experiment: Experiment): string[] {
  const s = summarizeExperiment(experiment);
  const parts = [`iteration ${s.completedIterations}/${s.totalIterations}`];
  const weights = weightsText(experiment);
  if (weights) parts.push(`traffic ${weights}`);
  const outcome = outcomeText(s);
  if (outcome) parts.push(outcome);
  const lines = [parts.join(" · ")];
  for (const row of metricRows(s)) lines.push(`  ${row.label}: ${s.versions.map((v, i) => `${v} ${cellText(row.cells[i])}`).join(", ")}`);
  return lines;
}
