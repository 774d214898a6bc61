/**
 * The analytics simulator: synthetic versions with known conversion rates run through whole
 * progressive experiments under continuous monitoring (an analysis after every iteration), once
 * with the Iter8 v2 rule (`analyze` without `criteria.strength`) and once with the statistics mode
 * (`strength: {}`), on the same seeds. Prints a table of false winners, power, regret and requests
 * to a decision per scenario, then the latency of `analyze()` for A/B/N with 10 versions × 10
 * metrics.
 *
 * Run: pnpm -F @iter8ts/analytics bench   (options: --experiments N, --quick)
 */
import type { Experiment, ExperimentInput, VersionWeight } from "@iter8ts/types";
import { analyze, seededRandom, type MetricValues, type RandomSource } from "../src/index";
import { lnGamma } from "../src/stats/special-functions";

// ------------------------------------------------------------------------------------------------
// Random draws

/** Binomial(n, p) by inversion, searching outward from the mode: O(√(np(1−p))) steps, exact. */
function binomial(random: RandomSource, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 25) {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  }
  const mode = Math.min(n, Math.floor((n + 1) * p));
  const logMode = lnGamma(n + 1) - lnGamma(mode + 1) - lnGamma(n - mode + 1) + mode * Math.log(p) + (n - mode) * Math.log1p(-p);
  const odds = p / (1 - p);
  let u = random() - Math.exp(logMode);
  if (u <= 0) return mode;
  let hi = mode;
  let lo = mode;
  let pHi = Math.exp(logMode);
  let pLo = pHi;
  while (hi < n || lo > 0) {
    if (hi < n) {
      pHi *= ((n - hi) / (hi + 1)) * odds;
      hi++;
      u -= pHi;
      if (u <= 0) return hi;
    }
    if (lo > 0) {
      pLo *= (lo / (n - lo + 1)) / odds;
      lo--;
      u -= pLo;
      if (u <= 0) return lo;
    }
  }
  return mode;
}

/** Routes `total` requests to versions at integer percent weights (multinomial). */
function route(random: RandomSource, total: number, weights: readonly number[]): number[] {
  const out = weights.map(() => 0);
  let left = total;
  let share = weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    const n = i === weights.length - 1 ? left : share > 0 ? binomial(random, left, Math.min(1, w / share)) : 0;
    out[i] = n;
    left -= n;
    share -= w;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Experiments

const REQUEST_COUNT = "default/request-count";
const CONVERSION = "default/conversion-rate";
const ITERATIONS = 20;
const INTERVAL_SECONDS = 20;
const START = Date.parse("2026-01-01T00:00:00Z");

/** `criteria.strength` of the statistics-mode runs (`--strength '{"topTwo": 1}'` to try others). */
let strengthSetting: Record<string, unknown> = {};

function experimentFor(versionCount: number, statistics: boolean): Experiment {
  const names = Array.from({ length: versionCount }, (_, i) => `v${i + 1}`);
  const input: ExperimentInput = {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "sim", namespace: "default" },
    spec: {
      target: "default/app",
      strategy: {
        testingPattern: versionCount > 2 ? "A/B/N" : "A/B",
        deploymentPattern: "Progressive",
        weights: { maxCandidateWeight: 100, maxCandidateWeightIncrement: 10 },
      },
      criteria: {
        requestCount: REQUEST_COUNT,
        rewards: [{ metric: CONVERSION, preferredDirection: "High" }],
        ...(statistics ? { strength: strengthSetting } : {}),
      },
      duration: { intervalSeconds: INTERVAL_SECONDS, iterationsPerLoop: ITERATIONS },
      versionInfo: { baseline: { name: names[0]! }, candidates: names.slice(1).map((name) => ({ name })) },
    },
    status: {
      startTime: new Date(START).toISOString(),
      currentWeightDistribution: names.map((name, i) => ({ name, value: i === 0 ? 100 : 0 })),
    },
  };
  return input as Experiment;
}

interface Outcome {
  /** Winner at the last iteration (null: none). */
  finalWinner: string | null;
  /** Every version declared the winner at some iteration. */
  everDeclared: Set<string>;
  /** Requests until the final winner was declared and then held to the end (null: no final winner). */
  requestsToDecision: number | null;
  candidateShare: number;
  /** Conversions lost against sending everything to the best version, per request. */
  regret: number;
  requests: number;
}

function runExperiment(rates: readonly number[], perIteration: number, statistics: boolean, seed: string): Outcome {
  const random = seededRandom(seed);
  const experiment = experimentFor(rates.length, statistics);
  const names = rates.map((_, i) => `v${i + 1}`);
  const best = Math.max(...rates);
  const requests = rates.map(() => 0);
  const conversions = rates.map(() => 0);
  let weights: number[] = rates.map((_, i) => (i === 0 ? 100 : 0));
  let lost = 0;
  let candidateRequests = 0;
  const winners: (string | null)[] = [];
  const requestsAt: number[] = [];
  const everDeclared = new Set<string>();
  for (let t = 1; t <= ITERATIONS; t++) {
    const routed = route(random, perIteration, weights);
    routed.forEach((n, i) => {
      const k = binomial(random, n, rates[i]!);
      requests[i]! += n;
      conversions[i]! += k;
      lost += n * (best - rates[i]!);
      if (i > 0) candidateRequests += n;
    });
    const values: MetricValues = {
      [REQUEST_COUNT]: Object.fromEntries(names.map((v, i) => [v, { value: requests[i]! }])),
      [CONVERSION]: Object.fromEntries(
        names.map((v, i) => [v, requests[i]! > 0 ? { value: conversions[i]! / requests[i]!, sampleSize: requests[i]! } : { value: null }]),
      ),
    };
    const now = START + t * INTERVAL_SECONDS * 1000;
    const analysis = analyze(experiment, values, { now });
    const data = analysis.winnerAssessment.data;
    const winner = data.winnerFound && data.winner ? data.winner : null;
    winners.push(winner);
    requestsAt.push(requests.reduce((s, n) => s + n, 0));
    if (winner) everDeclared.add(winner);
    const next: VersionWeight[] = analysis.weights.data;
    weights = names.map((name) => next.find((w) => w.name === name)?.value ?? 0);
    // The engine writes the analysis into the status and observes the applied weights.
    experiment.status = {
      ...experiment.status,
      analysis: { ...experiment.status?.analysis, ...analysis },
      currentWeightDistribution: next,
      completedIterations: t,
      lastUpdateTime: new Date(now).toISOString(),
    };
  }
  const finalWinner = winners[winners.length - 1] ?? null;
  let settledFrom: number | null = null;
  if (finalWinner) {
    settledFrom = winners.length - 1;
    while (settledFrom > 0 && winners[settledFrom - 1] === finalWinner) settledFrom--;
  }
  const total = requests.reduce((s, n) => s + n, 0);
  return {
    finalWinner,
    everDeclared,
    requestsToDecision: settledFrom === null ? null : requestsAt[settledFrom]!,
    candidateShare: candidateRequests / total,
    regret: lost / total,
    requests: total,
  };
}

// ------------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  name: string;
  rates: number[];
  perIteration: number[];
}

const SCENARIOS: Scenario[] = [
  { name: "A/A", rates: [0.1, 0.1], perIteration: [500, 2000, 5000] },
  { name: "A/B +10%", rates: [0.1, 0.11], perIteration: [500, 2000, 2500, 3000, 4000, 5000] },
  { name: "A/B +20%", rates: [0.1, 0.12], perIteration: [500, 2000, 5000] },
  { name: "A/B/n", rates: [0.1, 0.1, 0.115], perIteration: [2000] },
];

interface Row {
  scenario: string;
  perIteration: number;
  rule: string;
  falseFinal: number;
  falseEver: number;
  power: number | null;
  decided: number;
  medianRequests: number | null;
  candidateShare: number;
  regret: number;
  baselineRegret: number;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function runScenario(scenario: Scenario, perIteration: number, experiments: number, statistics: boolean): Row {
  const { rates } = scenario;
  const best = Math.max(...rates);
  const bestIndex = rates.indexOf(best);
  const trulyBest = rates.filter((r) => r === best).length === 1 && bestIndex > 0 ? `v${bestIndex + 1}` : null;
  // A candidate that is not strictly better than the baseline is a false winner.
  const notBetter = new Set(rates.map((r, i) => ({ r, name: `v${i + 1}` })).filter(({ r }, i) => i > 0 && r <= rates[0]!).map(({ name }) => name));
  let falseFinal = 0;
  let falseEver = 0;
  let power = 0;
  let decided = 0;
  let share = 0;
  let regret = 0;
  const toDecision: number[] = [];
  for (let e = 0; e < experiments; e++) {
    const outcome = runExperiment(rates, perIteration, statistics, `${scenario.name}|${perIteration}|${e}`);
    if (outcome.finalWinner && notBetter.has(outcome.finalWinner)) falseFinal++;
    if ([...outcome.everDeclared].some((w) => notBetter.has(w))) falseEver++;
    if (trulyBest && outcome.finalWinner === trulyBest) power++;
    if (outcome.finalWinner) decided++;
    if (outcome.requestsToDecision !== null) toDecision.push(outcome.requestsToDecision);
    share += outcome.candidateShare;
    regret += outcome.regret;
  }
  return {
    scenario: scenario.name,
    perIteration,
    rule: statistics ? "statistics" : "Iter8 v2",
    falseFinal: falseFinal / experiments,
    falseEver: falseEver / experiments,
    power: trulyBest ? power / experiments : null,
    decided: decided / experiments,
    medianRequests: median(toDecision),
    candidateShare: share / experiments,
    regret: regret / experiments,
    baselineRegret: best - rates[0]!,
  };
}

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);

function printTable(rows: Row[]): void {
  const header = [
    "scenario",
    "N/iter",
    "rule",
    "false winner (final)",
    "false winner (ever)",
    "power",
    "decided",
    "median requests to decision",
    "candidate share",
    "regret /1k req",
    "regret vs always-baseline",
  ];
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const r of rows) {
    const cells = [
      r.scenario,
      String(r.perIteration),
      r.rule,
      pct(r.falseFinal),
      pct(r.falseEver),
      pct(r.power),
      pct(r.decided),
      r.medianRequests === null ? "–" : String(Math.round(r.medianRequests)),
      pct(r.candidateShare),
      (1000 * r.regret).toFixed(2),
      r.baselineRegret > 0 ? pct(r.regret / r.baselineRegret) : "–",
    ];
    console.log(`| ${cells.join(" | ")} |`);
  }
}

// ------------------------------------------------------------------------------------------------
// analyze() latency, A/B/N with 10 versions × 10 metrics

function latencyCase(statistics: boolean): { experiment: Experiment; values: MetricValues } {
  const names = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
  const errorRates = ["default/error-rate", "default/timeout-rate", "default/retry-rate", "default/5xx-ratio"];
  const means = ["default/mean-latency", "default/mean-ttfb", "default/mean-db-time"];
  const points = ["default/cpu-cores", "default/memory-mb"];
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
          ...errorRates.map((metric) => ({ metric, upperLimit: "0.02" })),
          ...means.map((metric) => ({ metric, upperLimit: 250 })),
          ...points.map((metric) => ({ metric, upperLimit: 4000 })),
        ],
        ...(statistics
          ? { strength: { metrics: Object.fromEntries(means.map((m) => [m, { model: "mean" as const, stddev: 80 }])) } }
          : {}),
      },
      versionInfo: { baseline: { name: names[0]! }, candidates: names.slice(1).map((name) => ({ name })) },
    },
    status: {
      startTime: new Date(START).toISOString(),
      currentWeightDistribution: names.map((name) => ({ name, value: 10 })),
    },
  };
  const random = seededRandom("latency");
  const n = (_i: number) => 4000;
  const values: MetricValues = {
    [REQUEST_COUNT]: Object.fromEntries(names.map((v, i) => [v, { value: n(i) }])),
    [CONVERSION]: Object.fromEntries(names.map((v, i) => [v, { value: binomial(random, n(i), 0.1 + 0.001 * i) / n(i), sampleSize: n(i) }])),
  };
  for (const metric of errorRates) {
    values[metric] = Object.fromEntries(names.map((v, i) => [v, { value: binomial(random, n(i), 0.01) / n(i), sampleSize: n(i) }]));
  }
  for (const metric of means) values[metric] = Object.fromEntries(names.map((v) => [v, { value: 200 + 10 * random() }]));
  for (const metric of points) values[metric] = Object.fromEntries(names.map((v) => [v, { value: 1000 + 100 * random() }]));
  return { experiment: input as Experiment, values };
}

function measureLatency(statistics: boolean): { median: number; p95: number } {
  const { experiment, values } = latencyCase(statistics);
  for (let i = 0; i < 300; i++) analyze(experiment, values, { now: START + 20_000 });
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    analyze(experiment, values, { now: START + 20_000 });
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[1000]!, p95: samples[1900]! };
}

// ------------------------------------------------------------------------------------------------

function main(): void {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const at = args.indexOf("--experiments");
  const experiments = at >= 0 ? Number(args[at + 1]) : quick ? 100 : 1000;
  const strengthAt = args.indexOf("--strength");
  if (strengthAt >= 0) strengthSetting = JSON.parse(args[strengthAt + 1] ?? "{}") as Record<string, unknown>;
  const only = args.indexOf("--only");
  const scenarios = only >= 0 ? SCENARIOS.filter((s) => s.name === args[only + 1]) : SCENARIOS;
  const started = performance.now();
  console.log(
    `analytics simulator: ${experiments} experiments per row, ${ITERATIONS} iterations, maxCandidateWeightIncrement 10, start weights 100/0, strength ${JSON.stringify(strengthSetting)}\n`,
  );
  const rows: Row[] = [];
  for (const scenario of scenarios) {
    for (const perIteration of scenario.perIteration) {
      for (const statistics of [false, true]) rows.push(runScenario(scenario, perIteration, experiments, statistics));
    }
  }
  printTable(rows);
  console.log("");
  const v2 = measureLatency(false);
  const stats = measureLatency(true);
  console.log("analyze() latency, A/B/N with 10 versions × 10 metrics (2,000 calls after warm-up):\n");
  console.log(`| rule | median | p95 |\n|---|---|---|`);
  console.log(`| Iter8 v2 | ${v2.median.toFixed(3)} ms | ${v2.p95.toFixed(3)} ms |`);
  console.log(`| statistics | ${stats.median.toFixed(3)} ms | ${stats.p95.toFixed(3)} ms |`);
  console.log(`\nsimulator finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main();
