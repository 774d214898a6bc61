import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { normalizeMetricRef, parseExperiment, parseMetric, type Experiment, type Metric } from "@iter8ts/types";
import { DEMO_SAMPLES, ExpectedOutcome, parseRoutingDocument, placeholdersIn, type PreparedSample } from "../src/index";
import { prepareSample, SAMPLES_DIR } from "./sample-files";

const VALUES = { DEMO_METRICS_URL: "http://127.0.0.1:40100", DEMO_V1_PORT: "40101", DEMO_V2_PORT: "40102" };
const PORTS: Record<string, number> = { "sample-app-v1": 40101, "sample-app-v2": 40102 };

const prepared: PreparedSample[] = [];
afterAll(() => Promise.all(prepared.map((p) => rm(p.dir, { recursive: true, force: true }))));

async function documentsOf(file: string): Promise<unknown[]> {
  return parseAllDocuments(await readFile(file, "utf8")).map((d) => d.toJS() as unknown);
}

describe.each(DEMO_SAMPLES.map((s) => [s.name, s] as const))("samples/local/%s", (name, sample) => {
  it("uses only the placeholders the demo fills", async () => {
    for (const file of ["experiment.yaml", "metrics.yaml", "routing.yaml", "promote/sample-app-v1.yaml", "promote/sample-app-v2.yaml"]) {
      const used = placeholdersIn(await readFile(join(SAMPLES_DIR, name, file), "utf8"));
      expect(used.every((p) => p in VALUES || p === "DEMO_WORKDIR"), `${file}: ${used.join(", ")}`).toBe(true);
    }
  });

  it("validates once prepared, and every metric the experiment needs is defined next to it", async () => {
    const copy = await prepareSample(name, VALUES);
    prepared.push(copy);
    expect(copy.experiments).toEqual([{ file: "experiment.yaml", name, namespace: "demo" }]);

    const [rawExperiment] = await documentsOf(join(copy.dir, "experiment.yaml"));
    const parsedExperiment = parseExperiment(rawExperiment);
    expect(parsedExperiment.ok ? [] : parsedExperiment.errors).toEqual([]);
    const experiment = (parsedExperiment as { value: Experiment }).value;

    const metrics = new Map<string, Metric>();
    for (const raw of await documentsOf(join(copy.dir, "metrics.yaml"))) {
      const parsed = parseMetric(raw);
      expect(parsed.ok ? [] : parsed.errors).toEqual([]);
      const metric = (parsed as { value: Metric }).value;
      metrics.set(`${metric.metadata?.namespace}/${metric.metadata?.name}`, metric);
      expect(metric.spec.urlTemplate).toBe("http://127.0.0.1:40100/api/v1/query");
    }

    const c = experiment.spec.criteria!;
    const strength = (c.strength ?? {}) as { metrics?: Record<string, { stddev?: string }> };
    const refs = [
      c.requestCount,
      ...(c.rewards ?? []).map((r) => r.metric),
      ...(c.objectives ?? []).map((o) => o.metric),
      ...(c.indicators ?? []),
      ...Object.keys(strength.metrics ?? {}),
      ...Object.values(strength.metrics ?? {}).map((m) => m.stddev),
    ].filter((r): r is string => typeof r === "string");
    for (const ref of refs) expect(metrics.has(normalizeMetricRef(ref, "demo")), ref).toBe(true);
    for (const metric of metrics.values()) {
      if (metric.spec.sampleSize) expect(metrics.has(normalizeMetricRef(metric.spec.sampleSize, "demo"))).toBe(true);
    }
    // Metrics a statistics model reads must also be queried, i.e. named by the criteria.
    const criteriaRefs = new Set([c.requestCount, ...(c.rewards ?? []).map((r) => r.metric), ...(c.objectives ?? []).map((o) => o.metric), ...(c.indicators ?? [])]);
    for (const m of Object.values(strength.metrics ?? {})) if (m.stddev) expect(criteriaRefs.has(m.stddev), m.stddev).toBe(true);
  });

  it("points each version's weight at its own route of the routing document, and its promote file at 100% for it", async () => {
    const copy = await prepareSample(name, VALUES);
    prepared.push(copy);
    const routing = parseRoutingDocument(await readFile(join(copy.dir, sample.routingFile), "utf8"));
    const [raw] = await documentsOf(join(copy.dir, "experiment.yaml"));
    const experiment = (parseExperiment(raw) as { value: Experiment }).value;
    const info = experiment.spec.versionInfo!;
    for (const version of [info.baseline, ...(info.candidates ?? [])]) {
      const ref = version.weightObjRef!;
      expect({ kind: ref.kind, namespace: ref.namespace, name: ref.name }).toEqual({ kind: "VirtualService", namespace: routing.namespace, name: routing.name });
      const index = Number(/^\.spec\.http\[0\]\.route\[(\d)\]\.weight$/.exec(ref.fieldPath ?? "")?.[1]);
      expect(routing.routes[index]).toMatchObject({ subset: version.name, port: PORTS[version.name] });

      const promote = version.variables?.find((v) => v.name === "promote")?.value ?? "";
      expect(promote).toBe(join(copy.dir, "promote", `${version.name}.yaml`));
      const promoted = parseRoutingDocument(await readFile(promote, "utf8"));
      expect(promoted.routes.map((r) => r.port)).toEqual(routing.routes.map((r) => r.port));
      expect(promoted.shares[index]).toBe(1);
    }
    const finish = experiment.spec.strategy.actions?.finish ?? [];
    expect(finish).toEqual([{ task: "common/exec", with: { cmd: "cp", args: ["{{ .promote }}", join(copy.dir, "routing.yaml")] } }]);
  });

});

it("starts the rollback sample's candidate with traffic, so it is judged from the first iteration", async () => {
  const copy = await prepareSample("rollback", VALUES);
  prepared.push(copy);
  expect(DEMO_SAMPLES.find((s) => s.name === "rollback")?.expected).toBe(ExpectedOutcome.RollBack);
  const routing = parseRoutingDocument(await readFile(join(copy.dir, "routing.yaml"), "utf8"));
  expect(routing.shares[1]).toBeGreaterThan(0);
});
