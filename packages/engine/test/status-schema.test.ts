// The engine's status schema is what the Experiment CRD is generated from: every status the
// engine writes must satisfy it, or the API server would reject or prune the engine's progress.
import { describe, expect, it } from "vitest";
import { EngineStatusSchema } from "../src/index";
import { action, experiment, latencies, makeWorld } from "./world";

function everyWrittenStatus(world: ReturnType<typeof makeWorld>): unknown[] {
  return [...world.store.statusHistory.values()].flat();
}

describe("EngineStatusSchema", () => {
  it("accepts every status written while running start, loop and finish actions", async () => {
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 2, maxLoops: 2, actions: { start: action("s"), loop: action("l"), finish: action("f") } })],
    });
    await world.run();
    const written = everyWrittenStatus(world);
    expect(world.status().actions?.map((a) => a.action)).toEqual(["start", "loop", "loop", "finish"]);
    for (const status of written) expect(EngineStatusSchema.safeParse(status).error).toBeUndefined();
  });

  it("accepts the statuses of a rollback with decisions that hold values", async () => {
    const world = makeWorld({
      experiments: [experiment({ iterationsPerLoop: 3, objectives: [{ metric: "mean-latency", upperLimit: 45, rollback_on_failure: true }], actions: { finish: action("restore") } })],
      values: latencies({ v1: 40, v2: 60 }),
    });
    await world.run();
    expect(world.status().conclusion?.outcome).toBe("RolledBack");
    expect(world.status().decisions?.[0]?.values).toBeDefined();
    for (const status of everyWrittenStatus(world)) expect(EngineStatusSchema.safeParse(status).error).toBeUndefined();
  });
});
