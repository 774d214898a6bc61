import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { experimentOutcome, ExperimentOutcome } from "@iter8ts/report";
import { ExperimentStatusSchema, totalIterations, withDefaults, ExperimentSchema } from "@iter8ts/types";
import type { PreparedExperiment } from "./prepare-workdir";

/** What an experiment's status says at the end of a run. */
export interface ExperimentReport {
  name: string;
  stage?: string;
  completedIterations: number;
  /** iterationsPerLoop × maxLoops, with defaults. */
  totalIterations: number;
  /** `status.message`. */
  message?: string;
  versionRecommendedForPromotion?: string;
  winner?: string;
  /** True when a rollback_on_failure objective ended the experiment early (its outcome, from `status.conclusion`). */
  rolledBack: boolean;
  /** True when the experiment failed (the Failed condition, or `status.conclusion`). */
  failed: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the status `iter8ctl run` left on an experiment in the working copy. Returns undefined
 * when the file holds no status for it (a runner that keeps status elsewhere), so callers can
 * fall back on the routing document alone.
 */
export async function readExperimentReport(dir: string, experiment: PreparedExperiment): Promise<ExperimentReport | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, experiment.file), "utf8");
  } catch {
    return undefined;
  }
  const docs = parseAllDocuments(text);
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const value: unknown = doc.toJS();
    if (!isRecord(value) || value.kind !== "Experiment" || !isRecord(value.metadata) || value.metadata.name !== experiment.name) continue;
    const parsed = ExperimentSchema.safeParse(value);
    const status = ExperimentStatusSchema.safeParse(value.status);
    if (!parsed.success || !status.success || !isRecord(value.status)) return undefined;
    const s = status.data;
    const { outcome } = experimentOutcome(s);
    const report: ExperimentReport = {
      name: experiment.name,
      completedIterations: s.completedIterations ?? 0,
      totalIterations: totalIterations(withDefaults(parsed.data)),
      rolledBack: outcome === ExperimentOutcome.RolledBack,
      failed: outcome === ExperimentOutcome.Failed,
    };
    if (s.stage) report.stage = s.stage;
    if (s.message) report.message = s.message;
    if (s.versionRecommendedForPromotion) report.versionRecommendedForPromotion = s.versionRecommendedForPromotion;
    const winner = s.analysis?.winnerAssessment?.data;
    if (winner?.winnerFound && winner.winner) report.winner = winner.winner;
    return report;
  }
  return undefined;
}
