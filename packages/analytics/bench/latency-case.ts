/**
 * The latency case of the bench and the profile: A/B/N with 10 versions × 10 metrics (a
 * conversion-rate reward, four rate objectives, three means with a spread, two point values),
 * analysed look after look for 20 iterations with the analysis written back into the status as
 * the engine does (a JSON round trip, like the API server), so the statistics mode continues its
 * carried state. Traffic follows the recommended weights (multinomial routing).
 */
import type { Experiment, ExperimentInput } from "@iter8ts/types";
import { analyze, seededRandom, type MetricValues } from "../src/index";
import { carryLook } from "./carry-look";
import { binomial, route } from "./random-draws";

const REQUEST_COUNT = "default/request-count";
const CONVERSION = "default/conversion-rate";
const ERROR_RATES = ["default/error-rate", "default/timeout-rate", "default/retry-rate", "default/5xx-ratio"];
const MEANS = ["default/mean-latency", "default/mean-ttfb", "default/mean-db-time"];
const POINTS = ["default/cpu-cores", "default/memory-mb"];
const START = Date.parse("2026-01-01T00:00:00Z");
/** Looks per sequence. */
export const LATENCY_LOOKS = 20;
const VERSIONS = 10;
const PER_LOOK = 4000;

function latencyExperiment(statistics: boolean): Experiment {
  const names = Array.from({ length: VERSIONS }, (_, i) => `v${i + 1}`);
  const input: ExperimentInput = {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "latency", namespace: "default" },
    spec: {
      target: "default/app",
      strategy: { testingPattern: "A/B/N", weights: { maxCandidateWeightIncrement: 10 } },
      criteria: {
        requestCount: REQUEST_COUNT,
        rewards: [{ metric: CONVERSION, preferredDirection: "High" }],
        objectives: [
          ...ERROR_RATES.map((metric) => ({ metric, upperLimit: "0.02" })),
          ...MEANS.map((metric) => ({ metric, upperLimit: 250 })),
          ...POINTS.map((metric) => ({ metric, upperLimit: 4000 })),
        ],
        ...(statistics
          ? { strength: { metrics: Object.fromEntries(MEANS.map((m) => [m, { model: "mean" as const, stddev: 80 }])) } }
          : {}),
      },
      duration: { intervalSeconds: 20, iterationsPerLoop: LATENCY_LOOKS },
      versionInfo: { baseline: { name: names[0]! }, candidates: names.slice(1).map((name) => ({ name })) },
    },
    status: {
      startTime: new Date(START).toISOString(),
      currentWeightDistribution: names.map((name) => ({ name, value: 10 })),
    },
  };
  return input as Experiment;
}

/** Runs one 20-look sequence and returns the duration of each `analyze()` call in ms. */
export function latencySequence(statistics: boolean, seed: string, call: typeof analyze = analyze): number[] {
  const random = seededRandom(seed);
  const experiment = latencyExperiment(statistics);
  const names = Array.from({ length: VERSIONS }, (_, i) => `v${i + 1}`);
  const requests = names.map(() => 0);
  const conversions = names.map(() => 0);
  const errors = ERROR_RATES.map(() => names.map(() => 0));
  let weights = names.map(() => 10);
  const durations: number[] = [];
  for (let t = 1; t <= LATENCY_LOOKS; t++) {
    const routed = route(random, PER_LOOK, weights);
    routed.forEach((n, i) => {
      requests[i]! += n;
      conversions[i]! += binomial(random, n, 0.1 + 0.001 * i);
      errors.forEach((counts) => (counts[i]! += binomial(random, n, 0.01)));
    });
    const rate = (k: number, n: number) => (n > 0 ? { value: k / n, sampleSize: n } : { value: null });
    const values: MetricValues = {
      [REQUEST_COUNT]: Object.fromEntries(names.map((v, i) => [v, { value: requests[i]! }])),
      [CONVERSION]: Object.fromEntries(names.map((v, i) => [v, rate(conversions[i]!, requests[i]!)])),
    };
    ERROR_RATES.forEach((metric, m) => {
      values[metric] = Object.fromEntries(names.map((v, i) => [v, rate(errors[m]![i]!, requests[i]!)]));
    });
    for (const metric of MEANS) values[metric] = Object.fromEntries(names.map((v) => [v, { value: 200 + 10 * random() }]));
    for (const metric of POINTS) values[metric] = Object.fromEntries(names.map((v) => [v, { value: 1000 + 100 * random() }]));
    const now = START + t * 20_000;
    const t0 = performance.now();
    const analysis = call(experiment, values, { now });
    durations.push(performance.now() - t0);
    weights = carryLook(experiment, analysis, names, t, now);
  }
  return durations;
}

/** Durations (ms) of `analyze()` over `sequences` sequences of 20 looks, after `warmup` sequences. */
export function latencySamples(statistics: boolean, sequences: number, warmup: number, call: typeof analyze = analyze, tag = "latency"): number[] {
  for (let s = 0; s < warmup; s++) latencySequence(statistics, `warmup|${s}`, call);
  const samples: number[] = [];
  for (let s = 0; s < sequences; s++) samples.push(...latencySequence(statistics, `${tag}|${s}`, call));
  return samples;
}

/** Median and p95 of durations. */
export function latencySummary(samples: readonly number[]): { median: number; p95: number; calls: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95), calls: sorted.length };
}

/** Median and p95 of `analyze()` over `sequences` sequences of 20 looks, after `warmup` sequences. */
export function measureLatency(
  statistics: boolean,
  sequences = 100,
  warmup = 15,
  call: typeof analyze = analyze,
): { median: number; p95: number; calls: number } {
  return latencySummary(latencySamples(statistics, sequences, warmup, call));
}
