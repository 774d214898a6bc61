import { describe, expect, it } from "vitest";
import { makeExperiment, threeVersions } from "./__fixtures__/experiment";
import { analyze } from "./analyze";
import { afterLook, conversions, lookTime, statisticsExperiment } from "./stats/__fixtures__/statistics-experiment";

const now = "2024-03-01T12:00:00Z";
const promMetric = (name: string) => ({
  name,
  metricObj: { spec: { provider: "prometheus", urlTemplate: "http://prom/api/v1/query", jqExpression: ".data.result[0].value[1] | tonumber" } },
});

describe("analyze", () => {
  it("runs a Canary iteration end to end with the controller's default caps", () => {
    const exp = makeExperiment({
      spec: { criteria: { objectives: [{ metric: "mean-latency", upperLimit: 420 }] } },
      status: { startTime: "2024-03-01T11:59:00Z", metrics: [promMetric("default/mean-latency")] },
    });
    const result = analyze(exp, { "default/mean-latency": { v1: { value: 419.2 }, v2: { value: 401.5 } } }, { now, provenance: "test" });
    expect(result.aggregatedMetrics.data).toEqual({ "default/mean-latency": { data: { v1: { value: "419.2" }, v2: { value: "401.5" } } } });
    expect(result.versionAssessments.data).toEqual({ v1: [true], v2: [true] });
    expect(result.winnerAssessment.data).toEqual({ winnerFound: true, winner: "v2", bestVersions: ["v2"] });
    // maxCandidateWeightIncrement defaults to 10, so the first step from [100, 0] is [90, 10].
    expect(result.weights.data).toEqual([{ name: "v1", value: 90 }, { name: "v2", value: 10 }]);
    for (const part of Object.values(result)) {
      expect(part.provenance).toBe("test");
      expect(part.timestamp).toBe("2024-03-01T12:00:00.000Z");
    }
  });

  it("matches unqualified objective references (the original never did)", () => {
    // Qualified metrics in status, objective written without its namespace: both versions pass.
    const exp = makeExperiment({
      spec: { criteria: { objectives: [{ metric: "mean-latency", upperLimit: 500 }] } },
      status: { metrics: [promMetric("default/mean-latency")] },
    });
    const result = analyze(exp, { "default/mean-latency": { v1: { value: 100 }, v2: { value: 120 } } }, { now });
    expect(result.versionAssessments.data).toEqual({ v1: [true], v2: [true] });
    expect(result.winnerAssessment.data.winner).toBe("v2");
    expect(result.weights.data).toEqual([{ name: "v1", value: 90 }, { name: "v2", value: 10 }]);
  });

  it("moves weights from the observed split listed in any order", () => {
    const exp = makeExperiment({
      status: { currentWeightDistribution: [{ name: "v2", value: 10 }, { name: "v1", value: 90 }] },
    });
    const result = analyze(exp, {}, { now });
    expect(result.winnerAssessment.data.winner).toBe("v2");
    expect(result.weights.data).toEqual([{ name: "v1", value: 80 }, { name: "v2", value: 20 }]);
  });

  it("reports an A/B reward that is not among the metrics, and keeps the baseline", () => {
    const exp = makeExperiment({
      spec: {
        strategy: { testingPattern: "A/B" },
        criteria: {
          objectives: [{ metric: "mean-latency", upperLimit: 420 }],
          rewards: [{ metric: "business-revenue", preferredDirection: "High" }],
        },
      },
      status: { metrics: [promMetric("default/request-count"), promMetric("default/mean-latency")] },
    });
    const both = { v1: { value: 21.7639 }, v2: { value: 21.7639 } };
    const result = analyze(exp, { "default/request-count": both, "default/mean-latency": both }, { now });
    expect(result.versionAssessments.data).toEqual({ v1: [true], v2: [true] });
    expect(result.winnerAssessment.data.winnerFound).toBe(false);
    expect(result.winnerAssessment.message).toBe("Error: ; Warning: reward metric values are not available; Info: ");
    expect(result.weights.data).toEqual([{ name: "v1", value: 95 }, { name: "v2", value: 5 }]);
  });

  it("runs a Conformance experiment without weights", () => {
    const exp = makeExperiment({
      spec: {
        strategy: { testingPattern: "Conformance" },
        versionInfo: { baseline: { name: "v1" } },
        criteria: { objectives: [{ metric: "mean-latency", upperLimit: 420 }] },
      },
    });
    const result = analyze(exp, { "mean-latency": { v1: { value: 21.7639 } } }, { now });
    expect(result.versionAssessments.data).toEqual({ v1: [true] });
    expect(result.winnerAssessment.data).toEqual({ winnerFound: true, winner: "v1", bestVersions: ["v1"] });
    expect(result.weights).toMatchObject({ data: [], message: "weight computation is not applicable to a conformance experiment" });
  });

  it("runs an A/B/N experiment with a builtin reward", () => {
    const exp = makeExperiment({
      spec: {
        strategy: { testingPattern: "A/B/N", weights: { maxCandidateWeightIncrement: 100 } },
        versionInfo: threeVersions,
        criteria: {
          objectives: [{ metric: "iter8-system/error-rate", upperLimit: "0.01" }],
          rewards: [{ metric: "iter8-system/mean-latency", preferredDirection: "Low" }],
        },
      },
      status: {
        analysis: {
          aggregatedBuiltinHists: {
            provenance: "collect",
            timestamp: now,
            data: {
              v1: { DurationHistogram: { Count: 100, Max: 0.02, Sum: 1.0, Data: [{ Start: 0, End: 0.02, Count: 100 }] }, RetCodes: { "200": 100 } },
              v2: { DurationHistogram: { Count: 100, Max: 0.02, Sum: 0.5, Data: [{ Start: 0, End: 0.02, Count: 100 }] }, RetCodes: { "200": 95, "500": 5 } },
              v3: { DurationHistogram: { Count: 100, Max: 0.02, Sum: 0.8, Data: [{ Start: 0, End: 0.02, Count: 100 }] }, RetCodes: { "200": 100 } },
            },
          },
        },
      },
    });
    const result = analyze(exp, {}, { now });
    // v2 is fastest (5 ms) but fails the error-rate objective; v3 (8 ms) beats v1 (10 ms).
    expect(result.versionAssessments.data).toEqual({ v1: [true], v2: [false], v3: [true] });
    expect(result.winnerAssessment.data.winner).toBe("v3");
    expect(result.weights.data).toEqual([{ name: "v1", value: 4 }, { name: "v2", value: 3 }, { name: "v3", value: 93 }]);
  });

  it("never throws on missing pieces, and explains them", () => {
    const bare = makeExperiment({ spec: { versionInfo: undefined, criteria: undefined } });
    const result = analyze(bare);
    expect(result.versionAssessments.data).toEqual({});
    expect(result.winnerAssessment.data.winnerFound).toBe(false);
    expect(result.weights.data).toEqual([]);
    expect(result.winnerAssessment.message).toContain("spec.versionInfo is missing");
    expect(result.aggregatedMetrics.timestamp).toBe("1970-01-01T00:00:00.000Z");

    const noCriteria = analyze(makeExperiment(), {}, { now });
    expect(noCriteria.versionAssessments.data).toEqual({});
    expect(noCriteria.winnerAssessment.data.winner).toBe("v2");
  });

  it("defaults the analysis time to the experiment's last update", () => {
    const exp = makeExperiment({ status: { startTime: "2024-01-01T00:00:00Z", lastUpdateTime: "2024-01-01T00:05:00Z" } });
    expect(analyze(exp).weights.timestamp).toBe("2024-01-01T00:05:00.000Z");
  });

  it("does not modify the experiment it is given", () => {
    const exp = makeExperiment({ status: { currentWeightDistribution: [{ name: "v1", value: 100 }, { name: "v2", value: 0 }] } });
    const before = structuredClone(exp);
    analyze(exp, {}, { now });
    expect(exp).toEqual(before);
  });

  it("reads a deep-frozen experiment with a carried statistics state, in both modes, without writing into it", () => {
    const deepFreeze = <T>(value: T): T => {
      if (value && typeof value === "object") {
        for (const child of Object.values(value)) deepFreeze(child);
        Object.freeze(value);
      }
      return value;
    };
    for (const strength of [undefined, {}]) {
      const first = statisticsExperiment({ versions: ["v1", "v2", "v3"], pattern: "A/B/N", current: { v1: 34, v2: 33, v3: 33 } });
      if (strength === undefined) delete first.spec.criteria!.strength;
      const counts = { v1: [100, 1000], v2: [110, 1000], v3: [130, 1000] } as Record<string, [number, number]>;
      const second = afterLook(first, analyze(first, conversions(counts), { now: lookTime(1) }), 1);
      const more = conversions({ v1: [210, 2000], v2: [215, 2000], v3: [270, 2000] });
      const expected = analyze(structuredClone(second), more, { now: lookTime(2) });
      const frozen = deepFreeze(structuredClone(second));
      expect(analyze(frozen, more, { now: lookTime(2) })).toEqual(expected);
    }
  });

  it("gives the same result for the same input", () => {
    const exp = makeExperiment({
      spec: { strategy: { testingPattern: "A/B/N" }, versionInfo: threeVersions, criteria: { rewards: [{ metric: "r", preferredDirection: "High" }] } },
      status: {
        startTime: "2024-03-01T11:00:00Z",
        metrics: [{ name: "default/r", metricObj: { spec: { type: "Gauge", mock: [{ name: "v1", level: 5 }, { name: "v2", level: 5 }, { name: "v3", level: 5 }] } } }],
      },
    });
    expect(analyze(exp, {}, { now })).toEqual(analyze(exp, {}, { now }));
  });
});
