import { formatDecimal } from "./format-decimal";
import { renderTable } from "./render-table";
import type { ExperimentSummary, ObjectiveSummary, QuantityValue, RewardSummary } from "./summarize-experiment";

const UNAVAILABLE = "unavailable";

// How each testing pattern picks its winner, shown above the winner.
const WINNER_RULES: Partial<Record<ExperimentSummary["testingPattern"], string[]>> = {
  Canary: [
    "> If the candidate version satisfies the experiment objectives, then it is the winner.",
    "> Otherwise, if the baseline version satisfies the experiment objectives, it is the winner.",
    "> Otherwise, there is no winner.",
  ],
  Conformance: [
    "> If the version being validated; i.e., the baseline version, satisfies the experiment objectives, it is the winner.",
    "> Otherwise, there is no winner.",
  ],
};

function heading(title: string): string {
  return `\n****** ${title} ******\n`;
}

function valueText(v: QuantityValue | null): string {
  return v ? formatDecimal(v.quantity) : UNAVAILABLE;
}

/** `>= L`, `<= U` or `>= L; <= U`. */
export function conditionText(objective: Pick<ObjectiveSummary, "lowerLimit" | "upperLimit">): string {
  const parts: string[] = [];
  if (objective.lowerLimit) parts.push(`>= ${formatDecimal(objective.lowerLimit.quantity)}`);
  if (objective.upperLimit) parts.push(`<= ${formatDecimal(objective.upperLimit.quantity)}`);
  return parts.join("; ");
}

function rewardRow(reward: RewardSummary, versions: readonly string[]): string[] {
  const label = `${reward.metric} (${reward.preferredDirection === "High" ? "higher" : "lower"} better)`;
  const cells = versions.map((v) => {
    const text = valueText(reward.values[v] ?? null);
    return reward.best.includes(v) ? `${text} *` : text;
  });
  return [label, ...cells];
}

function winnerSection(s: ExperimentSummary): string {
  let out = heading("Winner Assessment");
  for (const line of WINNER_RULES[s.testingPattern] ?? []) out += `${line}\n`;
  const conformance = s.testingPattern === "Conformance";
  if (!conformance && s.versions.length > 0) out += `App versions in this experiment: [${s.versions.join(" ")}]\n`;
  const winner = s.winner?.found ? s.winner.version : null;
  out += `Winning version: ${winner ?? "not found"}\n`;
  if (!conformance && s.versionRecommendedForPromotion !== null) {
    out += `Version recommended for promotion: ${s.versionRecommendedForPromotion}\n`;
  }
  if (s.conclusion) out += `Conclusion: ${s.conclusion.reason}\n`;
  return out;
}

/**
 * The text of `iter8ctl describe`: Overview and Progress Summary always; once an iteration has
 * completed, the Winner, Reward, Objective and Metrics assessments that analytics has produced.
 * Values are shown with three decimals rounded toward +∞; in the reward table the version with
 * the best value (by the reward's preferred direction) is marked with `*`, every tied version
 * when several share it. The text starts and ends with a newline.
 */
export function renderDescription(s: ExperimentSummary): string {
  let out = heading("Overview");
  out += `Experiment name: ${s.name}\n`;
  out += `Experiment namespace: ${s.namespace}\n`;
  out += `Target: ${s.target}\n`;
  out += `Testing pattern: ${s.testingPattern}\n`;
  out += `Deployment pattern: ${s.deploymentPattern}\n`;

  out += heading("Progress Summary");
  if (s.stage !== null) out += `Experiment stage: ${s.stage}\n`;
  out += `Number of completed iterations: ${s.completedIterations}\n`;

  // Before the first iteration there is nothing assessed worth showing.
  if (s.completedIterations <= 0) return out;

  if (s.winner !== null) out += winnerSection(s);

  if (s.rewards.length > 0 && s.analysis.versionAssessments) {
    out += heading("Reward Assessment");
    out += "> Identifies values of reward metrics for each version. The best version is marked with a '*'.\n";
    out += renderTable(["Reward", ...s.versions], s.rewards.map((r) => rewardRow(r, s.versions)));
  }

  if (s.objectives.length > 0 && s.analysis.versionAssessments) {
    out += heading("Objective Assessment");
    out += "> Whether objectives specified in the experiment are satisfied by versions.\n";
    out += "> This assessment is based on last known metric values for each version.\n";
    const rows = s.objectives.map((o) => [
      o.metric,
      conditionText(o),
      ...s.versions.map((v) => {
        const ok = o.satisfied[v];
        return ok === null || ok === undefined ? UNAVAILABLE : String(ok);
      }),
    ]);
    out += renderTable(["Metric", "Condition", ...s.versions], rows);
  }

  if (s.analysis.aggregatedMetrics) {
    out += heading("Metrics Assessment");
    out += "> Last known metric values for each version.\n";
    const rows = s.metrics.map((m) => [
      m.units === null ? m.name : `${m.name} (${m.units})`,
      ...s.versions.map((v) => valueText(m.values[v] ?? null)),
    ]);
    out += renderTable(["Metric", ...s.versions], rows);
  }
  return out;
}
