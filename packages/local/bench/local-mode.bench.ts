/**
 * What local mode costs per step, on the real disk: a status write into an experiment file (the
 * engine writes one after every step), a weight patch into a routing file, and a whole dry run
 * of a ten-iteration quickstart. Run with `pnpm -F @iter8ts/local bench`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExperimentSchema, type ExperimentStatus } from "@iter8ts/types";
import { ResourceWeightWriter } from "@iter8ts/weights";
import { afterAll, bench, describe } from "vitest";
import { parse } from "yaml";
import { experimentYaml, METRICS_YAML, ROUTING_SHAPES } from "../src/__fixtures__/local-files";
import { diskDocumentFiles } from "../src/document-files";
import { LocalDocuments } from "../src/local-documents";
import { LocalExperimentStore } from "../src/local-experiment-store";
import { LocalResourceClient } from "../src/local-resource-client";
import { runLocal } from "../src/run-local";

const dir = await mkdtemp(join(tmpdir(), "iter8ctl-bench-"));
await writeFile(join(dir, "experiment.yaml"), experimentYaml());
await writeFile(join(dir, "metrics.yaml"), METRICS_YAML);
await writeFile(join(dir, "routing.yaml"), ROUTING_SHAPES.VirtualService.text);
afterAll(() => rm(dir, { recursive: true, force: true }));

const documents = await LocalDocuments.open(diskDocumentFiles, ["experiment.yaml", "metrics.yaml", "routing.yaml"].map((f) => join(dir, f)));
const store = new LocalExperimentStore(documents);
const key = { namespace: "shop", name: "cart-ab" };

/** A status the size of a long run's: fifty decision records with values and weights. */
function bigStatus(n: number): ExperimentStatus {
  const decision = (i: number) => ({
    iteration: i,
    loop: 1,
    time: new Date(1_700_000_000_000 + i * 20_000).toISOString(),
    outcome: "Continued",
    reason: "Winner: cart-v2. Weights set to cart-v1=10, cart-v2=90. Recommended for promotion: cart-v2.",
    values: { "shop/conversion": { "cart-v1": { value: 2.1 }, "cart-v2": { value: 6.3 } }, "shop/latency": { "cart-v1": { value: 20.5 }, "cart-v2": { value: 19.8 } } },
    recommendedWeights: [
      { name: "cart-v1", value: 10 },
      { name: "cart-v2", value: 90 },
    ],
  });
  return { stage: "Running", completedIterations: n, message: `IterationUpdate: Completed Iteration ${n}`, decisions: Array.from({ length: 50 }, (_, i) => decision(i + 1)) } as ExperimentStatus;
}

let writes = 0;
const experiment = ExperimentSchema.parse(parse(experimentYaml()));
const weights = new ResourceWeightWriter(new LocalResourceClient(documents));
let split = 0;

describe("local mode on disk", () => {
  bench("status write (read, compare version, rewrite the document, fsync, rename)", async () => {
    const current = await store.getExperiment(key);
    const result = await store.writeStatus(key, bigStatus(++writes), current?.metadata.resourceVersion);
    if (result.kind !== "written") throw new Error(`status write answered ${result.kind}`);
  });

  bench("weight patch into the routing file (read, guarded JSON Patch, rewrite, rename)", async () => {
    split = (split + 10) % 100;
    await weights.apply(experiment, [
      { name: "cart-v1", value: 100 - split },
      { name: "cart-v2", value: split },
    ]);
  });

  bench(
    "dry run of samples/istio (10 iterations, simulated time)",
    async () => {
      const result = await runLocal({
        paths: [join(import.meta.dirname, "..", "..", "..", "samples", "istio")],
        dryRun: true,
      });
      if (result.outcome !== "completed") throw new Error(`the dry run ended ${result.outcome}`);
    },
    { iterations: 5, time: 0 },
  );
});
