// Prints how fast the controller gets experiments through: the work queue alone, then whole
// experiments (one iteration each, mock metrics) against the loopback API server with 1 and 4
// workers. Run with `pnpm -F @iter8ts/controller bench`.
import { performance } from "node:perf_hooks";
import { KubeTestServer, makeKubeConfig, type JsonObject } from "@iter8ts/testkit";
import { isConditionTrue, type ExperimentStatus } from "@iter8ts/types";
import pino from "pino";
import { parseControllerConfig } from "../src/controller-config";
import { startController } from "../src/start-controller";
import { WorkQueue } from "../src/work-queue";

async function queueThroughput(keys: number, repeats: number): Promise<void> {
  const queue = new WorkQueue();
  const started = performance.now();
  for (let r = 0; r < repeats; r++) for (let k = 0; k < keys; k++) queue.add(`ns/exp-${k}`);
  let handled = 0;
  for (;;) {
    if (queue.length === 0) break;
    const key = await queue.get();
    if (key === undefined) break;
    handled++;
    queue.done(key);
  }
  const ms = performance.now() - started;
  console.log(`work queue: ${keys * repeats} adds of ${keys} keys coalesced to ${handled} reconciles in ${ms.toFixed(1)} ms (${Math.round((keys * repeats) / (ms / 1000)).toLocaleString("en")} adds/s)`);
  await queue.shutDown();
}

function experiment(index: number): JsonObject {
  const name = `bench-${index}`;
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace: "default" },
    spec: {
      target: `default/${name}`,
      strategy: { testingPattern: "Conformance" },
      criteria: { objectives: [{ metric: "default/latency", upperLimit: 1000 }] },
      duration: { intervalSeconds: 1, iterationsPerLoop: 1 },
      versionInfo: { baseline: { name: "v1" } },
    },
  };
}

async function experimentThroughput(count: number, workers: number): Promise<void> {
  const server = await KubeTestServer.start({ jobs: false });
  server.create({ apiVersion: "iter8.tools/v2alpha2", kind: "Metric", metadata: { name: "latency", namespace: "default" }, spec: { type: "Gauge", mock: [{ name: "v1", level: "100" }] } });
  const request = parseControllerConfig(["--metrics-addr=0", "--health-addr=0", "--leader-elect=false", `--workers=${workers}`, "--log-level=silent"], {});
  if (request.kind !== "run") throw new Error("expected settings");
  const running = await startController(request.config, { logger: pino({ level: "silent" }), kubeConfig: makeKubeConfig(server), processMetrics: false });
  await running.controller.waitForSync({ timeoutMs: 10_000 });
  const started = performance.now();
  for (let i = 0; i < count; i++) server.create(experiment(i));
  const done = () =>
    (server.list("iter8.tools/v2alpha2", "Experiment", "default") as Array<{ status?: ExperimentStatus }>).filter((e) => isConditionTrue(e.status, "Completed")).length;
  while (done() < count) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  const reconciles = (await running.metrics.registry.getSingleMetric("iter8_reconciles_total")?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
  const writes = server.requests().filter((r) => r.subresource === "status" && r.verb === "update").length;
  console.log(
    `${count} experiments, ${workers} worker${workers === 1 ? "" : "s"}: all completed in ${seconds.toFixed(2)} s (${(count / seconds).toFixed(1)} experiments/s; ${reconciles} reconciles, ${writes} status writes)`,
  );
  await running.stop();
  await server.close();
}

await queueThroughput(10_000, 10);
// Each experiment waits its one-second interval once; more workers overlap the rest.
await experimentThroughput(40, 1);
await experimentThroughput(40, 4);
