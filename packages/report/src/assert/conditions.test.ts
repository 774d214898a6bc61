import { describe, expect, it } from "vitest";
import { abInput, canaryInput, experiment } from "../__fixtures__/experiments";
import { AssertUsageError, evaluateCondition, evaluateConditions, parseConditions } from "./conditions";

describe("parseConditions", () => {
  it("accepts repeated values and comma lists, in order", () => {
    expect(parseConditions(["completed,winnerFound", "noFailure", " candidateWon "])).toEqual([
      "completed",
      "winnerFound",
      "noFailure",
      "candidateWon",
    ]);
  });

  it("asks for at least one condition", () => {
    expect(() => parseConditions([])).toThrow("one or more conditions must be specified with assert");
    expect(() => parseConditions([","])).toThrow(AssertUsageError);
  });

  it("names an unknown condition and the valid ones", () => {
    expect(() => parseConditions(["completed,SLOs"])).toThrow(
      "Invalid condition: SLOs (use completed, winnerFound, candidateWon or noFailure)",
    );
  });
});

describe("evaluateCondition", () => {
  const running = () => experiment(canaryInput());
  const completed = () => experiment(abInput());

  it("completed: holds only once the Completed condition is True", () => {
    expect(evaluateCondition(completed(), "completed").satisfied).toBe(true);
    const r = evaluateCondition(running(), "completed");
    expect(r).toMatchObject({ satisfied: false, message: "experiment has not completed" });
    expect(r.detail).toBe(
      "the Completed condition is False (IterationUpdate: Completed Iteration 4); stage Running, 4 of 10 iterations completed",
    );
  });

  it("completed: explains an experiment that has not started", () => {
    const input = canaryInput();
    delete input.status;
    expect(evaluateCondition(experiment(input), "completed").detail).toBe(
      "the Completed condition is not set yet; 0 of 10 iterations completed",
    );
  });

  it("winnerFound: follows the winner assessment", () => {
    expect(evaluateCondition(running(), "winnerFound").satisfied).toBe(true);
    const input = canaryInput();
    input.status!.analysis!.winnerAssessment = {
      provenance: "test",
      timestamp: "2024-03-01T10:00:00Z",
      message: "Info: no version satisfies all objectives",
      data: { winnerFound: false },
    };
    expect(evaluateCondition(experiment(input), "winnerFound")).toMatchObject({
      satisfied: false,
      message: "no winner found in experiment",
      detail: "analytics found no winner: Info: no version satisfies all objectives",
    });
    delete input.status!.analysis!.winnerAssessment;
    expect(evaluateCondition(experiment(input), "winnerFound").detail).toBe(
      "analytics has not assessed a winner yet (stage Running, 4 of 10 iterations completed)",
    );
  });

  it("candidateWon: holds when a candidate wins, not when the baseline does", () => {
    expect(evaluateCondition(running(), "candidateWon").satisfied).toBe(true);
    const input = canaryInput();
    input.status!.analysis!.winnerAssessment!.data.winner = "checkout-v1";
    expect(evaluateCondition(experiment(input), "candidateWon")).toMatchObject({
      satisfied: false,
      message: "no candidate won the experiment",
      detail: 'the winner is the baseline "checkout-v1", not a candidate',
    });
    input.status!.analysis!.winnerAssessment!.data = { winnerFound: false };
    expect(evaluateCondition(experiment(input), "candidateWon").detail).toBe("analytics found no winner: Info: candidate satisfies all objectives");
  });

  it("candidateWon: needs the winner to be one of the experiment's candidates", () => {
    const input = canaryInput();
    input.status!.analysis!.winnerAssessment!.data.winner = "checkout-v9";
    expect(evaluateCondition(experiment(input), "candidateWon").detail).toBe(
      'the winner "checkout-v9" is not one of the candidates (checkout-v2)',
    );
    delete input.spec.versionInfo;
    expect(evaluateCondition(experiment(input), "candidateWon").satisfied).toBe(false);
  });

  it("noFailure: fails when the Failed condition is True", () => {
    expect(evaluateCondition(running(), "noFailure").satisfied).toBe(true);
    const input = canaryInput();
    input.status!.conditions![1] = { type: "Failed", status: "True", reason: "MetricUnavailable", message: "Unable to find metric iter8-system/error-rate" };
    expect(evaluateCondition(experiment(input), "noFailure")).toMatchObject({
      satisfied: false,
      message: "experiment has failed",
      detail: "the Failed condition is True (MetricUnavailable: Unable to find metric iter8-system/error-rate)",
    });
  });

  it("evaluates every condition in the order given", () => {
    const results = evaluateConditions(running(), ["winnerFound", "completed", "noFailure"]);
    expect(results.map((r) => [r.condition, r.satisfied])).toEqual([
      ["winnerFound", true],
      ["completed", false],
      ["noFailure", true],
    ]);
  });
});
