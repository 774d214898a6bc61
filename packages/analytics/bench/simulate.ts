/**
 * The analytics simulator: synthetic versions with known conversion rates run through whole
 * progressive experiments under continuous monitoring (an analysis after every iteration, the
 * analysis written back into the status as the engine does), once with the Iter8 v2 rule
 * (`analyze` without `criteria.strength`) and once with the statistics mode (`strength: {}`), on
 * the same seeds. `analyze()` is a black box here: only its results and the status it is fed.
 *
 * Prints the measures of issue 16 with 95 % Wilson intervals next to their goals, a table of
 * details (decisions, requests to a decision, traffic, regret), and the latency of `analyze()`
 * for A/B/N with 10 versions × 10 metrics over 20 looks with carried state.
 *
 * Run: pnpm -F @iter8ts/analytics bench
 *   --experiments N   experiments per row (default 1,000; ITER8TS_BENCH_EXPERIMENTS also sets it)
 *   --quick           200 per row
 *   --strength JSON   criteria.strength of the statistics-mode runs (default {})
 *   --only SCENARIO   only "A/A", "A/B +10%" or "A/B/n"
 *   --no-alternatives only the Iter8 v2 rule and the chosen design (not the always-valid and
 *                     Pocock-spending alternatives it is compared with)
 *   --srm-replays N   fresh routings of each weight path for the SRM-alone measure (default 20; 5 below 1,000 per row)
 *   --no-srm-replay   skip that measure
 *   --no-latency      skip the latency table
 *   --latency-only    only the latency table
 */
import type { Experiment, ExperimentInput } from "@iter8ts/types";
import { analyze, seededRandom, type MetricValues } from "../src/index";
import { LATENCY_LOOKS, latencySamples, latencySummary } from "./latency-case";
import { baselineAnalyze } from "./latency-baseline";
import { carryLook } from "./carry-look";
import { binomial, route } from "./random-draws";
import { emptySrmState, trackTraffic } from "../src/stats/track-traffic";
import { formatRate, wilsonInterval } from "./wilson";

// ------------------------------------------------------------------------------------------------
// Experiments

const REQUEST_COUNT = "default/request-count";
const CONVERSION = "default/conversion-rate";
const ITERATIONS = 20;
const INTERVAL_SECONDS = 20;
const START = Date.parse("2026-01-01T00:00:00Z");

/** `criteria.strength` of the statistics-mode runs (the chosen design). */
let strengthSetting: Record<string, unknown> = {};

/**
 * The rules compared: the Iter8 v2 rule, the statistics mode as configured (the chosen design),
 * and the alternatives it was chosen against, all on the same seeds in the same run.
 */
interface Rule {
  name: string;
  /** criteria.strength, or null for the Iter8 v2 rule. */
  strength: Record<string, unknown> | null;
}
let RULES: Rule[] = [];
function setRules(alternatives: boolean): void {
  RULES = [
    { name: "Iter8 v2", strength: null },
    { name: "statistics", strength: strengthSetting },
    ...(alternatives
      ? [
          { name: "alt: always-valid", strength: { ...strengthSetting, design: "always-valid" } },
          { name: "alt: Pocock spending", strength: { ...strengthSetting, spending: "pocock" } },
          // The other end of the trade: the level of the single-look z-test the issue quotes
          // (1,475 per iteration for 80 % power), 0.025 on each side.
          { name: "alt: O'Brien-Fleming, 0.025 each side", strength: { ...strengthSetting, alpha: 0.025, baselineAlpha: 0.025 } },
        ]
      : []),
  ];
}

function experimentFor(versionCount: number, strength: Record<string, unknown> | null): Experiment {
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
        ...(strength ? { strength } : {}),
      },
      duration: { intervalSeconds: INTERVAL_SECONDS, iterationsPerLoop: ITERATIONS, maxLoops: 1 },
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
  /** The winner after each iteration (null: none). */
  winners: (string | null)[];
  /** Requests each version had received at each iteration. */
  requestsAt: number[][];
  /** Iterations at which the statistics mode reported a sample ratio mismatch. */
  srmAlarms: number[];
  /** Alarms that took away the winner of the iteration before. */
  srmRevocations: number;
  candidateShare: number;
  /** Conversions lost against sending everything to the best version, per request. */
  regret: number;
  /** The statistics mode's winner rule at the last look (null for the Iter8 v2 rule). */
  finalRule: string | null;
  /** The weights (percent) traffic was routed at, look by look. */
  weightPath: number[][];
}

function winnerRule(analysis: ReturnType<typeof analyze>): string | null {
  const statistics = (analysis as { statistics?: { data?: { winner?: { rule?: string } } } }).statistics;
  return statistics?.data?.winner?.rule ?? null;
}

function srmStatus(analysis: ReturnType<typeof analyze>): string | undefined {
  const statistics = (analysis as { statistics?: { data?: { srm?: { status?: string } } } }).statistics;
  return statistics?.data?.srm?.status;
}

function runExperiment(rates: readonly number[], perIteration: number, strength: Record<string, unknown> | null, seed: string): Outcome {
  const random = seededRandom(seed);
  const experiment = experimentFor(rates.length, strength);
  const names = rates.map((_, i) => `v${i + 1}`);
  const best = Math.max(...rates);
  const requests = rates.map(() => 0);
  const conversions = rates.map(() => 0);
  let weights: number[] = rates.map((_, i) => (i === 0 ? 100 : 0));
  let lost = 0;
  let candidateRequests = 0;
  const winners: (string | null)[] = [];
  const requestsAt: number[][] = [];
  const srmAlarms: number[] = [];
  let srmRevocations = 0;
  let finalRule: string | null = null;
  const weightPath: number[][] = [];
  for (let t = 1; t <= ITERATIONS; t++) {
    weightPath.push([...weights]);
    const routed = route(random, perIteration, weights);
    routed.forEach((n, i) => {
      requests[i]! += n;
      conversions[i]! += binomial(random, n, rates[i]!);
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
    if (srmStatus(analysis) === "mismatch") {
      srmAlarms.push(t);
      const before = winners[winners.length - 1] ?? null;
      if (before !== null && winner !== before) srmRevocations++;
    }
    winners.push(winner);
    finalRule = winnerRule(analysis);
    requestsAt.push([...requests]);
    weights = carryLook(experiment, analysis, names, t, now);
  }
  const total = requests.reduce((s, n) => s + n, 0);
  return { winners, requestsAt, srmAlarms, srmRevocations, candidateShare: candidateRequests / total, regret: lost / total, finalRule, weightPath };
}

// ------------------------------------------------------------------------------------------------
// Runs: one per (scenario, N, rule), the same seeds for both rules

interface Run {
  scenario: string;
  rates: number[];
  perIteration: number;
  rule: string;
  statistics: boolean;
  outcomes: Outcome[];
}

const RUNS: { scenario: string; rates: number[]; perIteration: number }[] = [
  { scenario: "A/A", rates: [0.1, 0.1], perIteration: 500 },
  { scenario: "A/A", rates: [0.1, 0.1], perIteration: 2000 },
  { scenario: "A/A", rates: [0.1, 0.1], perIteration: 5000 },
  { scenario: "A/B +10%", rates: [0.1, 0.11], perIteration: 1700 },
  { scenario: "A/B +10%", rates: [0.1, 0.11], perIteration: 2000 },
  { scenario: "A/B +10%", rates: [0.1, 0.11], perIteration: 4000 },
  { scenario: "A/B/n", rates: [0.1, 0.1, 0.115], perIteration: 2000 },
];

function execute(experiments: number, only: string | undefined): Run[] {
  const runs: Run[] = [];
  for (const { scenario, rates, perIteration } of RUNS.filter((r) => only === undefined || r.scenario === only)) {
    for (const rule of RULES) {
      const outcomes: Outcome[] = [];
      for (let e = 0; e < experiments; e++) {
        outcomes.push(runExperiment(rates, perIteration, rule.strength, `${scenario}|${perIteration}|${e}`));
      }
      runs.push({ scenario, rates, perIteration, rule: rule.name, statistics: rule.strength !== null, outcomes });
    }
  }
  return runs;
}

// ------------------------------------------------------------------------------------------------
// Measures

const final = (o: Outcome) => o.winners[o.winners.length - 1] ?? null;
const ever = (o: Outcome, version: string) => o.winners.includes(version);

interface Measure {
  label: string;
  perIteration: string;
  /** Counts out of the outcomes, per rule; null: not applicable to that rule. */
  count: (run: Run) => number | null;
  runs: (run: Run) => boolean;
  goal: string;
  /** The issue's "now" (a harness written apart from the project, statistics mode). */
  issue: string;
}

const aa = (n: number) => (run: Run) => run.scenario === "A/A" && run.perIteration === n;
const ab = (n: number) => (run: Run) => run.scenario === "A/B +10%" && run.perIteration === n;
const abn = (run: Run) => run.scenario === "A/B/n";
const countOf = (run: Run, test: (o: Outcome) => boolean) => run.outcomes.filter(test).length;

const MEASURES: Measure[] = [
  ...[500, 2000, 5000].flatMap((n, i): Measure[] => [
    {
      label: "A/A: any version the winner at the end (candidate or baseline)",
      perIteration: String(n),
      runs: aa(n),
      count: (run) => countOf(run, (o) => final(o) !== null),
      goal: "≤ 1 %",
      issue: ["3.1 %", "5.5 %", "4.3 %"][i]!,
    },
    {
      label: "A/A: the baseline the winner at the end",
      perIteration: String(n),
      runs: aa(n),
      count: (run) => countOf(run, (o) => final(o) === "v1"),
      goal: "≤ 1 %",
      issue: ["3.0 %", "4.6 %", "3.2 %"][i]!,
    },
    {
      label: "A/A: any version declared at some iteration",
      perIteration: String(n),
      runs: aa(n),
      count: (run) => countOf(run, (o) => o.winners.some((w) => w !== null)),
      goal: "≤ 1 %",
      issue: "–",
    },
  ]),
  ...[1700, 2000, 4000].map(
    (n): Measure => ({
      label: "A/B +10 %: power (the better candidate the winner at the end)",
      perIteration: String(n),
      runs: ab(n),
      count: (run) => countOf(run, (o) => final(o) === "v2"),
      goal: "≥ 80 % at N ≤ 1,700",
      issue: n === 2000 ? "76 %" : "–",
    }),
  ),
  ...[1700, 2000, 4000].map(
    (n): Measure => ({
      label: "A/B +10 %: baseline declared the winner at some iteration",
      perIteration: String(n),
      runs: ab(n),
      count: (run) => countOf(run, (o) => ever(o, "v1")),
      goal: "0",
      issue: n === 2000 ? "0.6 %" : n === 4000 ? "0.1 % (progress-16)" : "–",
    }),
  ),
  {
    label: "A/B/n 0.10/0.10/0.115: best version the winner at the end",
    perIteration: "2000",
    runs: abn,
    count: (run) => countOf(run, (o) => final(o) === "v3"),
    goal: "≥ 90 %",
    issue: "–",
  },
  {
    label: "A/B/n 0.10/0.10/0.115: equal candidate declared at some iteration",
    perIteration: "2000",
    runs: abn,
    count: (run) => countOf(run, (o) => ever(o, "v2")),
    goal: "0 %",
    issue: "–",
  },
];

function cell(run: Run | undefined, measure: Measure): string {
  if (!run) return "–";
  const k = measure.count(run);
  return k === null ? "–" : formatRate(k, run.outcomes.length);
}

function printMeasures(runs: Run[]): void {
  const rules = RULES.map((r) => r.name);
  console.log(`| measure (20 iterations, conversion 0.10, +10 % = 0.11) | N/iter | ${rules.join(" | ")} | goal | issue 16 "now" |`);
  console.log(`|---|---|${rules.map(() => "---|").join("")}---|---|`);
  for (const m of MEASURES) {
    const cells = rules.map((rule) => cell(runs.find((r) => r.rule === rule && m.runs(r)), m));
    console.log(`| ${m.label} | ${m.perIteration} | ${cells.join(" | ")} | ${m.goal} | ${m.issue} |`);
  }
  // SRM: the simulator routes exactly at the weights, so every alarm is a false alarm. Counted
  // per rule over all of its rows (the rules differ in how traffic moves, not in the SRM test).
  const srmCells = (what: (runsOfRule: Run[], experiments: number) => string) =>
    rules.map((rule) => {
      const own = runs.filter((r) => r.rule === rule && r.statistics);
      const experiments = own.reduce((s, r) => s + r.outcomes.length, 0);
      return experiments ? what(own, experiments) : "–";
    });
  const perThousand = (k: number, experiments: number) => {
    const [lo, hi] = wilsonInterval(k, experiments);
    return `${((1000 * k) / experiments).toFixed(1)} per 1,000 [${(1000 * lo).toFixed(1)}–${(1000 * hi).toFixed(1)}]`;
  };
  const alarmsCell = srmCells((own, experiments) => {
    const alarmed = own.reduce((s, r) => s + countOf(r, (o) => o.srmAlarms.length > 0), 0);
    const alarms = own.reduce((s, r) => s + r.outcomes.reduce((a, o) => a + o.srmAlarms.length, 0), 0);
    return `${perThousand(alarmed, experiments)} (${alarms} alarms in ${experiments} experiments)`;
  });
  console.log(`| SRM: experiments with an alarm under exactly correct routing (all rows of the rule) | all | ${alarmsCell.join(" | ")} | ≤ 1 per 1,000 | 2–4 per 1,000 |`);
  const revokeCell = srmCells((own, experiments) => `${own.reduce((s, r) => s + countOf(r, (o) => o.srmRevocations > 0), 0)} of ${experiments}`);
  console.log(`| SRM: experiments in which a false alarm revoked a winner | all | ${revokeCell.join(" | ")} | 0 | 1 per 1,000 |`);
  const statisticsRuns = runs.filter((r) => r.rule === "statistics");
  const lockins = statisticsRuns
    .filter((r) => r.scenario === "A/B +10%")
    .flatMap((r) =>
      r.outcomes
        .map((o) => {
          const at = o.winners.indexOf("v1");
          return at < 0 ? null : `N=${r.perIteration}: iteration ${at + 1}, after ${o.requestsAt[at]![1]} candidate requests`;
        })
        .filter((x): x is string => x !== null),
    );
  if (lockins.length) console.log(`\nstatistics mode, baseline declared against the better candidate: ${lockins.slice(0, 8).join("; ")}${lockins.length > 8 ? "; …" : ""}`);
}

/**
 * The SRM test alone, measured with many more experiments than the end-to-end rows: every
 * weight path the statistics mode produced (look by look) is routed afresh `replays` times,
 * exactly at those weights, and the cumulative counts go through the same accounting and test
 * analyze() uses (trackTraffic, srmThreshold split over the planned looks). Every alarm is false.
 */
function replaySrm(runs: Run[], replays: number): void {
  const paths = runs.filter((r) => r.rule === "statistics").flatMap((r) => r.outcomes.map((o) => ({ path: o.weightPath, n: r.perIteration })));
  // The same routings through the test as it is (srmThreshold split over the planned looks) and
  // as it was before that split (p < srmThreshold at every look): the two figures of progress-16.
  const variants = [
    { label: `srmThreshold 0.001 split over ${ITERATIONS} looks (now)`, looks: ITERATIONS },
    { label: "p < 0.001 at every look, no split (before afb20c7)", looks: 1 },
  ].map((v) => ({ ...v, alarmed: 0, alarms: 0, smallest: [] as number[] }));
  let experiments = 0;
  for (const [p, { path, n }] of paths.entries()) {
    const names = path[0]!.map((_, i) => `v${i + 1}`);
    for (let r = 0; r < replays; r++) {
      const random = seededRandom(`srm replay|${p}|${r}`);
      const states = variants.map(() => emptySrmState(names));
      const hit = variants.map(() => false);
      const counts = names.map(() => 0);
      for (const weights of path) {
        route(random, n, weights).forEach((k, i) => (counts[i]! += k));
        variants.forEach((variant, v) => {
          const tracked = trackTraffic(states[v]!, names, counts, weights, 0.001, variant.looks);
          states[v] = tracked.state;
          if (tracked.evidence.status !== "mismatch") return;
          variant.alarms++;
          if (!hit[v]) variant.smallest.push(Math.min(...Object.values(tracked.evidence.expected).filter((e) => e > 0)));
          hit[v] = true;
        });
      }
      experiments++;
      variants.forEach((variant, v) => (variant.alarmed += hit[v] ? 1 : 0));
    }
  }
  console.log(
    `SRM test alone: the statistics mode's ${paths.length} weight paths, each routed afresh ${replays} times exactly at its weights (${experiments} experiments; every alarm is false):\n`,
  );
  console.log("| SRM test | experiments with an alarm | alarms | smallest expected count at the first alarm (median) |\n|---|---|---|---|");
  for (const variant of variants) {
    const [lo, hi] = wilsonInterval(variant.alarmed, experiments);
    const sorted = [...variant.smallest].sort((a, b) => a - b);
    console.log(
      `| ${variant.label} | ${((1000 * variant.alarmed) / experiments).toFixed(2)} per 1,000 [${(1000 * lo).toFixed(2)}–${(1000 * hi).toFixed(2)}] | ${variant.alarms} | ${sorted.length ? Math.round(sorted[sorted.length >> 1]!) : "–"} |`,
    );
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printDetails(runs: Run[]): void {
  console.log("| scenario | N/iter | rule | decided at the end | median requests to the final decision | candidate share | regret /1k req | regret vs always-baseline | undecided at the end: why (statistics mode) |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const run of runs) {
    const n = run.outcomes.length;
    const best = Math.max(...run.rates);
    const baselineRegret = best - run.rates[0]!;
    const toDecision = run.outcomes.flatMap((o) => {
      const w = final(o);
      if (w === null) return [];
      let from = o.winners.length - 1;
      while (from > 0 && o.winners[from - 1] === w) from--;
      return [o.requestsAt[from]!.reduce((s, x) => s + x, 0)];
    });
    const share = run.outcomes.reduce((s, o) => s + o.candidateShare, 0) / n;
    const regret = run.outcomes.reduce((s, o) => s + o.regret, 0) / n;
    const m = median(toDecision);
    const why = new Map<string, number>();
    for (const o of run.outcomes) if (final(o) === null && o.finalRule) why.set(o.finalRule, (why.get(o.finalRule) ?? 0) + 1);
    const reasons = [...why].sort((a, b) => b[1] - a[1]).map(([rule, k]) => `${rule} ${k}`).join(", ") || "–";
    console.log(
      `| ${run.scenario} | ${run.perIteration} | ${run.rule} | ${formatRate(toDecision.length, n)} | ${m === null ? "–" : Math.round(m)} | ${(100 * share).toFixed(1)} % | ${(1000 * regret).toFixed(2)} | ${baselineRegret > 0 ? `${((100 * regret) / baselineRegret).toFixed(1)} %` : "–"} | ${reasons} |`,
    );
  }
}

// ------------------------------------------------------------------------------------------------
// analyze() latency

/**
 * The "before" of the latency table: the analytics source at this commit (the statistics mode
 * with the group-sequential design, before the latency work of issue 16), built from git and
 * measured in the same run, interleaved with "now" so that both see the same load.
 */
const LATENCY_BASELINE_COMMIT = "f228610";

async function printLatency(): Promise<void> {
  const before = await baselineAnalyze(LATENCY_BASELINE_COMMIT);
  const rounds = 5;
  const perRound = 20;
  const samples = { beforeV2: [] as number[], beforeStats: [] as number[], v2: [] as number[], stats: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const warmup = round === 0 ? 15 : 2;
    if (typeof before !== "string") {
      samples.beforeV2.push(...latencySamples(false, perRound, warmup, before, `latency|${round}`));
      samples.beforeStats.push(...latencySamples(true, perRound, warmup, before, `latency|${round}`));
    }
    samples.v2.push(...latencySamples(false, perRound, warmup, analyze, `latency|${round}`));
    samples.stats.push(...latencySamples(true, perRound, warmup, analyze, `latency|${round}`));
  }
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  const now = { v2: latencySummary(samples.v2), stats: latencySummary(samples.stats) };
  const then = typeof before === "string" ? null : { v2: latencySummary(samples.beforeV2), stats: latencySummary(samples.beforeStats) };
  console.log(
    `analyze() latency, A/B/N, 10 versions × 10 metrics, ${LATENCY_LOOKS} looks with the state carried (${now.stats.calls} calls per rule after warm-up; ` +
      `before = packages/analytics/src at ${LATENCY_BASELINE_COMMIT} built from git and measured in this run, interleaved with now):\n`,
  );
  if (then === null) console.log(`before: ${before as string}\n`);
  const cell = (x: { median: number } | undefined) => (x ? ms(x.median) : "–");
  const p95 = (x: { p95: number } | undefined) => (x ? ms(x.p95) : "–");
  console.log(`| rule | median before (${LATENCY_BASELINE_COMMIT}) | median now | p95 before | p95 now | goal |\n|---|---|---|---|---|---|`);
  console.log(`| Iter8 v2 | ${cell(then?.v2)} | ${ms(now.v2.median)} | ${p95(then?.v2)} | ${ms(now.v2.p95)} | – |`);
  console.log(`| statistics | ${cell(then?.stats)} | ${ms(now.stats.median)} | ${p95(then?.stats)} | ${ms(now.stats.p95)} | ≤ 1 ms median |`);
  console.log("\np95 includes garbage-collection pauses and the load of a shared machine; compare medians.");
}

// ------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf("--experiments");
  const fromEnv = process.env["ITER8TS_BENCH_EXPERIMENTS"];
  const experiments = at >= 0 ? Number(args[at + 1]) : args.includes("--quick") ? 200 : fromEnv ? Number(fromEnv) : 1000;
  if (!(Number.isInteger(experiments) && experiments > 0)) throw new Error(`--experiments must be a positive integer (got ${experiments})`);
  const strengthAt = args.indexOf("--strength");
  if (strengthAt >= 0) strengthSetting = JSON.parse(args[strengthAt + 1] ?? "{}") as Record<string, unknown>;
  setRules(!args.includes("--no-alternatives"));
  const started = performance.now();
  console.log(
    `analytics simulator: ${experiments} experiments per row${experiments === 1000 ? " (the full run)" : " (not the full run: 1,000 per row is the default)"}, ${ITERATIONS} iterations, N requests per iteration routed multinomially at the current weights, start weights 100/0, maxCandidateWeightIncrement 10, seeded; statistics mode strength ${JSON.stringify(strengthSetting)}; intervals are 95 % Wilson\n`,
  );
  if (args.includes("--latency-only")) {
    await printLatency();
    return;
  }
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  if (only !== undefined && !RUNS.some((r) => r.scenario === only)) {
    throw new Error(`--only takes one of ${[...new Set(RUNS.map((r) => JSON.stringify(r.scenario)))].join(", ")} (got ${JSON.stringify(only)})`);
  }
  const runs = execute(experiments, only);
  const simulated = performance.now();
  printMeasures(runs);
  console.log("");
  if (!args.includes("--no-srm-replay")) {
    const replaysAt = args.indexOf("--srm-replays");
    replaySrm(runs, replaysAt >= 0 ? Number(args[replaysAt + 1]) : experiments >= 1000 ? 20 : 5);
    console.log("");
  }
  printDetails(runs);
  console.log(`\nsimulation: ${((simulated - started) / 1000).toFixed(1)} s for ${runs.length} rows × ${experiments} experiments × ${ITERATIONS} looks\n`);
  if (!args.includes("--no-latency")) await printLatency();
  console.log(`\nbench finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main();
