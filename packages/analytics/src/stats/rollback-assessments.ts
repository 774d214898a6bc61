/**
 * In the statistics mode `versionAssessments` is true only where an objective is satisfied, so an
 * objective still undecided (too little data yet) reads as false there. A runner that rolls back
 * on a failed objective should roll back on a violation only; this gives it the same
 * `version → boolean[]` shape with false exactly where an objective is violated.
 */
import type { StatisticsAnalysis } from "./statistics-analysis";

/**
 * `versionAssessments`-shaped verdicts for rollback decisions: `data[version][i]` is false only
 * when objective i is violated for that version. Returns undefined without a statistics part, so
 * callers can fall back to `versionAssessments.data`:
 *
 * ```ts
 * const verdicts = rollbackAssessments(result.statistics) ?? result.versionAssessments.data;
 * ```
 */
export function rollbackAssessments(statistics: StatisticsAnalysis | undefined): Record<string, boolean[]> | undefined {
  if (!statistics) return undefined;
  const out: Record<string, boolean[]> = {};
  for (const evidence of statistics.data.objectives) {
    const verdicts = (out[evidence.version] ??= []);
    verdicts[evidence.objective] = evidence.decision !== "violated";
  }
  for (const verdicts of Object.values(out)) {
    for (let i = 0; i < verdicts.length; i++) verdicts[i] ??= true;
  }
  return out;
}
