// Throughput of the demo's moving parts on this machine: requests per second through the
// router to two instant versions, and metric queries per second over a full telemetry. Prints
// numbers; nothing here is a pass/fail threshold.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateLoad } from "@iter8ts/metrics";
import { answerMetricQuery, routingDocumentYaml, startRouter, startSampleApp, Telemetry, type VersionProfile } from "../src/index";

const instant = (name: string): VersionProfile => ({ name, latency: { baseMs: 0, jitterMs: 0.001 }, errorRate: 0.01, engagement: { mean: 30, stddev: 5 } });

async function routerThroughput(seconds: number, connections: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "iter8ts-demo-bench-"));
  const apps = [await startSampleApp(instant("v1")), await startSampleApp(instant("v2"))];
  const routingFile = join(dir, "routing.yaml");
  const routes = apps.map((a) => ({ host: "127.0.0.1", port: a.port, subset: a.profile.name, weight: 50 }));
  await writeFile(routingFile, routingDocumentYaml({ name: "bench", routes }));
  const telemetry = new Telemetry();
  const router = await startRouter({ routingFile, telemetry });
  try {
    const result = await generateLoad({ url: router.url, qps: 0, connections, durationMs: seconds * 1000 });
    const count = result.DurationHistogram.Count;
    const p = (q: number) => (telemetry.latencyQuantile("v1", q) ?? NaN).toFixed(2);
    console.log(
      `router, ${connections} connections: ${(count / result.ActualDuration).toFixed(0)} requests/s over ${result.ActualDuration.toFixed(1)} s ` +
        `(${count} requests; latency seen by the router p50 ${p(0.5)} ms, p99 ${p(0.99)} ms)`,
    );
  } finally {
    await router.close();
    await Promise.all(apps.map((a) => a.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

function queryThroughput(records: number): void {
  const telemetry = new Telemetry();
  for (let i = 0; i < records; i++) {
    telemetry.record({ version: i % 2 ? "v1" : "v2", status: i % 100 === 0 ? 500 : 200, latencyMs: 20 + (i % 37), engagement: 30 });
  }
  const params = new URLSearchParams({ metric: "latency-percentile", quantile: "0.95", version: "v1", window: "3600" });
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < 1000) {
    answerMetricQuery(telemetry, params, Date.now());
    n++;
  }
  console.log(`metrics API, p95 over ${records} recorded requests: ${(n / ((performance.now() - started) / 1000)).toFixed(0)} queries/s`);
}

await routerThroughput(3, 8);
await routerThroughput(3, 32);
queryThroughput(10_000);
queryThroughput(100_000);
