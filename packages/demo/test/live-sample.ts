// Starts a sample for real (apps, metrics API, router, traffic) and reads its prepared
// documents back, for tests that query and analyse it as iter8ctl would.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { parseExperiment, parseMetric, type Experiment, type Metric } from "@iter8ts/types";
import { findDemoSample, routingDocumentYaml, startSampleRun, type SampleRun } from "../src/index";
import { SAMPLES_DIR } from "./sample-files";

/** A running sample with its Experiment and Metrics as parsed documents. */
export interface LiveSample {
  run: SampleRun;
  experiment: Experiment;
  metrics: Metric[];
  /** Requests each version has served so far. */
  served(version: string): number;
  /** Rewrites the routing document's weights, as the engine's weight patches do. */
  setWeights(v1: number, v2: number): Promise<void>;
}

async function documents(file: string): Promise<unknown[]> {
  return parseAllDocuments(await readFile(file, "utf8")).map((d) => d.toJS() as unknown);
}

/** Starts `name` with `qps` requests per second; the experiment counts as started (startTime set). */
export async function startLiveSample(name: string, qps: number): Promise<LiveSample> {
  const run = await startSampleRun(findDemoSample(name)!, { samplesDir: SAMPLES_DIR, qps });
  const [raw] = await documents(join(run.prepared.dir, "experiment.yaml"));
  const parsed = parseExperiment(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const experiment: Experiment = { ...parsed.value, status: { startTime: new Date(Date.now() - 60_000).toISOString() } };
  const metrics = (await documents(join(run.prepared.dir, "metrics.yaml"))).map((doc) => {
    const m = parseMetric(doc);
    if (!m.ok) throw new Error(JSON.stringify(m.errors));
    return m.value;
  });
  const { baseline, candidate } = run.backends;
  return {
    run,
    experiment,
    metrics,
    served: (version) => run.backends.telemetry.summary(version).requests,
    setWeights: (v1, v2) =>
      import("node:fs/promises").then(({ writeFile }) =>
        writeFile(
          join(run.prepared.dir, "routing.yaml"),
          routingDocumentYaml({
            name: "sample-app",
            namespace: "demo",
            routes: [
              { host: "127.0.0.1", port: baseline.port, subset: baseline.profile.name, weight: v1 },
              { host: "127.0.0.1", port: candidate.port, subset: candidate.profile.name, weight: v2 },
            ],
          }),
        ),
      ),
  };
}
