import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { abInput, canaryInput, experiment } from "../__fixtures__/experiments";
import { ExperimentLoadError, type ExperimentSource } from "./experiment-source";
import { waitForConditions } from "./wait-for-conditions";

/** A source that returns the given reads in turn (the last one repeats), on a simulated clock. */
function scripted(reads: Array<Experiment | ExperimentLoadError>) {
  let clock = 0;
  let index = 0;
  const source: ExperimentSource = {
    label: "exp.yaml",
    rereadable: true,
    async load() {
      const read = reads[Math.min(index++, reads.length - 1)]!;
      if (read instanceof ExperimentLoadError) throw read;
      return { experiment: read, warnings: [] };
    },
  };
  const options = {
    pollIntervalMs: 1000,
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
    },
  };
  return { source, options, elapsed: () => clock };
}

const running = () => experiment(canaryInput());
const done = () => experiment(abInput());
const notReadable = () => new ExperimentLoadError("read_failed", "exp.yaml", "cannot read exp.yaml: ENOENT");

describe("waitForConditions", () => {
  it("checks once without a timeout", async () => {
    const { source, options } = scripted([running(), done()]);
    const outcome = await waitForConditions(source, ["completed"], { ...options, timeoutMs: 0 });
    expect(outcome).toMatchObject({ satisfied: false, timedOut: false, settled: false, reads: 1 });
    expect(outcome.results[0]?.condition).toBe("completed");
  });

  it("re-reads until the conditions hold", async () => {
    const { source, options, elapsed } = scripted([running(), running(), done()]);
    const outcome = await waitForConditions(source, ["completed", "winnerFound"], { ...options, timeoutMs: 60_000 });
    expect(outcome).toMatchObject({ satisfied: true, timedOut: false, reads: 3 });
    expect(elapsed()).toBe(2000);
  });

  it("gives up at the deadline with the verdicts of the last read", async () => {
    const { source, options, elapsed } = scripted([running()]);
    const outcome = await waitForConditions(source, ["completed"], { ...options, timeoutMs: 2500 });
    expect(outcome).toMatchObject({ satisfied: false, timedOut: true, reads: 4 });
    expect(outcome.results[0]?.satisfied).toBe(false);
    expect(elapsed()).toBe(2500);
  });

  it("stops waiting once the experiment has completed without meeting the conditions", async () => {
    const input = abInput();
    input.status!.analysis!.winnerAssessment!.data.winner = "model-a";
    const { source, options } = scripted([experiment(input)]);
    const outcome = await waitForConditions(source, ["candidateWon"], { ...options, timeoutMs: 60_000 });
    expect(outcome).toMatchObject({ satisfied: false, timedOut: false, settled: true, reads: 1 });
  });

  it("keeps trying while the file cannot be read, and reports the last failure", async () => {
    const { source, options } = scripted([notReadable(), notReadable(), done()]);
    expect(await waitForConditions(source, ["completed"], { ...options, timeoutMs: 10_000 })).toMatchObject({
      satisfied: true,
      lastError: null,
      reads: 3,
    });

    const never = scripted([notReadable()]);
    const outcome = await waitForConditions(never.source, ["completed"], { ...never.options, timeoutMs: 1500 });
    expect(outcome).toMatchObject({ satisfied: false, timedOut: true, results: [] });
    expect(outcome.lastError?.code).toBe("read_failed");
  });

  it("throws a read failure when checking once", async () => {
    const { source, options } = scripted([notReadable()]);
    await expect(waitForConditions(source, ["completed"], { ...options, timeoutMs: 0 })).rejects.toBeInstanceOf(ExperimentLoadError);
  });
});
