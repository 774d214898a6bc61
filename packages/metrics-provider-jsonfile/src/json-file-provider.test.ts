import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDefaultRegistry, createEgressPolicy, loadProviderModules, nodeHttpClient, queryMetrics, type QueryMetricsOptions } from "@iter8ts/metrics";
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

/** A loopback server whose answer each test chooses per path; it records closed requests. */
const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
const arrived: string[] = [];
const abandoned: string[] = [];
const server = createServer((req, res) => {
  arrived.push(req.url ?? "");
  res.on("close", () => {
    if (!res.writableFinished) abandoned.push(req.url ?? "");
  });
  const route = routes.get(req.url ?? "");
  if (route) route(req, res);
  else res.writeHead(404).end("not here");
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const httpMetric = (name: string, path: string, extra: Partial<Metric["spec"]> = {}): Metric => ({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Metric",
  metadata: { name, namespace: "ml" },
  spec: { provider: "jsonfile", type: "Gauge", method: "GET", urlTemplate: `${base}${path}`, ...extra },
});

/** The module's own provider (what --provider loads), queried with the runtime's real HTTP client. */
const overHttp = (options: Partial<QueryMetricsOptions> = {}) => ({
  registry: createDefaultRegistry().register(jsonFileProvider()),
  http: nodeHttpClient(),
  sleep: async () => {},
  ...options,
});

describe("jsonFileProvider over HTTP (the Metric's urlTemplate)", () => {
  it("answers from a document served with 200", async () => {
    routes.set("/values.json", (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ accuracy: { v1: 0.9, v2: { value: 0.95, sampleSize: 800 } } })));
    const result = await queryMetrics(experiment, [httpMetric("accuracy", "/values.json")], {}, overHttp());
    expect(result.errors).toEqual([]);
    expect(result.values["ml/accuracy"]).toEqual({ v1: { value: 0.9 }, v2: { value: 0.95, sampleSize: 800 } });
  });

  it("takes an HTTP 500 whose body is 42 as an error, not as the value 42; 503 is worth retrying, 404 is not", async () => {
    routes.set("/broken", (_req, res) => res.writeHead(500, { "content-type": "application/json" }).end("42"));
    routes.set("/busy", (_req, res) => res.writeHead(503).end("42"));
    const result = await queryMetrics(experiment, [httpMetric("broken", "/broken"), httpMetric("busy", "/busy"), httpMetric("gone", "/gone")], {}, overHttp());
    expect(result.values["ml/broken"]?.v1?.value).toBeNull();
    const seen = result.errors.filter((e) => e.version === "v1").map((e) => [e.metric, e.code, e.status, e.retryable, e.message]);
    expect(seen).toEqual([
      ["ml/broken", "http_status", 500, false, `metric ml/broken, version v1: "${base}/broken" answered HTTP 500`],
      ["ml/busy", "http_status", 503, true, `metric ml/busy, version v1: "${base}/busy" answered HTTP 503`],
      ["ml/gone", "http_status", 404, false, `metric ml/gone, version v1: "${base}/gone" answered HTTP 404`],
    ]);
  });

  it("maps the HTTP client's failures: a closed port is unreachable, a silent server a timeout, a refused address egress_refused, a huge answer response_too_large", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    routes.set("/silent", () => {});
    routes.set("/huge", (_req, res) => res.writeHead(200).end(JSON.stringify({ accuracy: { v1: 1, pad: "x".repeat(64 * 1024) } })));

    const unreachable = await queryMetrics(experiment, [{ ...httpMetric("accuracy", ""), spec: { ...httpMetric("accuracy", "").spec, urlTemplate: `http://127.0.0.1:${closedPort}/v.json` } }], {}, overHttp());
    expect(unreachable.errors.map((e) => [e.code, e.retryable])).toEqual([["unreachable", true], ["unreachable", true]]);
    expect(unreachable.errors[0]!.message).toBe(`metric ml/accuracy, version v1: could not reach "http://127.0.0.1:${closedPort}/v.json" (ECONNREFUSED); check the URL and that the server is running`);

    const timeout = await queryMetrics(experiment, [httpMetric("accuracy", "/silent", { timeoutSeconds: 0.2 })], {}, overHttp());
    expect(timeout.errors.map((e) => e.code)).toEqual(["timeout", "timeout"]);
    expect(timeout.errors[0]!.message).toBe(`metric ml/accuracy, version v1: "${base}/silent" did not answer within 0.2 s; raise spec.timeoutSeconds`);

    const refused = await queryMetrics(experiment, [httpMetric("accuracy", "/values.json")], {}, overHttp({ http: nodeHttpClient({ egress: createEgressPolicy() }) }));
    expect(refused.errors.map((e) => e.code)).toEqual(["egress_refused", "egress_refused"]);
    expect(refused.errors[0]!.message).toBe(`metric ml/accuracy, version v1: "${base}/values.json" leads to 127.0.0.1, which the egress policy refuses; the operator allows it with --egress-allow loopback`);

    const huge = await queryMetrics(experiment, [httpMetric("accuracy", "/huge")], {}, overHttp({ http: nodeHttpClient({ maxResponseBytes: 4096 }) }));
    expect(huge.errors.map((e) => e.code)).toEqual(["response_too_large", "response_too_large"]);
  });

  it("stops waiting when the query is cancelled: the request is abandoned and the error says so", async () => {
    routes.set("/slow", () => {});
    const controller = new AbortController();
    const pending = queryMetrics(experiment, [httpMetric("accuracy", "/slow", { timeoutSeconds: 300 })], {}, overHttp({ signal: controller.signal }));
    while (arrived.filter((url) => url === "/slow").length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(new Error("the iteration's deadline passed"));
    const result = await pending;
    expect(result.errors.map((e) => [e.code, e.retryable, e.message])).toEqual([
      ["unreachable", false, "metric ml/accuracy, version v1: the query was cancelled before the values document was read"],
      ["unreachable", false, "metric ml/accuracy, version v2: the query was cancelled before the values document was read"],
    ]);
    while (abandoned.filter((url) => url === "/slow").length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(abandoned.filter((url) => url === "/slow")).toHaveLength(2);
  });

  it("sends nothing for a query cancelled before it starts, and reads no file", async () => {
    let calls = 0;
    const http = async () => {
      calls += 1;
      return { status: 200, headers: {}, body: "{}" };
    };
    const registry = createDefaultRegistry().register(jsonFileProvider({ path: "values.json", name: "jsonfile-local", read: async () => String(++calls) }));
    const fromFile = { ...metric("accuracy"), spec: { ...metric("accuracy").spec, provider: "jsonfile-local" } };
    const result = await queryMetrics(experiment, [httpMetric("accuracy", "/values.json"), fromFile], {}, overHttp({ http, signal: AbortSignal.abort(), registry: registry.register(jsonFileProvider()) }));
    expect(calls).toBe(0);
    expect(result.errors.map((e) => e.code)).toEqual(["unreachable", "unreachable"]);
  });

  it("refuses a Metric without an http(s) urlTemplate, naming the field", async () => {
    const result = await queryMetrics(experiment, [metric("accuracy"), { ...httpMetric("other", ""), spec: { ...metric("other").spec, urlTemplate: "file:///etc/passwd" } }], {}, overHttp());
    expect(result.errors.filter((e) => e.version === "v1").map((e) => [e.code, e.message])).toEqual([
      ["invalid_metric", "metric ml/accuracy, version v1: spec.urlTemplate is missing; set it to the http(s) URL of the values document"],
      ["invalid_metric", 'metric ml/other, version v1: spec.urlTemplate "file:///etc/passwd" is not an http: or https: URL; the jsonfile provider fetches its values document over HTTP'],
    ]);
  });
});

describe("the package as a provider module", () => {
  it("declares provider API 1 and the jsonfile provider, and loads with loadProviderModules", async () => {
    const registry = createDefaultRegistry();
    const [loaded] = await loadProviderModules(registry, ["./index.ts"], { cwd: import.meta.dirname, importModule: (url) => import(url) as Promise<unknown> });
    expect(loaded?.providers).toEqual(["jsonfile"]);
    routes.set("/module.json", (_req, res) => res.writeHead(200).end(JSON.stringify({ "ml/latency": { v1: 120, v2: 95 } })));
    const result = await queryMetrics(experiment, [httpMetric("latency", "/module.json")], {}, { registry, http: nodeHttpClient() });
    expect(result.values["ml/latency"]).toEqual({ v1: { value: 120 }, v2: { value: 95 } });
  });
});
