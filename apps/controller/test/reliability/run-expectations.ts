// What a correct run of the reliability tests' Canary experiments looks like, whatever faults it
// met on the way: completed after its finish action, each iteration decided once, each action
// succeeded once, and traffic moved ten points per iteration with nothing in between.
import { expect } from "vitest";
import type { ActionRun } from "./action-recorder";
import { conditionOf } from "@iter8ts/types";
import type { StoredExperiment } from "./experiment-status";
import type { WeightState } from "./weight-recorder";

/** The shape of the experiment a test ran. */
export interface RunShape {
  iterationsPerLoop: number;
  maxLoops: number;
}

/** The actions a run with start, loop and finish actions runs, in order, with their loop. */
function expectedActions(shape: RunShape): Array<[string, number | undefined]> {
  const loops = Array.from({ length: shape.maxLoops }, (_, i): [string, number] => ["loop", i + 1]);
  return [["start", undefined], ...loops, ["finish", undefined]];
}

/** Completed after the finish action, every iteration decided exactly once, every action succeeded. */
export function expectCompletedOnce(experiment: StoredExperiment, shape: RunShape): void {
  const iterations = shape.iterationsPerLoop * shape.maxLoops;
  const name = experiment.metadata.name;
  expect({ name, stage: experiment.status?.stage, message: experiment.status?.message, failed: conditionOf(experiment.status, "Failed")?.status }).toEqual({
    name,
    stage: "Completed",
    message: "ExperimentCompleted: Experiment Completed",
    failed: "False",
  });
  expect(experiment.status?.completedIterations).toBe(iterations);
  expect(experiment.status?.decisions?.map((d) => [d.iteration, d.loop, d.outcome])).toEqual(
    Array.from({ length: iterations }, (_, i) => [i + 1, Math.floor(i / shape.iterationsPerLoop) + 1, "Continued"]),
  );
  expect(experiment.status?.actions?.map((a) => [a.action, a.loop, a.state])).toEqual(expectedActions(shape).map(([action, loop]) => [action, loop, "Succeeded"]));
}

/**
 * Each action of each experiment ran exactly once — one line per run id — and with the run ids
 * the experiment recorded in its status.
 */
export function expectActionsRanOnce(runs: readonly ActionRun[], experiments: readonly StoredExperiment[], shape: RunShape): void {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.runId, (counts.get(run.runId) ?? 0) + 1);
  expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
  for (const experiment of experiments) {
    const { namespace, name } = experiment.metadata;
    const ran = runs.filter((r) => r.experiment === `${namespace}/${name}`);
    expect({ name, actions: ran.map((r) => r.action) }).toEqual({ name, actions: expectedActions(shape).map(([action]) => action) });
    expect(ran.map((r) => r.runId)).toEqual(experiment.status?.actions?.map((a) => a.runId));
  }
  expect(runs).toHaveLength(experiments.length * expectedActions(shape).length);
}

/**
 * Every committed split of the experiment's VirtualService sums to 100, and they run from all
 * baseline to ten more points for the candidate per iteration: none lost, repeated or reversed.
 */
export function expectProgressiveSplits(states: readonly WeightState[], shape: RunShape): void {
  for (const state of states) expect(state.weights.reduce((sum, w) => sum + w, 0)).toBe(100);
  const iterations = shape.iterationsPerLoop * shape.maxLoops;
  expect(states.map((s) => s.weights)).toEqual(Array.from({ length: iterations + 1 }, (_, i) => [100 - 10 * i, 10 * i]));
}
