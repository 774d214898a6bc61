import { describe, expect, it } from "vitest";
import { fuzzCase, fuzzCorpus, fuzzKind, loadFuzzBases } from "./fuzz-corpus";
import { Mutation } from "./mutate-document";

const bases = loadFuzzBases();

describe("the fuzz corpus", () => {
  it("starts from valid documents of every quickstart, in every testing pattern", () => {
    const patterns = new Set(bases.experiments.map((e) => e.document.spec.strategy.testingPattern));
    expect([...patterns].sort()).toEqual(["A/B", "Canary", "Conformance"]);
    expect(new Set(bases.experiments.map((e) => e.stack)).size).toBe(5);
    expect(bases.metrics.length).toBeGreaterThanOrEqual(30);
  });

  it("rebuilds any case from its seed and index alone", () => {
    const a = fuzzCase(bases, "s", 41);
    const b = fuzzCase(loadFuzzBases(), "s", 41);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(fuzzCase(bases, "s", 43))).not.toBe(JSON.stringify(a));
    expect(JSON.stringify(fuzzCase(bases, "t", 41))).not.toBe(JSON.stringify(a));
  });

  it("alternates Experiments and Metrics, and generates only the kinds asked for", () => {
    expect([0, 1, 2, 3].map(fuzzKind)).toEqual(["Experiment", "Metric", "Experiment", "Metric"]);
    const metrics = [...fuzzCorpus(bases, "s", 10, 0, new Set(["Metric"] as const))];
    expect(metrics.map((c) => c.index)).toEqual([1, 3, 5, 7, 9]);
    expect(metrics.every((c) => c.kind === "Metric")).toBe(true);
  });

  it("applies every kind of mutation, changes every document, and writes some as damaged text", () => {
    const cases = [...fuzzCorpus(bases, "coverage", 600)];
    const seen = new Set<string>();
    const unchanged: string[] = [];
    for (const c of cases) {
      for (const change of c.changes) {
        if (change.startsWith("drop")) seen.add(Mutation.Drop);
        if (change.startsWith("duplicate")) seen.add(Mutation.Duplicate);
        if (change.startsWith("retype")) seen.add(Mutation.Retype);
        if (change.includes("nested")) seen.add(Mutation.DeepNesting);
        if (change.includes("candidates")) seen.add(Mutation.ManyVersions);
        if (change.includes(" characters")) seen.add(Mutation.HugeString);
        if (change.includes("copy of")) seen.add(Mutation.Transplant);
        if (change.includes(" if = ")) seen.add(Mutation.MalformedIf);
        if (change.includes(" task = ")) seen.add(Mutation.UnknownTask);
        if (change.includes("fieldPath = ")) seen.add(Mutation.BadFieldPath);
        if (change.includes("= non-finite")) seen.add(Mutation.NonFiniteQuantity);
        if (change.startsWith("routing weights")) seen.add(Mutation.RoutingWeights);
        if (change.includes("… (")) seen.add(Mutation.DeepExpression);
        if (change.includes(" control ")) seen.add(Mutation.ControlCharacters);
      }
      const base = c.kind === "Experiment" ? bases.experiments.find((e) => e.label === c.base)?.document : bases.metrics.find((m) => m.label === c.base)?.document;
      // Routing weights change the routing objects of the run, not the document.
      if (typeof c.input !== "string" && c.routing === undefined && JSON.stringify(c.input) === JSON.stringify(base)) unchanged.push(`${c.id}: ${c.changes.join("; ")}`);
    }
    // A mutation may by chance write a value the document already held (an enum set to itself).
    expect(unchanged.length, unchanged.join("\n")).toBeLessThan(cases.length / 50);
    expect(seen.size).toBe(14);
    // Planted values that validation must report, of both owners, and weights for the routing objects.
    expect(new Set(cases.flatMap((c) => c.planted.map((p) => p.reportedBy)))).toEqual(new Set(["parse", "tasks"]));
    expect(cases.some((c) => c.routing !== undefined)).toBe(true);
    const text = cases.filter((c) => typeof c.input === "string");
    expect(text.length / cases.length).toBeGreaterThan(0.12);
    expect(text.some((c) => c.changes.some((x) => x.startsWith("text damage")))).toBe(true);
  });
});
