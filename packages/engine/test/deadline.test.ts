import { describe, expect, it } from "vitest";
import { ReconcileOutcome, createEngine, type MetricsSource, type WeightWriter } from "../src/index";
import { experiment, makeWorld } from "./world";

/** Reconciles until an iteration is due (start, target, first weights), then returns. */
async function untilIterationDue(world: ReturnType<typeof makeWorld>) {
  for (let i = 0; i < 20 && (world.status().completedIterations ?? 0) < 1; i++) await world.engine.reconcile(world.keys[0]!);
}

describe("a reconcile with a deadline (signal)", () => {
  it("cancels a metric query that never answers, writes nothing, and does the iteration on the next reconcile", async () => {
    const world = makeWorld({ experiments: [experiment()] });
    await untilIterationDue(world);
    const done = world.status().completedIterations ?? 0;
    const writes = world.store.statusHistory.get("default/exp")?.length ?? 0;
    world.clock.advance(10_000);

    const hanging: MetricsSource = {
      query: (_e, context) =>
        new Promise((_resolve, reject) => {
          context.signal?.addEventListener("abort", () => reject(new Error("the query was cancelled")), { once: true });
        }),
    };
    const engine = createEngine({ ...world.ports, metrics: hanging }, world.engineOptions);
    const deadline = new AbortController();
    const pending = engine.reconcile(world.keys[0]!, { signal: deadline.signal });
    setTimeout(() => deadline.abort(new Error("the reconcile took longer than 30 s")), 10);
    const result = await pending;
    expect(result).toMatchObject({ outcome: ReconcileOutcome.Aborted, error: { code: "ReconcileAborted", retryable: true } });
    expect(result.error?.message).toBe("The reconcile of experiment default/exp was stopped before it finished: the reconcile took longer than 30 s; nothing was written and it will be tried again.");
    // Nothing recorded: no retry counted, no iteration lost or skipped.
    expect(world.store.statusHistory.get("default/exp")?.length ?? 0).toBe(writes);
    expect(world.status().completedIterations ?? 0).toBe(done);

    const next = await world.engine.reconcile(world.keys[0]!);
    expect(next.outcome).toBe(ReconcileOutcome.Progressed);
    expect(world.status().completedIterations).toBe(done + 1);
  });

  it("passes the signal to weight writes", async () => {
    const world = makeWorld({ experiments: [experiment()] });
    await untilIterationDue(world);
    world.clock.advance(10_000);
    const seen: Array<AbortSignal | undefined> = [];
    const weights: WeightWriter = {
      observe: (e) => world.weights.observe(e),
      apply: async (e, w, options) => {
        seen.push(options?.signal);
        await world.weights.apply(e, w);
      },
    };
    const engine = createEngine({ ...world.ports, weights }, world.engineOptions);
    const deadline = new AbortController();
    await engine.reconcile(world.keys[0]!, { signal: deadline.signal });
    expect(seen).toEqual([deadline.signal]);
  });
});
