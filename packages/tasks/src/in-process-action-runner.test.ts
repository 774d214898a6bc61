import { describe, expect, it } from "vitest";
import { z } from "zod";
import { istioExperiment } from "./__fixtures__/experiments";
import { createTaskRegistry, createTaskRunner } from "./create-task-registry";
import { InProcessActionRunner } from "./in-process-action-runner";
import { defineTask } from "./task-definition";

function setup() {
  let runs = 0;
  const registry = createTaskRegistry().register(
    defineTask({
      name: "test/count",
      summary: "counts its runs, then waits until released",
      inputs: z.strictObject({ fail: z.boolean().default(false) }),
      async run(input, context) {
        runs++;
        await context.sleep(20);
        if (input.fail) throw new Error("promotion failed");
      },
    }),
  );
  return { runs: () => runs, actions: new InProcessActionRunner(createTaskRunner({ registry })) };
}

describe("InProcessActionRunner", () => {
  it("runs an action once per runId and reports its state", async () => {
    const { runs, actions } = setup();
    const start = { runId: "default-quickstart-exp-finish-uid1", action: "finish", tasks: [{ task: "test/count" }] };
    expect(await actions.state(start)).toEqual({ state: "Unknown" });
    await actions.start(start, istioExperiment());
    await actions.start(start, istioExperiment());
    expect(await actions.state(start)).toEqual({ state: "Running" });
    await actions.settled(start.runId);
    expect(await actions.state(start)).toEqual({ state: "Succeeded" });
    expect(runs()).toBe(1);
  });

  it("reports a failed action with the task's error", async () => {
    const { actions } = setup();
    const start = { runId: "r2", action: "finish", tasks: [{ task: "test/count", with: { fail: true } }] };
    await actions.start(start, istioExperiment());
    await actions.settled("r2");
    expect(await actions.state(start)).toEqual({ state: "Failed", message: 'action "finish", task 1 (test/count): promotion failed' });
  });

  it("cancels running actions on stopAll", async () => {
    const { actions } = setup();
    const start = { runId: "r3", action: "loop", tasks: [{ task: "test/count" }, { task: "test/count" }] };
    await actions.start(start, istioExperiment());
    await actions.stopAll();
    expect(await actions.state(start)).toMatchObject({ state: "Failed" });
  });
});
