import { describe, expect, it } from "vitest";
import { makeExperiment } from "./__fixtures__/experiment";
import { assessVersions, satisfiesObjective } from "./assess-versions";

const latency = (v1: number | string | null, v2: number | string | null) => ({
  "default/mean-latency": { data: { v1: { value: v1 }, v2: { value: v2 } } },
});

describe("satisfiesObjective", () => {
  it("includes both limits", () => {
    expect(satisfiesObjective({ upperLimit: 100 }, 100)).toBe(true);
    expect(satisfiesObjective({ upperLimit: 100 }, 100.0001)).toBe(false);
    expect(satisfiesObjective({ lowerLimit: "10m" }, 0.01)).toBe(true);
    expect(satisfiesObjective({ lowerLimit: "10m" }, 0.0099)).toBe(false);
    expect(satisfiesObjective({ lowerLimit: 5, upperLimit: 5 }, 5)).toBe(true);
    expect(satisfiesObjective({}, -1e9)).toBe(true);
  });
});

describe("assessVersions", () => {
  it("marks each version against each objective, in objective order", () => {
    const exp = makeExperiment({
      spec: {
        criteria: {
          objectives: [
            { metric: "default/mean-latency", upperLimit: 420 },
            { metric: "default/error-rate", upperLimit: "0.01" },
          ],
        },
      },
    });
    const result = assessVersions(exp, {
      ...latency("419.2027282381035", "426.9510489510489"),
      "default/error-rate": { data: { v1: { value: "0.02" }, v2: { value: 0 } } },
    });
    expect(result.data).toEqual({ v1: [true, false], v2: [false, true] });
    expect(result.message).toBe("Error: ; Warning: ; Info: ");
  });

  it("fails both versions on a lower limit neither reaches", () => {
    const exp = makeExperiment({ spec: { criteria: { objectives: [{ metric: "default/mean-latency", lowerLimit: 500 }] } } });
    expect(assessVersions(exp, latency("419.2", "426.9")).data).toEqual({ v1: [false], v2: [false] });
  });

  it("matches an unqualified objective to the metric in the experiment's namespace", () => {
    const exp = makeExperiment({
      namespace: "shop",
      spec: { criteria: { objectives: [{ metric: "mean-latency", upperLimit: 500 }] } },
    });
    expect(assessVersions(exp, { "shop/mean-latency": { data: { v1: { value: 1 }, v2: { value: 2 } } } }).data).toEqual({
      v1: [true],
      v2: [true],
    });
  });

  it("warns once when the objective's metric is missing and leaves every entry false", () => {
    const exp = makeExperiment({ spec: { criteria: { objectives: [{ metric: "mean-latency", upperLimit: 420 }] } } });
    const result = assessVersions(exp, { "default/request-count": { data: { v1: { value: 148 }, v2: { value: 143 } } } });
    expect(result.data).toEqual({ v1: [false], v2: [false] });
    expect(result.message).toBe("Error: ; Warning: Aggregated metric object for mean-latency metric is unavailable.; Info: ");
  });

  it("warns about a missing version and a null value separately", () => {
    const exp = makeExperiment({ spec: { criteria: { objectives: [{ metric: "mean-latency", upperLimit: 420 }] } } });
    const result = assessVersions(exp, { "default/mean-latency": { data: { v1: { value: null } } } });
    expect(result.data).toEqual({ v1: [false], v2: [false] });
    expect(result.message).toBe(
      "Error: ; Warning: Value for mean-latency metric and v1 version is None., " +
        "Value for mean-latency metric and v2 version is unavailable.; Info: ",
    );
  });

  it("returns no assessments when there are no objectives, and says every version is feasible", () => {
    const result = assessVersions(makeExperiment(), latency(1, 2));
    expect(result.data).toEqual({});
    expect(result.message).toBe("Error: ; Warning: ; Info: no objectives in criteria; every version is feasible");
  });

  it("reads aggregated metrics from status by default", () => {
    const exp = makeExperiment({
      spec: { criteria: { objectives: [{ metric: "default/mean-latency", upperLimit: 500 }] } },
      status: { analysis: { aggregatedMetrics: { provenance: "p", timestamp: "t", data: latency(419, 501) } } },
    });
    expect(assessVersions(exp).data).toEqual({ v1: [true], v2: [false] });
  });

  it("stamps provenance and timestamp from the options", () => {
    const result = assessVersions(makeExperiment(), {}, { now: new Date("2024-05-01T10:00:00Z"), provenance: "unit" });
    expect(result.provenance).toBe("unit");
    expect(result.timestamp).toBe("2024-05-01T10:00:00.000Z");
  });

  it("reports a missing versionInfo instead of throwing", () => {
    const result = assessVersions(makeExperiment({ spec: { versionInfo: undefined } }), {});
    expect(result.data).toEqual({});
    expect(result.message).toContain("Error: spec.versionInfo is missing");
  });
});
