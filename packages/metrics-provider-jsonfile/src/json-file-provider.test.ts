import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDefaultRegistry, queryMetrics } from "@iter8ts/metrics";
import type { Experiment, Metric } from "@iter8ts/types";
import { jsonFileProvider } from "./json-file-provider";

const dir = mkdtempSync(join(tmpdir(), "jsonfile-provider-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const experiment: Experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name: "model-ab", namespace: "ml" },
  spec: {
    target: "ml/classifier",
    strategy: { testingPattern: "A/B" },
    versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] },
  },
  status: { startTime: "2024-05-01T10:00:00Z" },
};

const metric = (name: string): Metric => ({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Metric",
  metadata: { name, namespace: "ml" },
  spec: { provider: "jsonfile", type: "Gauge", method: "GET" },
});

function registryFor(path: string) {
  return createDefaultRegistry().register(jsonFileProvider({ path }));
}

describe("jsonFileProvider registered in a registry", () => {
  it("answers metrics whose provider is jsonfile, with sample sizes when the file has them", async () => {
    const path = join(dir, "values.json");
    writeFileSync(path, JSON.stringify({ "ml/accuracy": { v1: 0.91, v2: { value: 0.93, sampleSize: 5000 } }, latency: { v1: 12, v2: 11 } }));
    const result = await queryMetrics(experiment, [metric("accuracy"), metric("latency")], {}, { registry: registryFor(path) });
    expect(result.errors).toEqual([]);
    expect(result.values).toEqual({
      "ml/accuracy": { v1: { value: 0.91 }, v2: { value: 0.93, sampleSize: 5000 } },
      "ml/latency": { v1: { value: 12 }, v2: { value: 11 } },
    });
  });

  it("reads the file again on every query, so a job can update it between iterations", async () => {
    const path = join(dir, "changing.json");
    writeFileSync(path, JSON.stringify({ accuracy: { v1: 0.5, v2: 0.6 } }));
    const registry = registryFor(path);
    const first = await queryMetrics(experiment, [metric("accuracy")], {}, { registry });
    writeFileSync(path, JSON.stringify({ accuracy: { v1: 0.7, v2: 0.8 } }));
    const second = await queryMetrics(experiment, [metric("accuracy")], {}, { registry });
    expect(first.values["ml/accuracy"]?.v2?.value).toBe(0.6);
    expect(second.values["ml/accuracy"]?.v2?.value).toBe(0.8);
  });

  it("reports a missing version, a missing file and a broken file as typed errors naming metric and version", async () => {
    const partial = join(dir, "partial.json");
    writeFileSync(partial, JSON.stringify({ accuracy: { v1: 0.9 } }));
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");

    const a = await queryMetrics(experiment, [metric("accuracy")], {}, { registry: registryFor(partial) });
    expect(a.values["ml/accuracy"]?.v1).toEqual({ value: 0.9 });
    expect(a.errors.map((e) => [e.code, e.metric, e.version])).toEqual([["no_number", "ml/accuracy", "v2"]]);

    const b = await queryMetrics(experiment, [metric("accuracy")], {}, { registry: registryFor(join(dir, "absent.json")) });
    expect(b.errors.map((e) => e.code)).toEqual(["unreachable", "unreachable"]);
    expect(b.errors[0]!.message).toContain("ENOENT");

    const c = await queryMetrics(experiment, [metric("accuracy")], {}, { registry: registryFor(broken) });
    expect(c.errors.map((e) => e.code)).toEqual(["bad_json", "bad_json"]);
    expect(c.values["ml/accuracy"]?.v2).toEqual({ value: null, error: c.errors[1]!.message });
  });

  it("without registration the metric has no provider", async () => {
    const result = await queryMetrics(experiment, [metric("accuracy")], {}, { registry: createDefaultRegistry() });
    expect(result.errors.map((e) => e.code)).toEqual(["unknown_provider", "unknown_provider"]);
    expect(result.errors[0]!.message).toContain('provider "jsonfile"');
  });
});
