import { setTimeout as sleep } from "node:timers/promises";
import type { LoadResult } from "@iter8ts/metrics";
import { DEFAULT_QPS, FAST_QPS } from "./demo-args";
import { DemoError, DemoErrorCode } from "./demo-error";
import { ExpectedOutcome, type DemoSample } from "./demo-samples";
import { readExperimentReport, type ExperimentReport } from "./experiment-report";
import { checkIter8ctlRun, runIter8ctl } from "./iter8ctl-process";
import { startSampleRun } from "./sample-run";
import { routeLabel, type RoutingTable } from "./routing-document";
import type { Telemetry, VersionSummary } from "./telemetry";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The samples to run, in order. */
  samples: readonly DemoSample[];
  /** The folder holding the samples (`samples/local`). */
  samplesDir: string;
  /** The built CLI, `apps/cli/dist/iter8ctl.js`. */
  iter8ctl: string;
  /** Use each sample's short `spec.duration` (for tests and quick looks). */
  fast?: boolean;
  /** Wall time for the whole run, in seconds (default 90). */
  budgetSeconds?: number;
  /** Requests per second through the router (default 40, or 80 when `fast`). */
  qps?: number;
  /** Keep every working copy (by default only those of failed samples are kept). */
  keepWorkdirs?: boolean;
  /** Where working copies are made (default the system's temporary folder). */
  workRoot?: string;
  /** Receives the demo's own progress lines. */
  log: (line: string) => void;
  /** Receives iter8ctl's output; without it iter8ctl writes to this process's terminal. */
  iter8ctlOutput?: (text: string, stream: "stdout" | "stderr") => void;
  /** Stops the demo (Ctrl-C): everything started is stopped and the run ends with `interrupted`. */
  signal?: AbortSignal;
}

/** How one sample ended. */
export interface SampleResult {
  sample: string;
  ok: boolean;
  /** One sentence: what happened, or what went wrong and where to look. */
  message: string;
  /** The routing document's final split: version → percent of traffic. */
  split: Record<string, number>;
  /** The experiment's status, when `iter8ctl run` left it in the working copy. */
  report?: ExperimentReport;
  /** What each version served during the run, as the router saw it. */
  traffic: Record<string, VersionTraffic>;
  /** Requests the load driver sent, and how many got no answer or a server error. */
  load?: { sent: number; failed: number; qps: number };
  seconds: number;
  /** The working copy; removed after a successful sample unless `keepWorkdirs`. */
  workdir: string;
  workdirKept: boolean;
}

/** A version's traffic over a whole sample run. */
export interface VersionTraffic extends VersionSummary {
  p95LatencyMs: number | null;
}

/** What the whole run did. */
export interface DemoReport {
  ok: boolean;
  results: SampleResult[];
  seconds: number;
}

const WARMUP_TIMEOUT_MS = 5000;

/** Waits until the router has forwarded `count` requests (or a few seconds passed). */
async function warmUp(telemetry: Telemetry, count: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + WARMUP_TIMEOUT_MS;
  const seen = () => telemetry.versions().reduce((n, v) => n + telemetry.summary(v).requests, 0);
  while (seen() < count && Date.now() < deadline) {
    await sleep(50, undefined, { signal }).catch(() => {
      throw signal.reason;
    });
  }
}

/** The routing table as version → percent, naming each destination by the version on its port. */
export function routingSplit(table: RoutingTable, versionAt: (port: number) => string | undefined): Record<string, number> {
  const split: Record<string, number> = {};
  table.routes.forEach((route, i) => {
    const name = versionAt(route.port) ?? routeLabel(route);
    split[name] = (split[name] ?? 0) + Math.round(table.shares[i]! * 1000) / 10;
  });
  return split;
}

/** `sample-app-v1 85% · sample-app-v2 15%`. */
export function formatSplit(split: Record<string, number>): string {
  return Object.entries(split)
    .map(([v, pct]) => `${v} ${pct}%`)
    .join(" · ");
}

function loadSummary(result: LoadResult): { sent: number; failed: number; qps: number } {
  let sent = 0;
  let failed = 0;
  for (const [code, n] of Object.entries(result.RetCodes)) {
    sent += n;
    if (Number(code) >= 500 || Number(code) < 0) failed += n;
  }
  return { sent, failed, qps: Math.round(result.ActualQPS * 10) / 10 };
}

/**
 * Compares the end of a run with what the sample should do: the routing document must send all
 * traffic to the winner (or, for a rollback, to the baseline), and when the status is available
 * it must agree (a completed, unfailed experiment that rolled back exactly when expected).
 */
export function judgeOutcome(
  sample: DemoSample,
  split: Record<string, number>,
  report: ExperimentReport | undefined,
): { ok: boolean; message: string } {
  const target = sample.expected === ExpectedOutcome.RollBack ? sample.baseline.name : sample.candidate.name;
  const where = `routing: ${formatSplit(split)}`;
  if (report?.failed) return { ok: false, message: `the experiment failed: ${report.message ?? "see its status"} (${where})` };
  if (report && report.stage !== undefined && report.stage !== "Completed") {
    return { ok: false, message: `the experiment stopped at stage ${report.stage}, not Completed (${where})` };
  }
  if (split[target] !== 100) {
    const what = sample.expected === ExpectedOutcome.RollBack ? "roll back to" : "promote";
    return { ok: false, message: `expected the finish action to ${what} ${target} with 100% of traffic, but ${where}` };
  }
  if (report?.versionRecommendedForPromotion !== undefined && report.versionRecommendedForPromotion !== target) {
    return { ok: false, message: `traffic went to ${target}, but the status recommends ${report.versionRecommendedForPromotion} for promotion` };
  }
  if (sample.expected === ExpectedOutcome.RollBack) {
    if (report && !report.rolledBack) {
      return { ok: false, message: `traffic is back on ${target}, but the status shows no rollback (${report.message ?? "no message"})` };
    }
    // The iteration that finds the violation is not counted as completed.
    const when = report ? ` in iteration ${report.completedIterations + 1} of ${report.totalIterations}` : "";
    return { ok: true, message: `rolled back to ${target}${when}; ${where}` };
  }
  if (report?.winner !== undefined && report.winner !== target) {
    return { ok: false, message: `the routing promotes ${target}, but the experiment's winner is ${report.winner}` };
  }
  const after = report ? ` after ${report.completedIterations} iterations` : "";
  return { ok: true, message: `promoted ${target}${after}; ${where}` };
}

/**
 * Runs samples end to end on 127.0.0.1: for each, starts the two app versions and the metrics
 * API, prepares a working copy with their ports filled in, starts the router on its routing
 * document and steady traffic through it, runs `iter8ctl run <workdir>`, checks where the
 * traffic ended, and stops everything it started — also when the budget runs out, the user
 * interrupts, or anything fails.
 *
 * @throws DemoError `iter8ctl_missing` / `run_command_missing` before anything starts;
 *   `budget_exceeded` or `interrupted` after cleaning up; `sample_invalid` and others from
 *   preparing a sample.
 */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const startedAt = performance.now();
  const budgetMs = (options.budgetSeconds ?? 90) * 1000;
  const qps = options.qps ?? (options.fast ? FAST_QPS : DEFAULT_QPS);
  const stop = new AbortController();
  const budget = setTimeout(
    () => stop.abort(new DemoError(DemoErrorCode.BudgetExceeded, `the demo did not finish within its ${budgetMs / 1000} s budget; raise --budget, or run fewer samples or --fast`)),
    budgetMs,
  );
  const onInterrupt = () => stop.abort(new DemoError(DemoErrorCode.Interrupted, "the demo was interrupted; everything it started has been stopped"));
  if (options.signal?.aborted) onInterrupt();
  else options.signal?.addEventListener("abort", onInterrupt, { once: true });

  const results: SampleResult[] = [];
  try {
    await checkIter8ctlRun(options.iter8ctl);
    for (const sample of options.samples) {
      if (stop.signal.aborted) throw stop.signal.reason;
      results.push(await runSample(sample, options, qps, stop.signal));
    }
  } finally {
    clearTimeout(budget);
    options.signal?.removeEventListener("abort", onInterrupt);
  }
  return { ok: results.every((r) => r.ok), results, seconds: (performance.now() - startedAt) / 1000 };
}

async function runSample(sample: DemoSample, options: DemoOptions, qps: number, signal: AbortSignal): Promise<SampleResult> {
  const log = options.log;
  const startedAt = performance.now();
  log(`\n=== ${sample.name}: ${sample.title}`);
  // The router reports its first reading before the working copy is announced; that one is
  // printed with the router's own line instead.
  let announced = false;
  const run = await startSampleRun(sample, {
    samplesDir: options.samplesDir,
    qps,
    ...(options.fast ? { fast: true } : {}),
    ...(options.workRoot ? { workRoot: options.workRoot } : {}),
    onRouterEvent: (event, backends) => {
      if (!announced) return;
      if (event.type === "loaded") log(`[router] ${formatSplit(routingSplit(event.table, backends.versionAt))}`);
      else log(`[router] kept the previous routing: ${event.error.message}`);
    },
  });
  const { backends, prepared, router } = run;
  let succeeded = false;
  let finished = false;
  try {
    log(`working copy: ${prepared.dir}`);
    log(`sample-app-v1 ${backends.baseline.url} · sample-app-v2 ${backends.candidate.url} · metrics ${backends.metrics.url}/api/v1/query`);
    log(`router ${router.url} at ${qps} requests/s: ${formatSplit(routingSplit(router.table(), backends.versionAt))}`);
    announced = true;
    await warmUp(backends.telemetry, qps, signal);

    const exit = await runIter8ctl(options.iter8ctl, ["run", "--allow-exec", prepared.dir], { signal, ...(options.iter8ctlOutput ? { output: options.iter8ctlOutput } : {}) });
    if (signal.aborted) throw signal.reason;

    const split = routingSplit(await router.reload(), backends.versionAt);
    const report = await readExperimentReport(prepared.dir, prepared.experiments[0]!);
    const loadResult = loadSummary(await run.stopTraffic());
    const telemetry = backends.telemetry;
    const versions = [...new Set([sample.baseline.name, sample.candidate.name, ...telemetry.versions()])];
    const summaries = Object.fromEntries(
      versions.map((v): [string, VersionTraffic] => [v, { ...telemetry.summary(v), p95LatencyMs: telemetry.latencyQuantile(v, 0.95) }]),
    );
    const verdict =
      exit.code === 0
        ? judgeOutcome(sample, split, report)
        : { ok: false, message: `iter8ctl run ${prepared.dir} exited with ${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`}; see its output above` };
    succeeded = verdict.ok;
    const result: SampleResult = {
      sample: sample.name,
      ok: verdict.ok,
      message: verdict.message,
      split,
      traffic: summaries,
      load: loadResult,
      seconds: (performance.now() - startedAt) / 1000,
      workdir: prepared.dir,
      workdirKept: !verdict.ok || options.keepWorkdirs === true,
    };
    if (report) result.report = report;
    finished = true;
    return result;
  } finally {
    await run.close({ removeWorkdir: succeeded && !options.keepWorkdirs });
    // A finished sample names its kept copy in the summary; one cut short says so here.
    if (!finished) log(`working copy kept: ${prepared.dir}`);
  }
}
