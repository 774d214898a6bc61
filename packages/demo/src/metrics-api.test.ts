import { afterEach, describe, expect, it } from "vitest";
import { answerMetricQuery, startMetricsApi, type MetricsApi } from "./metrics-api";
import { Telemetry } from "./telemetry";

const NOW = 1_700_000_000_000;

function telemetry(): Telemetry {
  const t = new Telemetry({ now: () => NOW });
  const latencies = [10, 20, 30, 40, 100];
  latencies.forEach((latencyMs, i) =>
    t.record({ version: "sample-app-v1", status: i === 4 ? 500 : 200, latencyMs, engagement: i === 4 ? 0 : 30, at: NOW - 1000 * (latencies.length - i) }),
  );
  return t;
}

const ask = (query: Record<string, string>) => answerMetricQuery(telemetry(), new URLSearchParams(query), NOW);
const valueOf = (query: Record<string, string>) => {
  const answer = ask(query);
  if (answer.body.status !== "success") throw new Error(JSON.stringify(answer.body));
  return answer.body.data.result[0]?.value[1];
};

describe("answerMetricQuery", () => {
  it("answers in the shape of a Prometheus instant query", () => {
    expect(ask({ metric: "error-rate", version: "sample-app-v1", window: "60" })).toEqual({
      status: 200,
      body: {
        status: "success",
        data: { resultType: "vector", result: [{ metric: { __name__: "error-rate", version: "sample-app-v1" }, value: [NOW / 1000, "0.2"] }] },
      },
    });
  });

  it("computes every metric over the window", () => {
    const v = (metric: string, extra: Record<string, string> = {}) => valueOf({ metric, version: "sample-app-v1", ...extra });
    expect(v("request-count")).toBe("5");
    expect(v("error-count")).toBe("1");
    expect(v("mean-latency")).toBe("40");
    expect(Number(v("latency-stddev"))).toBeCloseTo(Math.sqrt(5000 / 4), 10);
    expect(v("latency-percentile", { quantile: "0.5" })).toBe("30");
    expect(Number(v("latency-percentile", { quantile: "0.95" }))).toBeCloseTo(88, 10);
    expect(v("user-engagement")).toBe("24");
    expect(Number(v("user-engagement-stddev"))).toBeCloseTo(Math.sqrt(720 / 4), 10);
    // The last two seconds hold the requests of 40 ms and 100 ms.
    expect(v("request-count", { window: "2s" })).toBe("2");
    expect(v("mean-latency", { window: "2" })).toBe("70");
  });

  it("answers 0 for counters and an empty vector for the rest when a version had no requests", () => {
    expect(valueOf({ metric: "request-count", version: "sample-app-v2" })).toBe("0");
    expect(valueOf({ metric: "error-count", version: "sample-app-v2" })).toBe("0");
    expect(valueOf({ metric: "mean-latency", version: "sample-app-v2" })).toBeUndefined();
    expect(valueOf({ metric: "error-rate", version: "sample-app-v2" })).toBeUndefined();
  });

  it("rejects bad queries with a Prometheus error saying what to send", () => {
    const error = (query: Record<string, string>) => {
      const answer = ask(query);
      expect(answer.status).toBe(400);
      return answer.body.status === "error" ? answer.body.error : "";
    };
    expect(error({ version: "v1" })).toMatch(/^the metric parameter is required; one of request-count, /);
    expect(error({ metric: "latency", version: "v1" })).toMatch(/^unknown metric "latency"; known metrics are /);
    expect(error({ metric: "request-count" })).toContain("the version parameter is required");
    expect(error({ metric: "request-count", version: "v1", window: "-3" })).toContain("window must be a positive number of seconds");
    expect(error({ metric: "latency-percentile", version: "v1" })).toContain("needs a quantile parameter in (0, 1]");
    expect(error({ metric: "latency-percentile", version: "v1", quantile: "95" })).toContain('(got "95")');
  });
});

describe("startMetricsApi", () => {
  let api: MetricsApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it("serves queries on /api/v1/query and explains other paths and methods", async () => {
    api = await startMetricsApi({ telemetry: telemetry(), now: () => NOW });
    const ok = await fetch(`${api.url}/api/v1/query?metric=request-count&version=sample-app-v1`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/json");
    expect(await ok.json()).toMatchObject({ status: "success", data: { result: [{ value: [NOW / 1000, "5"] }] } });

    const missing = await fetch(`${api.url}/metrics`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ status: "error", errorType: "not_found", error: "no such path /metrics; query /api/v1/query" });

    const post = await fetch(`${api.url}/api/v1/query`, { method: "POST" });
    expect(post.status).toBe(405);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });
});
