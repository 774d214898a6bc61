/**
 * Benchmarks of @iter8ts/metrics. Prints numbers; asserts nothing.
 *
 * 1. jq: time per evaluation of the sample expressions, fast path vs jq-wasm (goal ≤ 50 µs median).
 *    Then the cost of bounding expressions: jq and JSONata in process (as before issue 14) beside
 *    the same evaluation in a worker process of the expression pool (time and memory limits).
 * 2. One iteration: 10 metrics × 4 versions against a backend answering in 100 ms, compared with
 *    a single query (goal ≤ 1.2×).
 * 3. Load generator vs `hey` against the same loopback server (a separate process) at the same
 *    concurrency: requests/s (goal ≥ 0.8× hey) and p50/p95 latency (goal within 10 %).
 *
 * Run: pnpm -F @iter8ts/metrics bench   (add -- --quick for fewer repetitions)
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { MetricSchema, type Experiment, type Metric } from "@iter8ts/types";
import jsonata from "jsonata";
import { loadJq } from "jq-wasm";
import { ExpressionPool, JQ_WRAP } from "../src/expression-pool";
import { JqEvaluator } from "../src/jq-evaluator";
import { JsonataEvaluator } from "../src/jsonata-evaluator";
import { generateLoad } from "../src/load-generator";
import { queryMetrics } from "../src/query-metrics";

const quick = process.argv.includes("--quick");

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (rank - lo);
};
const fmt = (n: number, digits = 1) => n.toFixed(digits);

function table(rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
}

// ------------------------------------------------------------------------------------------------
// 1. jq

/** Median time of `runs` calls of `f`, in microseconds. */
async function medianMicros(runs: number, f: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    samples.push((performance.now() - t0) * 1000);
  }
  return median(samples);
}

async function benchJq() {
  const cases: Array<[string, unknown]> = [
    [".data.result[0].value[1] | tonumber", { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1714557600.1, "21.7639"] }] } }],
    [".results[0] | .[] | tonumber", { results: [{ average: 41.8273 }], metadata: { eventType: "Sessions", contents: [{ function: "average" }] } }],
    [".results[0].count | tonumber", { results: [{ count: 80275388 }] }],
    [".data[0].d[0] | tonumber", { data: [{ t: 1582756200, d: [6.481] }], start: 1, end: 2 }],
    [".aggregations.items_to_sell.avg_sales.value | tonumber", { aggregations: { items_to_sell: { doc_count: 3, avg_sales: { value: 128.33 } } } }],
  ];
  const jq = new JqEvaluator();
  await jq.ready();
  const fastRuns = quick ? 500 : 5000;
  const wasmRuns = quick ? 50 : 300;
  const rows = [["expression", "fast path median µs", "jq-wasm in worker median µs", "speed-up"]];
  for (const [expression, doc] of cases) {
    const text = JSON.stringify(doc);
    // Parsing is included: it is part of every evaluation the provider does.
    const fast = await medianMicros(fastRuns, () => jq.evaluate(expression, text, JSON.parse(text)));
    const wasm = await medianMicros(wasmRuns, () => jq.evaluateWithJq(expression, text));
    rows.push([expression, fmt(fast, 2), fmt(wasm, 1), `${fmt(wasm / fast, 0)}×`]);
  }
  console.log("\n== jq: time per evaluation (goal: median ≤ 50 µs) ==");
  table(rows);
  await benchBounded(cases);
}

/** Per-extraction cost of running jq and JSONata in a limited worker instead of in process. */
async function benchBounded(cases: Array<[string, unknown]>) {
  const runs = quick ? 50 : 300;
  const time = (f: () => unknown) => medianMicros(runs, f);
  const pool = new ExpressionPool();
  const jqInWorker = new JqEvaluator({ pool, fastPath: false });
  const fast = new JqEvaluator({ pool });
  const jsonataInWorker = new JsonataEvaluator({ pool });
  const jqInProcess = await loadJq();
  await jqInWorker.ready();
  const rows = [["expression", "fast path µs", "before: jq in process µs", "after: jq in worker µs", "before: JSONata in process µs", "after: JSONata in worker µs"]];
  for (const [expression, doc] of cases) {
    const text = JSON.stringify(doc);
    // The same path in JSONata: drop `| tonumber` and jq's `.[]`, turn `[n]` into JSONata's `[n]`.
    const jsonataExpression = expression.replace(/\s*\|\s*tonumber/g, "").replace(/\|\s*\.\[\]/g, ".*").replace(/^\./, "").replace(/\s*\|\s*/g, ".");
    const compiled = jsonata(jsonataExpression);
    rows.push([
      expression,
      fmt(await time(() => fast.evaluate(expression, text, JSON.parse(text))), 1),
      fmt(await time(() => jqInProcess.raw(text, JQ_WRAP.replace("EXPR", () => expression), ["-c"])), 1),
      fmt(await time(() => jqInWorker.evaluate(expression, text, JSON.parse(text))), 1),
      fmt(await time(() => compiled.evaluate(JSON.parse(text))), 1),
      fmt(await time(() => jsonataInWorker.evaluate(jsonataExpression, JSON.parse(text), text)), 1),
    ]);
  }
  await pool.close();
  console.log("\n== bounded expressions: median cost per extraction, before (in process) and after (worker with limits) ==");
  table(rows);
}

// ------------------------------------------------------------------------------------------------
// 2. one iteration

async function benchIteration() {
  // The backend runs in its own process, as a real one would, so its timers do not share this
  // process's event loop.
  const { url: base, child } = await startServerProcess(100, PROMETHEUS_ANSWER);
  const url = `${base}api/v1/query`;
  const versions = ["v1", "v2", "v3", "v4"];
  const experiment = (n: number): Experiment => ({
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "bench", namespace: "default" },
    spec: {
      target: "bench",
      strategy: { testingPattern: "A/B/N" },
      versionInfo: { baseline: { name: versions[0]! }, candidates: versions.slice(1, n).map((name) => ({ name })) },
    },
    status: { startTime: new Date(Date.now() - 600_000).toISOString() },
  });
  const metric = (i: number): Metric =>
    MetricSchema.parse({
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Metric",
      metadata: { name: `m${i}`, namespace: "default" },
      spec: { provider: "prometheus", urlTemplate: url, params: [{ name: "query", value: `sum(increase(m${i}{v='$name'}[\${elapsedTime}s]))` }] },
    });
  const single = { exp: experiment(1), metrics: [metric(0)] };
  const full = { exp: experiment(4), metrics: Array.from({ length: 10 }, (_, i) => metric(i)) };
  await queryMetrics(full.exp, full.metrics, {}); // warm up: jq, sockets
  const runs = quick ? 5 : 15;
  const one: number[] = [];
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    const a = await queryMetrics(single.exp, single.metrics, {});
    one.push(performance.now() - t0);
    t0 = performance.now();
    const b = await queryMetrics(full.exp, full.metrics, {});
    all.push(performance.now() - t0);
    if (a.errors.length || b.errors.length) throw new Error(`unexpected errors: ${[...a.errors, ...b.errors][0]!.message}`);
  }
  child.kill();
  console.log("\n== one iteration against a backend answering in 100 ms (goal: ≤ 1.2× one query) ==");
  table([
    ["queries", "median ms", "ratio"],
    ["1 metric × 1 version", fmt(median(one)), "1.00"],
    ["10 metrics × 4 versions", fmt(median(all)), fmt(median(all) / median(one), 2)],
  ]);
}

// ------------------------------------------------------------------------------------------------
// 3. load generator vs hey

const PROMETHEUS_ANSWER = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"42.5"]}]}}';

const SERVER_SOURCE = `
const http = require("node:http");
const delay = Number(process.argv[1] || 0);
const body = Buffer.from(process.argv[2] || "ok");
const server = http.createServer((req, res) => {
  req.resume();
  const send = () => { res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) }); res.end(body); };
  if (delay > 0) setTimeout(send, delay); else send();
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

async function startServerProcess(delayMs: number, body = "ok"): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["-e", SERVER_SOURCE, String(delayMs), body], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", () => reject(new Error("server process exited")));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

function runHey(url: string, n: number, c: number): { rps: number; p50: number; p95: number } {
  const r = spawnSync("hey", ["-n", String(n), "-c", String(c), "-o", "csv", url], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`hey failed: ${r.stderr}`);
  const rows = r.stdout
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",").map(Number));
  // Columns: response-time, DNS+dialup, DNS, request-write, response-delay, response-read, status-code, offset.
  const latencies = rows.map((x) => x[0]! * 1000);
  const total = Math.max(...rows.map((x) => x[7]! + x[0]!));
  return { rps: rows.length / total, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

async function runOurs(url: string, n: number, c: number) {
  const r = await generateLoad({ url, qps: 0, connections: c, numQueries: n, keepSamples: true });
  const latencies = r.Samples!.map((s) => s * 1000);
  return { rps: r.ActualQPS, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

async function benchLoad() {
  if (spawnSync("sh", ["-c", "command -v hey"]).status !== 0) {
    console.log("\n== load generator vs hey: skipped (no `hey` on PATH; install Debian's hey package) ==");
    return;
  }
  const rows = [["scenario", "tool", "req/s", "p50 ms", "p95 ms"]];
  const ratios = [["scenario", "req/s ours/hey", "p50 ours/hey", "p95 ours/hey"]];
  for (const { delay, c, n } of [
    { delay: 0, c: 8, n: quick ? 4000 : 20000 },
    { delay: 5, c: 8, n: quick ? 1000 : 4000 },
    { delay: 5, c: 32, n: quick ? 2000 : 10000 },
  ]) {
    const { url, child } = await startServerProcess(delay);
    try {
      // Warm both up on the same server, then alternate so neither profits from a warmer JIT.
      runHey(url, 500, c);
      await runOurs(url, 500, c);
      const hey: Array<ReturnType<typeof runHey>> = [];
      const ours: Array<Awaited<ReturnType<typeof runOurs>>> = [];
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        hey.push(runHey(url, n, c));
        ours.push(await runOurs(url, n, c));
      }
      const pick = (xs: Array<{ rps: number; p50: number; p95: number }>) => ({
        rps: median(xs.map((x) => x.rps)),
        p50: median(xs.map((x) => x.p50)),
        p95: median(xs.map((x) => x.p95)),
      });
      const h = pick(hey);
      const o = pick(ours);
      const name = `server delay ${delay} ms, c=${c}, n=${n}`;
      rows.push([name, "hey", fmt(h.rps, 0), fmt(h.p50, 3), fmt(h.p95, 3)]);
      rows.push([name, "generateLoad", fmt(o.rps, 0), fmt(o.p50, 3), fmt(o.p95, 3)]);
      ratios.push([name, fmt(o.rps / h.rps, 2), fmt(o.p50 / h.p50, 2), fmt(o.p95 / h.p95, 2)]);
    } finally {
      child.kill();
    }
  }
  console.log("\n== load generator vs hey, same loopback server process (goals: req/s ≥ 0.8×, p50/p95 within 10 %) ==");
  table(rows);
  console.log("");
  table(ratios);
}

await benchJq();
await benchIteration();
await benchLoad();
