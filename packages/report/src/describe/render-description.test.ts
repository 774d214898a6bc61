import { describe, expect, it } from "vitest";
import type { ExperimentInput } from "@iter8ts/types";
import { abInput, canaryInput, experiment } from "../__fixtures__/experiments";
import { renderDescription } from "./render-description";
import { summarizeExperiment } from "./summarize-experiment";

const render = (input: ExperimentInput) => renderDescription(summarizeExperiment(experiment(input)));

/** The lines of one `****** Title ******` section, heading included, up to the next section. */
function section(text: string, title: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(`****** ${title} ******`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && /^\*{6} .+ \*{6}$/.test(l));
  return lines.slice(start, end < 0 ? undefined : end - 1);
}

describe("renderDescription", () => {
  it("lays out a running Canary experiment section by section", () => {
    expect(render(canaryInput())).toBe(
      [
        "",
        "****** Overview ******",
        "Experiment name: checkout-rollout",
        "Experiment namespace: shop",
        "Target: shop/checkout",
        "Testing pattern: Canary",
        "Deployment pattern: Progressive",
        "",
        "****** Progress Summary ******",
        "Experiment stage: Running",
        "Number of completed iterations: 4",
        "",
        "****** Winner Assessment ******",
        "> If the candidate version satisfies the experiment objectives, then it is the winner.",
        "> Otherwise, if the baseline version satisfies the experiment objectives, it is the winner.",
        "> Otherwise, there is no winner.",
        "App versions in this experiment: [checkout-v1 checkout-v2]",
        "Winning version: checkout-v2",
        "Version recommended for promotion: checkout-v2",
        "",
        "****** Objective Assessment ******",
        "> Whether objectives specified in the experiment are satisfied by versions.",
        "> This assessment is based on last known metric values for each version.",
        "+---------------------------+------------+-------------+-------------+",
        "|          METRIC           | CONDITION  | CHECKOUT-V1 | CHECKOUT-V2 |",
        "+---------------------------+------------+-------------+-------------+",
        "| iter8-system/mean-latency | <= 250.000 | true        | true        |",
        "+---------------------------+------------+-------------+-------------+",
        "| iter8-system/error-rate   | <= 0.010   | true        | true        |",
        "+---------------------------+------------+-------------+-------------+",
        "",
        "****** Metrics Assessment ******",
        "> Last known metric values for each version.",
        "+--------------------------------+-------------+-------------+",
        "|             METRIC             | CHECKOUT-V1 | CHECKOUT-V2 |",
        "+--------------------------------+-------------+-------------+",
        "| iter8-system/request-count     |    1204.000 |     133.500 |",
        "+--------------------------------+-------------+-------------+",
        "| iter8-system/mean-latency      |     212.346 |     198.100 |",
        "| (milliseconds)                 |             |             |",
        "+--------------------------------+-------------+-------------+",
        "| iter8-system/error-rate        |       0.000 |       0.001 |",
        "+--------------------------------+-------------+-------------+",
        "",
      ].join("\n"),
    );
  });

  it("shows only the overview and progress before the first iteration completes", () => {
    const input = canaryInput();
    input.status!.completedIterations = 0;
    delete input.status!.stage;
    expect(render(input)).toBe(
      "\n****** Overview ******\nExperiment name: checkout-rollout\nExperiment namespace: shop\nTarget: shop/checkout\n" +
        "Testing pattern: Canary\nDeployment pattern: Progressive\n\n****** Progress Summary ******\n" +
        "Number of completed iterations: 0\n",
    );
  });

  it("marks the best version of each reward with a star, whichever column it is in", () => {
    expect(section(render(abInput()), "Reward Assessment")).toEqual([
      "****** Reward Assessment ******",
      "> Identifies values of reward metrics for each version. The best version is marked with a '*'.",
      "+-------------------------------+-----------+----------+",
      "|            REWARD             |  MODEL-A  | MODEL-B  |",
      "+-------------------------------+-----------+----------+",
      "| ml/revenue (higher better)    |    31.500 | 44.250 * |",
      "+-------------------------------+-----------+----------+",
      "| ml/latency-p95 (lower better) | 120.000 * |  180.000 |",
      "+-------------------------------+-----------+----------+",
    ]);
  });

  it("leaves the star off when no version has a reward value", () => {
    const input = abInput();
    input.status!.analysis!.aggregatedMetrics!.data = {};
    const rows = section(render(input), "Reward Assessment").filter((l) => l.startsWith("| ml/"));
    expect(rows).toEqual(["| ml/revenue (higher better)    | unavailable | unavailable |", "| ml/latency-p95 (lower better) | unavailable | unavailable |"]);
  });

  it("writes A/B winners without pattern rules, and both limits of a two-sided objective", () => {
    const text = render(abInput());
    expect(section(text, "Winner Assessment")).toEqual([
      "****** Winner Assessment ******",
      "App versions in this experiment: [model-a model-b]",
      "Winning version: model-b",
      "Version recommended for promotion: model-b",
    ]);
    expect(section(text, "Objective Assessment")).toContain("| ml/error-rate | >= 0.000; <= 0.050 | true    | true    |");
  });

  it("explains Conformance winners and lists neither versions nor a promotion", () => {
    const input = canaryInput();
    input.spec.strategy.testingPattern = "Conformance";
    input.spec.versionInfo = { baseline: { name: "checkout-v1" } };
    input.status!.analysis!.winnerAssessment!.data = { winnerFound: true, winner: "checkout-v1" };
    expect(section(render(input), "Winner Assessment")).toEqual([
      "****** Winner Assessment ******",
      "> If the version being validated; i.e., the baseline version, satisfies the experiment objectives, it is the winner.",
      "> Otherwise, there is no winner.",
      "Winning version: checkout-v1",
    ]);
  });

  it("says when there is no winner and shows objectives a version misses", () => {
    const input = canaryInput();
    input.status!.analysis!.winnerAssessment!.data = { winnerFound: false };
    input.status!.analysis!.versionAssessments!.data = { "checkout-v1": [true, true], "checkout-v2": [false] };
    const text = render(input);
    expect(section(text, "Winner Assessment")).toContain("Winning version: not found");
    expect(section(text, "Objective Assessment")).toContain("| iter8-system/mean-latency | <= 250.000 | true        | false       |");
    expect(section(text, "Objective Assessment")).toContain("| iter8-system/error-rate   | <= 0.010   | true        | unavailable |");
  });

  it("omits the sections analytics has not produced yet", () => {
    const input = canaryInput();
    delete input.status!.analysis!.winnerAssessment;
    delete input.status!.analysis!.versionAssessments;
    const text = render(input);
    expect(text).not.toContain("Winner Assessment");
    expect(text).not.toContain("Objective Assessment");
    expect(text).toContain("****** Metrics Assessment ******");

    delete input.status!.analysis!.aggregatedMetrics;
    expect(render(input)).not.toContain("Metrics Assessment");
  });

  it("omits the reward section when the experiment has no rewards", () => {
    expect(render(canaryInput())).not.toContain("Reward Assessment");
  });
});
