import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { candidateWon, compileCondition, evaluateCondition, validateCondition, winnerFound } from "./condition";
import { legacyTemplateData } from "../template/template-data";
import { ConditionError } from "./condition-error";

function experiment(winner?: string, candidates = ["canary"]): Experiment {
  const e: Experiment = {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "exp", namespace: "default" },
    spec: {
      target: "default/app",
      strategy: { testingPattern: "Canary" },
      versionInfo: { baseline: { name: "default" }, candidates: candidates.map((name) => ({ name })) },
    },
    status: { completedIterations: 4, stage: "Finishing" },
  };
  if (winner !== undefined) {
    e.status = {
      ...e.status,
      analysis: {
        winnerAssessment: {
          provenance: "test",
          timestamp: "2021-01-01T00:00:00Z",
          data: winner === "" ? { winnerFound: false } : { winnerFound: true, winner },
        },
      },
    };
  }
  return e;
}

describe("WinnerFound and CandidateWon", () => {
  it("read the winner assessment", () => {
    expect(winnerFound(experiment())).toBe(false);
    expect(winnerFound(experiment(""))).toBe(false);
    expect(winnerFound(experiment("default"))).toBe(true);
    expect(candidateWon(experiment("canary"))).toBe(true);
    expect(candidateWon(experiment("default"))).toBe(false);
    // With two candidates there is no single "candidate" that could have won.
    expect(candidateWon(experiment("canary", ["canary", "canary2"]))).toBe(false);
  });
});

describe("after a rollback", () => {
  /** The canary won earlier iterations, then broke a rollback objective: the baseline is promoted. */
  function rolledBackExperiment(): Experiment {
    const e = experiment("canary");
    e.status = {
      ...e.status,
      versionRecommendedForPromotion: "default",
      conclusion: { outcome: "RolledBack", reason: "Rolled back: objective 1 (default/latency) is not met by canary." },
    };
    return e;
  }

  it("CandidateWon() is false and RolledBack() is true, in both condition forms", async () => {
    const e = rolledBackExperiment();
    expect(candidateWon(e)).toBe(false);
    expect(await evaluateCondition("CandidateWon()", e)).toBe(false);
    expect(await evaluateCondition("RolledBack()", e)).toBe(true);
    expect(await evaluateCondition("RolledBack() and not CandidateWon()", e)).toBe(true);
    expect(compileCondition("RolledBack() and not CandidateWon()").kind).toBe("builtin");
    expect(await evaluateCondition('$RolledBack() and status.conclusion.outcome = "RolledBack"', e)).toBe(true);
  });

  it("RolledBack() is false for a completion", async () => {
    const e = experiment("canary");
    e.status = { ...e.status, versionRecommendedForPromotion: "canary", conclusion: { outcome: "Completed", reason: "Completed." } };
    expect(await evaluateCondition("RolledBack()", e)).toBe(false);
    expect(await evaluateCondition("CandidateWon()", e)).toBe(true);
  });

  it("`{{ .promote }}` names the baseline's file", () => {
    const e = rolledBackExperiment();
    for (const [name, versions] of [["default", e.spec.versionInfo?.baseline], ["canary", e.spec.versionInfo?.candidates?.[0]]] as const) {
      if (versions) versions.variables = [{ name: "promote", value: `${name}.yaml` }];
    }
    expect(legacyTemplateData(e).data.promote).toBe("default.yaml");
  });
});

describe("evaluateCondition", () => {
  it("is false for WinnerFound() when the experiment has no analysis yet", async () => {
    expect(await evaluateCondition("WinnerFound()", experiment())).toBe(false);
  });

  it.each([
    ["CandidateWon()", "canary", true],
    ["not CandidateWon()", "canary", false],
    ["not CandidateWon()", "default", true],
    ["!WinnerFound()", "", true],
    ["WinnerFound() and not CandidateWon()", "default", true],
    ["WinnerFound() && (CandidateWon() || false)", "default", false],
    ["not (WinnerFound() or CandidateWon())", "", true],
    ["true", "", true],
  ])("%s with winner %j is %s", async (condition, winner, expected) => {
    const compiled = compileCondition(condition);
    expect(compiled.kind).toBe("builtin");
    expect(await compiled.evaluate(experiment(winner))).toBe(expected);
  });

  it("evaluates anything else as JSONata over the experiment, with the builtins available", async () => {
    expect(await evaluateCondition("status.completedIterations > 3", experiment())).toBe(true);
    expect(await evaluateCondition('WinnerFound() and status.stage = "Finishing"', experiment("canary"))).toBe(true);
    expect(await evaluateCondition("$CandidateWon() or $count(spec.versionInfo.candidates) > 1", experiment("default"))).toBe(false);
    expect(compileCondition("status.completedIterations > 3").kind).toBe("jsonata");
  });

  it("treats a field that is absent as false, and a non-boolean result as an error", async () => {
    expect(await evaluateCondition("status.analysis.winnerAssessment.data.winnerFound", experiment())).toBe(false);
    await expect(evaluateCondition("status.stage", experiment())).rejects.toThrow('if condition "status.stage" gave "Finishing", not true or false');
  });
});

describe("validateCondition", () => {
  it("rejects unknown functions, as the original did at run time", () => {
    const check = validateCondition("AnotherOneBytesTheDust()");
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.error).toBeInstanceOf(ConditionError);
      expect(check.error.code).toBe("unknown_function");
      expect(check.error.message).toContain("unknown function AnotherOneBytesTheDust()");
    }
    const dollar = validateCondition("$nosuch(status)");
    expect(dollar.ok).toBe(false);
  });

  it("rejects malformed conditions with the position", () => {
    for (const text of ["WinnerFound(", "WinnerFound() and", "not", "WinnerFound", "not status.x", "(CandidateWon()", ""]) {
      const check = validateCondition(text);
      expect(check.ok, text).toBe(false);
      if (!check.ok) expect(check.error.code).toBe("syntax");
    }
  });

  it("rejects Go-style field names and nil, which would silently match nothing", () => {
    const go = validateCondition("Status.Analysis != nil");
    expect(go.ok).toBe(false);
    if (!go.ok) expect(go.error.message).toBe('if condition "Status.Analysis != nil" refers to Status, which is not a field of the experiment; write status (JSON field names)');
    const nil = validateCondition("status.analysis != nil");
    expect(!nil.ok && nil.error.message).toContain("refers to nil, which is not a field of the experiment; write null");
    expect(validateCondition("status.analysis != null").ok).toBe(true);
    expect(validateCondition('$count(spec.versionInfo.candidates[name = "canary"]) = 1').ok).toBe(true);
  });

  it("accepts JSONata that binds its own functions", () => {
    expect(validateCondition("($f := function($x){ $x > 1 }; $f(status.completedIterations))").ok).toBe(true);
  });

  it("does not rewrite builtin names inside strings", async () => {
    expect(await evaluateCondition('"WinnerFound()" = "WinnerFound()"', experiment())).toBe(true);
  });
});

describe("conditions too deep or too long", () => {
  it.each([
    ["50,000 parentheses around a builtin", `${"(".repeat(50_000)}WinnerFound()${")".repeat(50_000)}`],
    ["50,000 nested JSONata parentheses", `${"(".repeat(50_000)}status.x = 1${")".repeat(50_000)}`],
    ["50,000 chained operators", `status.x = 1${" and status.x = 1".repeat(50_000)}`],
  ])("refuses %s with a typed error that does not quote the whole condition", (_what, text) => {
    const check = validateCondition(text);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.error.code).toBe("input_limit");
    expect(check.error.message).toMatch(/^if condition (nests deeper than 100 levels|is [\d,]+ characters long, more than the 2,048 allowed); /);
  });

  it("stops a condition that recurses or loops for ever after 1 s, naming the limit", async () => {
    const recursive = '($f := function($x){ $x > 0 ? $f($x) : false }; $f(1))';
    await expect(evaluateCondition(recursive, experiment())).rejects.toThrow(
      `if condition ${JSON.stringify(recursive)} failed: Evaluation timeout after 1000 milliseconds. Check for infinite loop`,
    );
    await expect(evaluateCondition("$count([1..1000000]) > 0", experiment())).rejects.toMatchObject({ code: "evaluation" });
  });

  it("evaluates conditions as deep and long as the limits allow", async () => {
    expect(await evaluateCondition(`${"(".repeat(99)}not WinnerFound()${")".repeat(99)}`, experiment())).toBe(true);
    expect(await evaluateCondition(`${"not ".repeat(500)}WinnerFound()`, experiment())).toBe(false);
    expect(await evaluateCondition(`${"!".repeat(2_000)}WinnerFound()`, experiment())).toBe(false);
    expect(await evaluateCondition(`1${" + 1".repeat(500)} = 501`, experiment())).toBe(true);
  });
});
