/**
 * Experiments and metric values for the statistics-mode tests: a reward that is a conversion rate
 * over `default/request-count` requests, in the shapes the engine and the metrics source produce.
 */
import type { Experiment, ExperimentInput, Objective } from "@iter8ts/types";
import type { AnalysisResult } from "../../analyze";
import type { MetricValues } from "../../metric-values";

export const REQUESTS = "default/request-count";
export const CONVERSION = "default/conversion-rate";
export const START = "2026-01-01T00:00:00Z";

/** The time of look `n` (20 s apart). */
export const lookTime = (n: number) => new Date(Date.parse(START) + n * 20_000).toISOString();

export interface ExperimentOptions {
  pattern?: "A/B" | "A/B/N" | "Canary" | "Conformance";
  versions?: string[];
  strength?: unknown;
  objectives?: Objective[];
  direction?: "High" | "Low";
  /** Current weights by version (default: 100 on the baseline). */
  current?: Record<string, number>;
  reward?: string | null;
  maxCandidateWeightIncrement?: number;
}

export function statisticsExperiment(options: ExperimentOptions = {}): Experiment {
  const pattern = options.pattern ?? "A/B";
  const versions = options.versions ?? (pattern === "Conformance" ? ["v1"] : ["v1", "v2"]);
  const reward = options.reward === undefined ? CONVERSION : options.reward;
  const rewarded = (pattern === "A/B" || pattern === "A/B/N") && reward !== null;
  const current = options.current ?? { [versions[0]!]: 100 };
  const input: ExperimentInput = {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "exp", namespace: "default" },
    spec: {
      target: "default/app",
      strategy: {
        testingPattern: pattern,
        weights: { maxCandidateWeightIncrement: options.maxCandidateWeightIncrement ?? 10 },
      },
      criteria: {
        requestCount: REQUESTS,
        ...(rewarded ? { rewards: [{ metric: reward, preferredDirection: options.direction ?? "High" }] } : {}),
        ...(options.objectives ? { objectives: options.objectives } : {}),
        strength: options.strength ?? {},
      },
      versionInfo: {
        baseline: { name: versions[0]! },
        ...(versions.length > 1 ? { candidates: versions.slice(1).map((name) => ({ name })) } : {}),
      },
    },
    status: {
      startTime: START,
      currentWeightDistribution: versions.map((name) => ({ name, value: current[name] ?? 0 })),
    },
  };
  return input as Experiment;
}

/** Request counts and conversion rates from `version → [conversions, requests]`. */
export function conversions(byVersion: Record<string, [number, number]>): MetricValues {
  const entries = Object.entries(byVersion);
  return {
    [REQUESTS]: Object.fromEntries(entries.map(([v, [, n]]) => [v, { value: n }])),
    [CONVERSION]: Object.fromEntries(entries.map(([v, [k, n]]) => [v, n > 0 ? { value: k / n, sampleSize: n } : { value: null }])),
  };
}

/** The experiment after the engine stores an analysis and observes the weights it recommended. */
export function afterLook(experiment: Experiment, analysis: AnalysisResult, look: number): Experiment {
  const next = structuredClone(experiment);
  next.status = {
    ...next.status,
    analysis: { ...next.status?.analysis, ...analysis },
    currentWeightDistribution: analysis.weights.data.length ? analysis.weights.data : next.status?.currentWeightDistribution,
    completedIterations: look,
    lastUpdateTime: lookTime(look),
  };
  return next;
}
