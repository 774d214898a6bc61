import { ExperimentSchema, type Experiment } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { experimentYaml } from "@iter8ts/local/testing";
import { bar, fitLine, renderFrame } from "./progress-frame";
import { ProgressMode, ProgressReporter } from "./progress-reporter";

const metricObj = (name: string, units: string) => ({ apiVersion: "iter8.tools/v2alpha2", kind: "Metric", metadata: { name, namespace: "shop" }, spec: { units, mock: [] } });
const meta = { provenance: "test", timestamp: "2026-01-01T00:00:00Z" };

/** The cart A/B test after `done` of 3 iterations, cart-v2 ahead. */
function after(done: number, weights: [number, number]): Experiment {
  const experiment = ExperimentSchema.parse(parse(experimentYaml()));
  experiment.status = {
    stage: "Running",
    completedIterations: done,
    message: `IterationUpdate: Completed Iteration ${done}`,
    currentWeightDistribution: [
      { name: "cart-v1", value: weights[0] },
      { name: "cart-v2", value: weights[1] },
    ],
    versionRecommendedForPromotion: "cart-v2",
    metrics: [
      { name: "shop/conversion", metricObj: metricObj("conversion", "percent") },
      { name: "shop/latency", metricObj: metricObj("latency", "ms") },
    ] as never,
    analysis: {
      aggregatedMetrics: {
        ...meta,
        data: {
          "shop/conversion": { data: { "cart-v1": { value: "2.5" }, "cart-v2": { value: "6.25" } } },
          "shop/latency": { data: { "cart-v1": { value: "20" }, "cart-v2": { value: "120" } } },
        },
      },
      versionAssessments: { ...meta, data: { "cart-v1": [true], "cart-v2": [false] } },
      winnerAssessment: { ...meta, data: { winnerFound: true, winner: "cart-v2" } },
    },
  };
  return experiment;
}

function capture(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (t: string) => void writes.push(t) } };
}

describe("renderFrame", () => {
  it("shows the iteration, the traffic as bars, the values with their assessments, the winner and the latest event", () => {
    const frame = renderFrame(after(2, [80, 20]));
    expect(frame).toEqual([
      "◆ shop/cart-ab · A/B · Progressive · Running",
      `  iteration 2 of 3  ${bar(2 / 3)}`,
      `  traffic  cart-v1 ${bar(0.8)}  80%`,
      `           cart-v2 ${bar(0.2)}  20%`,
      "  metric                               cart-v1    cart-v2",
      "  shop/conversion (percent) ↑ reward   2.500      6.250 ★",
      "  shop/latency (ms) <= 100.000        20.000 ✓  120.000 ✗",
      "  winner cart-v2 · promote cart-v2",
      "  IterationUpdate: Completed Iteration 2",
    ]);
  });

  it("cuts lines to the terminal width so that a redraw never wraps", () => {
    expect(renderFrame(after(2, [80, 20]), 30).every((l) => [...l].length <= 30)).toBe(true);
    expect(fitLine("abcdef", 4)).toBe("abc…");
  });

  it("shows an experiment that has not started", () => {
    const experiment = ExperimentSchema.parse(parse(experimentYaml()));
    expect(renderFrame(experiment)).toEqual(["◆ shop/cart-ab · A/B · Progressive · not started", `  iteration 0 of 3  ${bar(0)}`]);
  });
});

describe("ProgressReporter", () => {
  it("on a terminal, redraws the view in place: each frame first moves up over the previous one and clears it", () => {
    const { writes, stream } = capture(true);
    const progress = new ProgressReporter({ stream, mode: ProgressMode.Terminal });
    progress.update([after(1, [90, 10])]);
    const first = renderFrame(after(1, [90, 10]));
    expect(writes[0]).toBe(`\x1b[0J${first.map((l) => `${l}\n`).join("")}`);
    progress.update([after(1, [90, 10])]);
    expect(writes).toHaveLength(1);
    progress.update([after(2, [80, 20])]);
    expect(writes[1]).toBe(`\x1b[${first.length}F\x1b[0J${renderFrame(after(2, [80, 20])).map((l) => `${l}\n`).join("")}`);
  });

  it("on a terminal, writes log lines above the view and draws the view again below them", () => {
    const { writes, stream } = capture(true);
    const progress = new ProgressReporter({ stream, mode: ProgressMode.Terminal });
    progress.update([after(1, [90, 10])]);
    const frame = renderFrame(after(1, [90, 10]));
    progress.event({ experiment: { namespace: "shop", name: "cart-ab" }, type: "Normal", reason: "HandlerLaunched", message: "Finish handler 'finish' launched", time: "" });
    expect(writes[1]).toBe(`\x1b[${frame.length}F\x1b[0Jshop/cart-ab HandlerLaunched: Finish handler 'finish' launched\n${frame.map((l) => `${l}\n`).join("")}`);
  });

  it("as a plain log, prints events and each newly completed iteration with its values, never escape codes", () => {
    const { writes, stream } = capture(false);
    const progress = new ProgressReporter({ stream, mode: ProgressMode.Plain, now: () => new Date("2026-01-01T10:20:30Z") });
    progress.update([after(1, [90, 10])]);
    progress.event({ experiment: { namespace: "shop", name: "cart-ab" }, type: "Warning", reason: "HandlerFailed", message: "Loop actions failed", time: "" });
    progress.update([after(2, [80, 20])]);
    progress.update([after(2, [80, 20])]);
    expect(writes.join("")).toBe(
      [
        "10:20:30 shop/cart-ab warning: HandlerFailed: Loop actions failed",
        "10:20:30 shop/cart-ab iteration 2/3 · traffic cart-v1 80%, cart-v2 20% · winner cart-v2 · promote cart-v2",
        "10:20:30 shop/cart-ab   shop/conversion (percent) ↑ reward: cart-v1 2.500, cart-v2 6.250 ★",
        "10:20:30 shop/cart-ab   shop/latency (ms) <= 100.000: cart-v1 20.000 ✓, cart-v2 120.000 ✗",
        "",
      ].join("\n"),
    );
    expect(writes.join("")).not.toContain("\x1b");
  });
});
