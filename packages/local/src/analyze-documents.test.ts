import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseExperimentSchema, type Experiment } from "@iter8ts/types";
import { embedMetrics, readMetricDocuments, readSecretDocuments, repairableForAnalysis, repairForAnalysis } from "./analyze-documents";

// `iter8ctl analyze` (apps/cli) tests the whole analysis against a Prometheus stand-in; these test the pieces.
function metric(name: string, namespace: string | undefined, spec: Record<string, unknown> = {}) {
  return { apiVersion: "iter8.tools/v2alpha2", kind: "Metric", metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { provider: "prometheus", urlTemplate: "http://prom/api/v1/query", jqExpression: ".", ...spec } };
}

function experiment(criteria: Record<string, unknown>, status: Record<string, unknown> = {}): Experiment {
  const parsed = parseExperimentSchema({
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "canary", namespace: "shop" },
    spec: { target: "shop/app", strategy: { testingPattern: "Canary" }, criteria, versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] } },
    status,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

describe("repairForAnalysis", () => {
  it("fills a missing target and turns a sampleSize reference object into namespace/name, in a List too", () => {
    const doc = {
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Experiment",
      metadata: { name: "old", namespace: "shop" },
      spec: {},
      status: { metrics: [{ name: "m", metricObj: { spec: { sampleSize: { name: "count", namespace: "iter8" } } } }, { name: "n", metricObj: { spec: { sampleSize: { name: "count" } } } }] },
    };
    const repaired = JSON.parse(repairForAnalysis(stringify({ kind: "List", items: [doc] }))) as typeof doc & { spec: { target: string } };
    expect(repaired.spec.target).toBe("shop/old");
    expect(repaired.status.metrics.map((m) => m.metricObj.spec.sampleSize)).toEqual(["iter8/count", "count"]);
  });

  it("accepts only what analysis does not read strictly", () => {
    expect(repairableForAnalysis({ path: "spec.target", code: "required", message: "" })).toBe(true);
    expect(repairableForAnalysis({ path: "status.metrics[2].metricObj.spec.sampleSize", message: "" })).toBe(true);
    expect(repairableForAnalysis({ path: "spec.versionInfo", code: "required", message: "" })).toBe(false);
  });
});

describe("readMetricDocuments and readSecretDocuments", () => {
  it("keys documents by namespace/name, lists other kinds and reports invalid ones by path", () => {
    const text = [metric("latency", undefined), metric("errors", "other"), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }, { ...metric("bad", "shop"), spec: { provider: 3 } }].map((d) => stringify(d)).join("---\n");
    const read = readMetricDocuments(text, "shop");
    expect([...read.value.keys()]).toEqual(["shop/latency", "other/errors"]);
    expect(read.ignored).toEqual([{ where: "(document 3)", kind: "ConfigMap" }]);
    expect(read.issues.length).toBeGreaterThan(0);
    expect(read.issues.every((i) => i.path.startsWith("bad: "))).toBe(true);
  });

  it("decodes Secret data and never puts a value into an issue", () => {
    const text = [
      { apiVersion: "v1", kind: "Secret", metadata: { name: "token" }, data: { token: Buffer.from("s3cret").toString("base64") } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "broken", namespace: "shop" }, data: { token: "not base64 s3cret!" } },
    ].map((d) => stringify(d)).join("---\n");
    const read = readSecretDocuments(text, "shop");
    expect(read.value).toEqual({ "shop/token": { token: "s3cret" } });
    expect(JSON.stringify(read.issues)).not.toContain("s3cret");
  });
});

describe("embedMetrics", () => {
  it("embeds what the criteria reference and their sampleSize counters, file definitions first, and names what nothing defines", () => {
    const exp = experiment(
      { requestCount: "iter8-system/request-count", objectives: [{ metric: "latency", upperLimit: 200 }, { metric: "ghost", upperLimit: 1 }] },
      { metrics: [{ name: "shop/latency", metricObj: metric("latency", "shop", { urlTemplate: "http://embedded" }) }] },
    );
    const fromFile = new Map([
      ["shop/latency", metric("latency", "shop", { sampleSize: "count" })],
      ["shop/count", metric("count", "shop", { type: "Counter" })],
    ]) as unknown as Parameters<typeof embedMetrics>[1];
    const missing = embedMetrics(exp, fromFile);
    expect(missing).toEqual([{ ref: "ghost", path: expect.stringContaining("objectives") as unknown as string }]);
    expect(exp.status?.metrics?.map((m) => m.name)).toEqual(["shop/latency", "shop/count"]);
    expect(exp.status?.metrics?.[0]?.metricObj.spec.urlTemplate).toBe("http://prom/api/v1/query");
  });
});
