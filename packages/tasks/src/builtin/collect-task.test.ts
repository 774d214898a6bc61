import { afterEach, describe, expect, it } from "vitest";
import type { CollectInputs, CollectResult } from "@iter8ts/metrics";
import type { Experiment } from "@iter8ts/types";
import { istioExperiment } from "../__fixtures__/experiments";
import { startLoopbackServer, type LoopbackServer } from "../__fixtures__/loopback-server";
import { createTaskRunner } from "../create-task-registry";
import { COLLECT_PROVENANCE } from "./collect-task";

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const now = () => new Date("2021-06-01T10:00:00.123Z");

function collecting(with_: Record<string, unknown>, status?: Experiment["status"]): Experiment {
  const experiment = istioExperiment({ start: [{ task: "metrics/collect", with: with_ }] });
  experiment.status = status ?? {};
  return experiment;
}

describe("metrics/collect", () => {
  it("sends load to each version and records histograms and response codes", async () => {
    server = await startLoopbackServer((r) => ({ status: r.url.startsWith("/v2") ? 500 : 200 }));
    const runner = createTaskRunner({ now });
    const result = await runner.run(
      collecting({
        numQueries: 12,
        qps: 400,
        connections: 2,
        versions: [
          { name: "productpage-v1", url: `${server.url}/v1` },
          { name: "productpage-v2", url: `${server.url}/v2`, headers: { "X-Version": "v2" } },
        ],
      }),
      "start",
    );
    expect(result.ok).toBe(true);
    const hists = result.experiment.status?.analysis?.aggregatedBuiltinHists;
    expect(hists?.provenance).toBe(COLLECT_PROVENANCE);
    expect(hists?.timestamp).toBe("2021-06-01T10:00:00Z");
    const data = hists?.data as Record<string, { DurationHistogram: { Count: number; Data: unknown[] }; RetCodes: Record<string, number> }>;
    expect(data["productpage-v1"]?.DurationHistogram.Count).toBe(12);
    expect(data["productpage-v1"]?.RetCodes).toEqual({ "200": 12 });
    expect(data["productpage-v2"]?.RetCodes).toEqual({ "500": 12 });
    expect(data["productpage-v2"]?.DurationHistogram.Data.length).toBeGreaterThan(0);
    expect(server.requests.filter((r) => r.url === "/v2").every((r) => r.headers["x-version"] === "v2")).toBe(true);
    expect(server.requests).toHaveLength(24);
    expect(result.outcomes[0]?.output).toContain("productpage-v2: 12 requests, 12 errors");
  });

  it("adds to the histograms already in the status and leaves load-only versions out", async () => {
    server = await startLoopbackServer();
    const previous = {
      analysis: {
        aggregatedBuiltinHists: {
          provenance: COLLECT_PROVENANCE,
          timestamp: "2021-06-01T09:00:00Z",
          data: { "productpage-v1": { DurationHistogram: { Count: 21, Max: 0.1, Sum: 0.6, Data: [{ Start: 0.01, End: 0.05, Count: 21 }] }, RetCodes: { "200": 20, "400": 1 } } },
        },
      },
    };
    const written: Experiment["status"][] = [];
    const runner = createTaskRunner({ now, writeStatus: async (update) => void written.push(update(structuredClone(previous))) });
    const result = await runner.run(
      collecting({ numQueries: 5, qps: 400, versions: [{ name: "productpage-v1", url: `${server.url}/a` }, { name: "warmup-only", url: `${server.url}/b` }] }, previous),
      "start",
    );
    const data = result.experiment.status?.analysis?.aggregatedBuiltinHists?.data as Record<string, { DurationHistogram: { Count: number }; RetCodes: Record<string, number> }>;
    expect(Object.keys(data)).toEqual(["productpage-v1"]);
    expect(data["productpage-v1"]?.DurationHistogram.Count).toBe(26);
    expect(data["productpage-v1"]?.RetCodes).toEqual({ "200": 25, "400": 1 });
    expect(server.requests.filter((r) => r.url === "/b")).toHaveLength(5);
    // The runtime got an update it can re-apply to a freshly read status.
    expect(written).toHaveLength(1);
    expect(written[0]?.analysis?.aggregatedBuiltinHists?.data).toEqual(data);
  });

  it("records nothing with loadOnly", async () => {
    server = await startLoopbackServer();
    const result = await createTaskRunner().run(collecting({ numQueries: 3, qps: 400, loadOnly: true, versions: [{ name: "productpage-v1", url: server.url }] }), "start");
    expect(result.ok).toBe(true);
    expect(result.experiment.status?.analysis).toBeUndefined();
    expect(result.statusUpdates).toHaveLength(0);
  });

  it("loads legacy per-version rates in groups and applies the defaults of the load generator", async () => {
    const calls: CollectInputs[] = [];
    const collect = async (inputs: CollectInputs): Promise<CollectResult> => {
      calls.push(inputs);
      return { histograms: {}, runs: {} };
    };
    await createTaskRunner({ collect }).run(
      collecting({
        time: "5s",
        versions: [
          { name: "productpage-v1", url: "http://a", qps: 8 },
          { name: "productpage-v2", url: "http://b", qps: 20 },
          { name: "x", url: "http://c", qps: 8 },
        ],
      }),
      "start",
    );
    expect(calls.map((c) => [c.qps, c.versions.map((v) => v.name)])).toEqual([
      [8, ["productpage-v1", "x"]],
      [20, ["productpage-v2"]],
    ]);
    expect(calls[0]?.time).toBe("5s");
  });

  it("turns the load generator's input errors into input errors of the task", async () => {
    const result = await createTaskRunner().run(collecting({ time: "five seconds", versions: [{ name: "productpage-v1", url: "http://127.0.0.1:9" }] }), "start");
    expect(result.error?.code).toBe("invalid_input");
    expect(result.error?.message).toContain("metrics/collect input time must be a positive Go duration");
    const missing = await createTaskRunner().run(collecting({}), "start");
    expect(missing.error?.message).toContain("with.versions is required");
  });
});
