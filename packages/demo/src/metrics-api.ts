import http from "node:http";
import { closeServer, listenOnLoopback } from "./loopback-server";
import type { Telemetry, VersionSummary } from "./telemetry";

/** The metrics the demo's metrics API answers, by the name given in the `metric` parameter. */
export const DemoMetric = {
  /** Requests served (a counter; 0 without traffic). */
  RequestCount: "request-count",
  /** Responses with status ≥ 500 or none (a counter; 0 without traffic). */
  ErrorCount: "error-count",
  /** error-count / request-count. */
  ErrorRate: "error-rate",
  /** Mean latency in milliseconds. */
  MeanLatency: "mean-latency",
  /** Sample standard deviation of latency in milliseconds. */
  LatencyStddev: "latency-stddev",
  /** A latency quantile in milliseconds; needs the `quantile` parameter (e.g. 0.95). */
  LatencyPercentile: "latency-percentile",
  /** Mean user engagement per request, in seconds. */
  UserEngagement: "user-engagement",
  /** Sample standard deviation of user engagement per request, in seconds. */
  UserEngagementStddev: "user-engagement-stddev",
} as const;
export type DemoMetric = (typeof DemoMetric)[keyof typeof DemoMetric];

const METRIC_NAMES: readonly string[] = Object.values(DemoMetric);

/** The path the metrics API answers on, as Prometheus' instant queries do. */
export const METRICS_QUERY_PATH = "/api/v1/query";

/** A Prometheus HTTP API answer: an instant vector, or an error. */
export type PrometheusResponse =
  | {
      status: "success";
      data: { resultType: "vector"; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    }
  | { status: "error"; errorType: "bad_data" | "not_found"; error: string };

/** An HTTP status and the JSON body to send with it. */
export interface MetricAnswer {
  status: number;
  body: PrometheusResponse;
}

const badData = (error: string): MetricAnswer => ({ status: 400, body: { status: "error", errorType: "bad_data", error } });

function parseWindow(raw: string | null): number | undefined | string {
  if (raw === null || raw === "") return undefined;
  const match = /^(\d+(?:\.\d+)?)s?$/.exec(raw.trim());
  if (!match || !(Number(match[1]) > 0)) {
    return `window must be a positive number of seconds such as 30 or 30s (got ${JSON.stringify(raw)}); Metrics pass \${elapsedTime}`;
  }
  return Number(match[1]);
}

function valueOf(metric: DemoMetric, s: VersionSummary, quantile: () => number | null): number | null {
  switch (metric) {
    case DemoMetric.RequestCount:
      return s.requests;
    case DemoMetric.ErrorCount:
      return s.errors;
    case DemoMetric.ErrorRate:
      return s.errorRate;
    case DemoMetric.MeanLatency:
      return s.meanLatencyMs;
    case DemoMetric.LatencyStddev:
      return s.latencyStddevMs;
    case DemoMetric.LatencyPercentile:
      return quantile();
    case DemoMetric.UserEngagement:
      return s.meanEngagement;
    case DemoMetric.UserEngagementStddev:
      return s.engagementStddev;
  }
}

/**
 * Answers one query of the metrics API: `metric` (see {@link DemoMetric}), `version` (the
 * version's name, `$name` in a Metric), `window` (seconds back from now, `${elapsedTime}` in a
 * Metric; default: everything) and, for `latency-percentile`, `quantile` in (0, 1]. The answer has
 * the shape of a Prometheus instant query, so `.data.result[0].value[1] | tonumber` reads it.
 * Counters are 0 for a version without requests; other metrics then return an empty vector,
 * as Prometheus does for a series with no samples, and jq finds no number.
 */
export function answerMetricQuery(telemetry: Telemetry, params: URLSearchParams, nowMs: number): MetricAnswer {
  const metric = params.get("metric");
  if (!metric) return badData(`the metric parameter is required; one of ${METRIC_NAMES.join(", ")}`);
  if (!METRIC_NAMES.includes(metric)) return badData(`unknown metric ${JSON.stringify(metric)}; known metrics are ${METRIC_NAMES.join(", ")}`);
  const version = params.get("version");
  if (!version) return badData("the version parameter is required: the version's name ($name in a Metric's params)");
  const window = parseWindow(params.get("window"));
  if (typeof window === "string") return badData(window);
  let q: number | undefined;
  if (metric === DemoMetric.LatencyPercentile) {
    const raw = params.get("quantile");
    q = raw === null ? NaN : Number(raw);
    if (!(q > 0 && q <= 1)) return badData(`latency-percentile needs a quantile parameter in (0, 1], such as 0.95 (got ${JSON.stringify(raw)})`);
  }
  const summary = telemetry.summary(version, window);
  const value = valueOf(metric as DemoMetric, summary, () => telemetry.latencyQuantile(version, q!, window));
  const result = value === null ? [] : [{ metric: { __name__: metric, version }, value: [nowMs / 1000, String(value)] as [number, string] }];
  return { status: 200, body: { status: "success", data: { resultType: "vector", result } } };
}

/** A running metrics API. */
export interface MetricsApi {
  /** `http://127.0.0.1:<port>`; queries go to `<url>/api/v1/query`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Options of {@link startMetricsApi}. */
export interface MetricsApiOptions {
  telemetry: Telemetry;
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** The clock stamped on answers, in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

/**
 * Starts the metrics API on 127.0.0.1: `GET /api/v1/query` (see {@link answerMetricQuery}) and
 * `GET /healthz`. Anything else is a 404 in the same error shape.
 */
export async function startMetricsApi(options: MetricsApiOptions): Promise<MetricsApi> {
  const now = options.now ?? Date.now;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (answer: MetricAnswer) => res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    if (url.pathname === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (url.pathname !== METRICS_QUERY_PATH) {
      send({ status: 404, body: { status: "error", errorType: "not_found", error: `no such path ${url.pathname}; query ${METRICS_QUERY_PATH}` } });
      return;
    }
    if (req.method !== "GET") {
      send({ status: 405, body: { status: "error", errorType: "bad_data", error: `${req.method} is not supported; send GET with query parameters` } });
      return;
    }
    send(answerMetricQuery(options.telemetry, url.searchParams, now()));
  });
  const { url, port } = await listenOnLoopback(server, options.port);
  return {
    url,
    port,
    close: () => closeServer(server),
  };
}
