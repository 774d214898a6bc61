// Every sample under samples/ must validate, and every metric an experiment names must be
// defined next to it, so that `kubectl apply -f samples/<stack>/` gives a runnable experiment.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimentNamespace, normalizeMetricRef, parseDocuments, type Experiment, type Metric } from "../src/index";

const samplesDir = join(import.meta.dirname, "..", "..", "..", "samples");
const QUICKSTARTS = ["istio", "kfserving", "knative", "seldon", "seldon-single"];
// A sample is any folder below samples/ whose YAML holds Experiments or Metrics (samples/local
// nests its samples, and keeps routing documents in folders of their own).
function sampleDirs(dir: string, prefix = ""): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const holdsApiDocs = entries.some(
    (e) => e.isFile() && /\.ya?ml$/.test(e.name) && /^kind:\s*(Experiment|Metric)\s*$/m.test(readFileSync(join(dir, e.name), "utf8")),
  );
  const here = holdsApiDocs && prefix ? [prefix] : [];
  const below = entries
    .filter((e) => e.isDirectory())
    .flatMap((e) => sampleDirs(join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name));
  return [...here, ...below];
}
const stacks = sampleDirs(samplesDir);

function load(stack: string) {
  const experiments: Experiment[] = [];
  const metrics: Metric[] = [];
  const problems: string[] = [];
  for (const file of readdirSync(join(samplesDir, stack)).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseDocuments(readFileSync(join(samplesDir, stack, file), "utf8"))) {
      if (!doc.result.ok) {
        for (const e of doc.result.errors) problems.push(`${stack}/${file}:${e.line ?? doc.line} ${e.path}: ${e.message}`);
      } else if (doc.type === "experiment") experiments.push(doc.result.value);
      else if (doc.type === "metric") metrics.push(doc.result.value);
    }
  }
  return { experiments, metrics, problems };
}

describe("samples", () => {
  it("include the Experiment and Metric documents of every quickstart", () => {
    for (const stack of QUICKSTARTS) {
      expect(existsSync(join(samplesDir, stack, "experiment.yaml")), `${stack}/experiment.yaml`).toBe(true);
      expect(existsSync(join(samplesDir, stack, "metrics.yaml")), `${stack}/metrics.yaml`).toBe(true);
    }
  });

  it.each(stacks)("%s validates", (stack) => {
    const { experiments, metrics, problems } = load(stack);
    expect(problems).toEqual([]);
    expect(experiments.length + metrics.length).toBeGreaterThan(0);
  });

  it.each(QUICKSTARTS)("%s defines every metric its experiment uses", (stack) => {
    const { experiments, metrics } = load(stack);
    const defined = new Set(metrics.map((m) => `${m.metadata?.namespace ?? "default"}/${m.metadata?.name}`));
    for (const metric of metrics) {
      if (metric.spec.sampleSize) expect(defined).toContain(normalizeMetricRef(metric.spec.sampleSize, metric.metadata?.namespace ?? "default"));
    }
    expect(experiments).toHaveLength(1);
    const experiment = experiments[0]!;
    const criteria = experiment.spec.criteria ?? {};
    const refs = [
      criteria.requestCount,
      ...(criteria.rewards ?? []).map((r) => r.metric),
      ...(criteria.indicators ?? []),
      ...(criteria.objectives ?? []).map((o) => o.metric),
    ].filter((ref): ref is string => ref !== undefined);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(defined).toContain(normalizeMetricRef(ref, experimentNamespace(experiment)));
  });
});
