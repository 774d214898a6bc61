import { describe, expect, it } from "vitest";
import { EngineError } from "./engine-error";
import { ReconcileOutcome, type ReconcileResult } from "./reconcile-outcome";
import type { ExperimentKey } from "./ports";
import { runToCompletion } from "./run-to-completion";
import { SimulatedClock } from "./simulated-clock";

const key: ExperimentKey = { namespace: "default", name: "e" };

describe("runToCompletion", () => {
  it("sleeps on the clock until the next reconcile is due, and stops when the experiment completes", async () => {
    const clock = new SimulatedClock("2021-11-01T00:00:00Z");
    const seen: number[] = [];
    let calls = 0;
    const engine = {
      reconcile: async (k: ExperimentKey): Promise<ReconcileResult> => {
        seen.push(clock.now().getTime());
        calls++;
        return calls < 3
          ? { key: k, outcome: ReconcileOutcome.NotDue, requeueAfterMs: 20_000, wake: [] }
          : { key: k, outcome: ReconcileOutcome.Completed, wake: [] };
      },
    };
    const summary = await runToCompletion(engine, [key], { clock });
    expect(summary.steps).toBe(3);
    expect(seen.map((t) => t - (seen[0] ?? 0))).toEqual([0, 20_000, 40_000]);
    expect(summary.results.map((r) => r.outcome)).toEqual(["Completed"]);
  });

  it("gives up with a coded error instead of looping forever", async () => {
    const clock = new SimulatedClock();
    const engine = { reconcile: async (k: ExperimentKey): Promise<ReconcileResult> => ({ key: k, outcome: "Progressed", requeueAfterMs: 0, wake: [] }) };
    const error = await runToCompletion(engine, [key], { clock, maxSteps: 25 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: "StepLimitExceeded" });
    expect((error as Error).message).toContain("default/e did not complete within 25 reconciles");
  });

  it("stops when aborted", async () => {
    const clock = new SimulatedClock();
    const controller = new AbortController();
    const engine = {
      reconcile: async (k: ExperimentKey): Promise<ReconcileResult> => {
        controller.abort();
        return { key: k, outcome: "Progressed", requeueAfterMs: 0, wake: [] };
      },
    };
    await expect(runToCompletion(engine, [key], { clock, signal: controller.signal })).rejects.toMatchObject({ code: "Aborted" });
  });
});
