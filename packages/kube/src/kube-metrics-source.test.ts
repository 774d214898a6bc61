import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { KubeTestServer } from "@iter8ts/testkit";
import type { Experiment, MetricInfo } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canaryExperiment, impatientClients, mockMetric, startCluster } from "../test/support";
import type { KubeClients } from "./create-kube-clients";
import { isKubeError } from "./kube-error";
import { parseStoredExperiment, parseStoredMetric } from "./iter8-resources";
import { KubeMetricsSource, metricSecretRef, type MetricsQueryReport } from "./kube-metrics-source";
import { KubeSecretCache } from "./kube-secret-cache";

let server: KubeTestServer;
let clients: KubeClients;
let backend: Server;
let backendUrl: string;
const seenTokens: string[] = [];

beforeAll(async () => {
  ({ server, clients } = await startCluster({ namespaces: ["default", "team-metrics"] }));
  // A metrics backend that answers only the token of the team's Secret.
  backend = createServer((req, res) => {
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    seenTokens.push(token);
    res.setHeader("content-type", "application/json");
    if (token !== "team-token" && token !== "rotated-token") {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    const version = new URL(req.url ?? "/", "http://x").searchParams.get("version");
    res.end(JSON.stringify({ data: { value: version === "productpage-v1" ? 12.5 : 9.5 } }));
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/query`;
  const secret = (namespace: string, token: string) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "backend-creds", namespace },
    stringData: { token },
  });
  server.create(secret("team-metrics", "team-token"));
  // Same name in the experiment's namespace, with a token the backend refuses: it must not be used.
  server.create(secret("default", "wrong-token"));
});

afterAll(async () => {
  await new Promise((resolve) => backend.close(resolve));
  await server.close();
});

function restMetric(secret: string): MetricInfo {
  const metric = parseStoredMetric({
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Metric",
    metadata: { name: "latency", namespace: "team-metrics" },
    spec: { urlTemplate: backendUrl, params: [{ name: "version", value: "$name" }], jqExpression: ".data.value", authType: "Bearer", secret },
  });
  return { name: "team-metrics/latency", metricObj: metric };
}

function withMetrics(metrics: MetricInfo[]): Experiment {
  const experiment = parseStoredExperiment(canaryExperiment("exp"));
  return { ...experiment, status: { startTime: "2024-01-01T00:00:00Z", metrics } };
}

const now = { now: new Date("2024-01-01T00:01:00Z") };

describe("KubeMetricsSource", () => {
  it("queries every metric for every version, mocked ones included", async () => {
    const mock: MetricInfo = { name: "default/mean-latency", metricObj: parseStoredMetric(mockMetric("mean-latency", { "productpage-v1": 20, "productpage-v2": 15 })) };
    const values = await new KubeMetricsSource(clients).query(withMetrics([mock]), now);
    expect(Object.keys(values)).toEqual(["default/mean-latency"]);
    expect(typeof values["default/mean-latency"]?.["productpage-v1"]?.value).toBe("number");
    expect(typeof values["default/mean-latency"]?.["productpage-v2"]?.value).toBe("number");
  });

  it("resolves an unqualified secret in the Metric's namespace, not the experiment's", async () => {
    const info = restMetric("backend-creds");
    expect(metricSecretRef(info, "default")).toEqual({ namespace: "team-metrics", name: "backend-creds" });
    const values = await new KubeMetricsSource(clients).query(withMetrics([info]), now);
    expect(values["team-metrics/latency"]).toEqual({ "productpage-v1": { value: 12.5 }, "productpage-v2": { value: 9.5 } });
    expect(seenTokens).not.toContain("wrong-token");
  });

  it("cancels the queries still in flight when the reconcile's signal is aborted", async () => {
    // A backend that accepts the connection and never answers.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const metric = parseStoredMetric({
        apiVersion: "iter8.tools/v2alpha2",
        kind: "Metric",
        metadata: { name: "silent", namespace: "default" },
        spec: { urlTemplate: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/q`, jqExpression: ".x", timeoutSeconds: 60 },
      });
      const deadline = new AbortController();
      setTimeout(() => deadline.abort(), 50);
      const values = await new KubeMetricsSource(clients).query(withMetrics([{ name: "default/silent", metricObj: metric }]), { ...now, signal: deadline.signal });
      expect(values["default/silent"]?.["productpage-v1"]?.error).toContain("could not reach");
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("uses a qualified secret reference of the Metric's own namespace", async () => {
    const values = await new KubeMetricsSource(clients).query(withMetrics([restMetric("team-metrics/backend-creds")]), now);
    expect(values["team-metrics/latency"]).toEqual({ "productpage-v1": { value: 12.5 }, "productpage-v2": { value: 9.5 } });
  });

  it("refuses a Secret of another namespace without reading it or querying the backend, naming the Metric and the Secret", async () => {
    const reports: MetricsQueryReport[] = [];
    const reads = () => server.requests().filter((r) => r.resource === "secrets" && r.namespace === "default").length;
    const before = reads();
    seenTokens.length = 0;
    const values = await new KubeMetricsSource(clients, { onQueried: (r) => reports.push(r) }).query(withMetrics([restMetric("default/backend-creds")]), now);
    const message =
      "Metric team-metrics/latency names Secret default/backend-creds in spec.secret, but a Metric may only use Secrets of its own namespace (team-metrics); " +
      "create the Secret in namespace team-metrics and name it there (see docs/security-model.md)";
    expect(values["team-metrics/latency"]).toEqual({
      "productpage-v1": { value: null, error: `metric team-metrics/latency, version productpage-v1: ${message}` },
      "productpage-v2": { value: null, error: `metric team-metrics/latency, version productpage-v2: ${message}` },
    });
    expect(reports[0]?.errors.map((e) => e.code)).toEqual(["invalid_metric", "invalid_metric"]);
    expect(reads()).toBe(before);
    expect(seenTokens).toEqual([]);
  });

  it("reports a missing secret as an error value and a problem naming it, without throwing", async () => {
    const reports: MetricsQueryReport[] = [];
    const source = new KubeMetricsSource(clients, { onQueried: (r) => reports.push(r) });
    const values = await source.query(withMetrics([restMetric("no-such-secret")]), now);
    expect(values["team-metrics/latency"]?.["productpage-v2"]?.error).toMatch(/team-metrics\/no-such-secret/);
    expect(reports[0]?.secretProblems.map((p) => p.message)).toEqual([
      "Secret team-metrics/no-such-secret does not exist; create it in namespace team-metrics or qualify spec.secret as namespace/name",
    ]);
    expect(reports[0]?.errors.map((e) => e.code)).toEqual(["secret_missing", "secret_missing"]);
    expect(reports[0]?.experiment).toEqual({ namespace: "default", name: "exp" });
  });

  it("reads each secret once per cache period and picks up a rotated one after it", async () => {
    let clock = 0;
    const secrets = new KubeSecretCache(clients, { ttlMs: 10_000, now: () => clock });
    const source = new KubeMetricsSource(clients, { secrets });
    const reads = () => server.requests().filter((r) => r.resource === "secrets" && r.name === "backend-creds" && r.namespace === "team-metrics").length;
    const before = reads();
    const experiment = withMetrics([restMetric("backend-creds")]);
    await source.query(experiment, now);
    await source.query(experiment, now);
    expect(reads() - before).toBe(1);
    const stored = server.get("v1", "Secret", "backend-creds", "team-metrics");
    server.replace({ ...stored, data: { token: Buffer.from("rotated-token").toString("base64") } });
    clock += 10_001;
    seenTokens.length = 0;
    await source.query(experiment, now);
    expect(reads() - before).toBe(2);
    expect(seenTokens).toEqual(["rotated-token", "rotated-token"]);
  });

  it("throws a retryable error when the API server cannot be reached for a secret", async () => {
    const { KubeTestServer } = await import("@iter8ts/testkit");
    const gone = await KubeTestServer.start({ jobs: false });
    const source = new KubeMetricsSource(impatientClients(gone));
    await gone.close();
    const error = await source.query(withMetrics([restMetric("backend-creds")]), now).catch((e: unknown) => e);
    expect(isKubeError(error, "Unavailable")).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
  });
});
