import type { ExperimentSummary, ObjectiveSummary } from "../describe/summarize-experiment";
import { formatNumber } from "./format-number";

/** An objective in words: `objective 1 (shop/mean-latency ≤ 250)`. */
export function describeObjective(objective: Pick<ObjectiveSummary, "metric" | "lowerLimit" | "upperLimit">, index: number): string {
  const { metric, lowerLimit: lo, upperLimit: hi } = objective;
  let rule = metric;
  if (lo && hi) rule = `${formatNumber(lo.value)} ≤ ${metric} ≤ ${formatNumber(hi.value)}`;
  else if (hi) rule = `${metric} ≤ ${formatNumber(hi.value)}`;
  else if (lo) rule = `${metric} ≥ ${formatNumber(lo.value)}`;
  return `objective ${index + 1} (${rule})`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * Why the winner is what it is, in one or two sentences built from the latest analysis and the
 * testing pattern's rule (Conformance: the baseline if it meets every objective; Canary: the
 * candidate if it does, else the baseline if it does; A/B and A/B/N: the best value of the first
 * reward among the versions that meet every objective). Null before a winner was assessed.
 */
export function explainWinner(summary: ExperimentSummary): string | null {
  if (!summary.winner) return null;
  const versions = summary.versions;
  const failed = (v: string) => summary.objectives.flatMap((o, i) => (o.satisfied[v] === false ? [describeObjective(o, i)] : []));
  const unassessed = (v: string) => summary.objectives.some((o) => o.satisfied[v] !== true && o.satisfied[v] !== false);
  const feasible = versions.filter((v) => failed(v).length === 0 && !unassessed(v));
  const why = (v: string) => {
    const f = failed(v);
    return f.length ? `${v} does not meet ${list(f)}` : `${v} has not been assessed against every objective`;
  };
  const meets = summary.objectives.length === 0 ? "has no objectives to meet" : "meets every objective";
  const winner = summary.winner.found ? summary.winner.version : null;
  const baseline = versions[0];
  const infeasible = versions.filter((v) => !feasible.includes(v));

  switch (summary.testingPattern) {
    case "Conformance":
      if (baseline === undefined) return "The experiment names no version.";
      return winner ? `${winner} ${meets}.` : `${why(baseline)}.`;
    case "Canary": {
      const candidate = versions[1];
      if (baseline === undefined || candidate === undefined) return "A Canary experiment needs a baseline and one candidate.";
      if (winner === candidate) return `The candidate ${candidate} ${meets}.`;
      if (winner === baseline) return `The candidate ${why(candidate)}; the baseline ${baseline} ${meets}.`;
      return `Neither version meets every objective: ${infeasible.map(why).join("; ")}.`;
    }
    case "A/B":
    case "A/B/N": {
      const reward = summary.rewards[0];
      const others = infeasible.length ? ` ${infeasible.map(why).join("; ")}.` : "";
      if (!reward) return `An ${summary.testingPattern} experiment needs a reward to pick a winner.${others}`;
      const direction = reward.preferredDirection === "High" ? "higher" : "lower";
      if (winner) {
        const value = reward.values[winner];
        const shown = value ? ` (${formatNumber(value.value)}, ${direction} is better)` : "";
        const among = feasible.length > 1 ? ` among the versions that meet every objective (${list(feasible)})` : feasible.length === 1 ? `, and it is the only version that ${meets}` : "";
        return `${winner} has the best ${reward.metric}${shown}${among}.${others}`;
      }
      if (feasible.length === 0) return `No version meets every objective.${others}`;
      const tied = reward.best.filter((v) => feasible.includes(v));
      if (tied.length > 1) return `${list(tied)} tie for the best ${reward.metric}, so no single winner.${others}`;
      return `The ${reward.metric} of the versions that meet every objective (${list(feasible)}) is not available.${others}`;
    }
  }
}

