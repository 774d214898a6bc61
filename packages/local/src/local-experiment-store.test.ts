import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimentFolder, experimentYaml, METRICS_YAML } from "./__fixtures__/local-files";
import { diskDocumentFiles, MemoryDocumentFiles } from "./document-files";
import { LocalDocuments } from "./local-documents";
import { LocalExperimentStore } from "./local-experiment-store";

const key = { namespace: "shop", name: "cart-ab" };

async function storeOver(dir: string): Promise<LocalExperimentStore> {
  const paths = ["experiment.yaml", "metrics.yaml", "routing.yaml"].map((f) => join(dir, f));
  return new LocalExperimentStore(await LocalDocuments.open(diskDocumentFiles, paths));
}

describe("LocalExperimentStore", () => {
  it("reads experiments and metrics from the files, with their namespace and a resourceVersion", async () => {
    const store = await storeOver(await experimentFolder());
    const experiment = await store.getExperiment(key);
    expect(experiment?.spec.target).toBe("shop/cart");
    expect(experiment?.metadata.resourceVersion).toMatch(/^[0-9a-f]{16}$/);
    expect((await store.listExperiments()).map((e) => e.metadata.name)).toEqual(["cart-ab"]);
    expect(await store.listExperiments({ target: "shop/other" })).toEqual([]);
    expect((await store.getMetric("shop", "latency"))?.spec.units).toBe("milliseconds");
    expect(await store.getMetric("default", "latency")).toBeUndefined();
    expect(await store.getExperiment({ namespace: "shop", name: "missing" })).toBeUndefined();
  });

  it("writes the status into the experiment's document on disk, where a new store (a restarted run) finds it", async () => {
    const dir = await experimentFolder();
    const store = await storeOver(dir);
    const read = await store.getExperiment(key);
    const written = await store.writeStatus(key, { stage: "Running", completedIterations: 2, message: "IterationUpdate: Completed Iteration 2" }, read!.metadata.resourceVersion);
    expect(written).toMatchObject({ kind: "written" });
    const text = await readFile(join(dir, "experiment.yaml"), "utf8");
    expect(text.startsWith("# The cart A/B test\n")).toBe(true);
    expect(text).toContain("status:\n  stage: Running\n  completedIterations: 2\n");

    const restarted = await storeOver(dir);
    expect((await restarted.getExperiment(key))?.status).toEqual({ stage: "Running", completedIterations: 2, message: "IterationUpdate: Completed Iteration 2" });
  });

  it("keeps status fields the API does not define (the engine's run records)", async () => {
    const store = await storeOver(await experimentFolder());
    const read = await store.getExperiment(key);
    const status = { stage: "Finishing" as const, runId: "abc", actions: [{ action: "finish", runId: "abc-finish", state: "Running" }] };
    await store.writeStatus(key, status, read!.metadata.resourceVersion);
    expect((await store.getExperiment(key))?.status).toEqual(status);
  });

  it("answers conflict when the document changed since it was read, by the run or by hand", async () => {
    const dir = await experimentFolder();
    const store = await storeOver(dir);
    const read = await store.getExperiment(key);
    await writeFile(join(dir, "experiment.yaml"), experimentYaml({ intervalSeconds: 5 }));
    expect(await store.writeStatus(key, { stage: "Waiting" }, read!.metadata.resourceVersion)).toEqual({ kind: "conflict" });
    const fresh = await store.getExperiment(key);
    expect(fresh?.spec.duration?.intervalSeconds).toBe(5);
    expect(await store.writeStatus(key, { stage: "Waiting" }, fresh!.metadata.resourceVersion)).toMatchObject({ kind: "written" });
    expect(await store.writeStatus(key, { stage: "Running" }, fresh!.metadata.resourceVersion)).toEqual({ kind: "conflict" });
  });

  it("answers notFound for a status write to an experiment removed from the files", async () => {
    const files = new MemoryDocumentFiles({ "e.yaml": experimentYaml(), "m.yaml": METRICS_YAML });
    const store = new LocalExperimentStore(await LocalDocuments.open(files, ["e.yaml", "m.yaml"]));
    await files.write("e.yaml", experimentYaml({ name: "renamed" }));
    expect(await store.writeStatus(key, { stage: "Waiting" }, undefined)).toEqual({ kind: "notFound" });
  });

  it("throws, naming the file and the field, when an edit made the experiment invalid", async () => {
    const files = new MemoryDocumentFiles({ "e.yaml": experimentYaml() });
    const store = new LocalExperimentStore(await LocalDocuments.open(files, ["e.yaml"]));
    await files.write("e.yaml", experimentYaml().replace("testingPattern: A/B", "testingPattern: Bandit"));
    await expect(store.getExperiment(key)).rejects.toThrow(/Experiment shop\/cart-ab in e\.yaml:2 no longer validates \(spec\.strategy\.testingPattern: /);
  });
});
