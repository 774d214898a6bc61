import { createEngine, FAILURE_REASONS, runToCompletion, readEngineStatus, SimulatedClock, type ExperimentKey } from "@iter8ts/engine";
import { MemoryExperimentStore } from "@iter8ts/engine/testing";
import type { CollectFunction } from "@iter8ts/tasks";
import { TaskRunner } from "@iter8ts/tasks";
import { conditionOf, experimentNamespace, versionNames, type Experiment, type Metric } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { ResourceWeightWriter } from "@iter8ts/weights";
import { failureCulprit, readsSloppily } from "./failure-culprit";
import { fuzzBackend } from "./fuzz-backend";
import { fuzzTaskRegistry } from "./fuzz-task-registry";
import { offlineMetricsSource } from "./offline-metrics-source";
import { openSettledActionRunner } from "./settled-action-runner";

/** Longest run the fuzzer lets an experiment have: iterations per loop and loops. */
export const FUZZ_MAX_ITERATIONS_PER_LOOP = 2;
export const FUZZ_MAX_LOOPS = 2;

/** How one fuzzed experiment ended. */
export interface FuzzRunOutcome {
  /** Reconciles until the experiment completed (or the run was stopped). */
  reconciles: number;
  /** The reconcile budget it had. */
  budget: number;
  /** `status.message` at the end. */
  message?: string;
  /** The Failed condition, when it is True. */
  failed?: { reason: string; message: string; actionMessage?: string; culprit?: string };
  /** Breaches of the engine's contract; empty when it behaved. */
  violations: string[];
}

const GOOD_ENDINGS = new Set(["Experiment completed successfully", "Experiment Completed", "Experiment rolled back"]);

/**
 * The reconcile budget of an experiment with `iterations` iterations: a handful of reconciles to
 * start and end, a few per iteration, and room for every action to be polled and every step to
 * be retried to the end of its backoff. A run that needs more is stuck.
 */
export function reconcileBudget(iterations: number, actions: number): number {
  return 40 + 6 * iterations + 12 * actions;
}

/**
 * Shortens a (schema-valid) experiment for the fuzzer, which runs thousands: at most
 * {@link FUZZ_MAX_ITERATIONS_PER_LOOP} iterations per loop and {@link FUZZ_MAX_LOOPS} loops.
 * Interval lengths are kept (the clock is simulated, so long ones cost nothing).
 */
export function shortenForFuzz(experiment: Experiment): Experiment {
  const out = structuredClone(experiment);
  const duration = out.spec.duration ?? {};
  out.spec.duration = {
    ...duration,
    iterationsPerLoop: Math.min(duration.iterationsPerLoop ?? 15, FUZZ_MAX_ITERATIONS_PER_LOOP),
    maxLoops: Math.min(duration.maxLoops ?? 1, FUZZ_MAX_LOOPS),
  };
  return out;
}

const fakeCollect: CollectFunction = async (inputs) => ({
  histograms: Object.fromEntries(
    inputs.versions.map((v) => [v.name, { DurationHistogram: { Count: 10, Max: 0.05, Sum: 0.2, Data: [{ Start: 0, End: 0.05, Count: 10 }] }, RetCodes: { "200": 10 } }]),
  ),
  runs: {},
});

const okFetch: typeof fetch = async () => new Response('{"ok":true}', { status: 200, headers: { "content-type": "application/json" } });

/**
 * Runs one schema-valid experiment to the end with the real engine, analytics, metrics (against
 * {@link fuzzBackend}), weights (on an `InMemoryResourceClient` holding `objects`) and tasks (no
 * processes, see `fuzzTaskRegistry`), on a simulated clock, and checks the engine's contract:
 * no throw, no more reconciles than {@link reconcileBudget}, the experiment ends Completed, and an
 * experiment that failed has `Failed=True` with a failure reason whose message (or, for a failed
 * action, the action's recorded message) names the field, metric, version or task at fault.
 */
export async function runFuzzedExperiment(experiment: Experiment, metrics: readonly Metric[], objects: readonly KubeObject[], seed: string): Promise<FuzzRunOutcome> {
  const clock = new SimulatedClock();
  const store = new MemoryExperimentStore({ clock, keepHistory: false });
  for (const metric of metrics) store.putMetric(metric);
  const short = shortenForFuzz(experiment);
  const stored = store.putExperiment(short);
  const key: ExperimentKey = { namespace: experimentNamespace(stored), name: stored.metadata.name ?? "" };
  const client = new InMemoryResourceClient(objects);
  const tasks = new TaskRunner({
    registry: fuzzTaskRegistry(),
    resources: client,
    fetch: okFetch,
    collect: fakeCollect,
    secrets: { get: (namespace, name) => (name === "slack-token" ? { token: "xoxb-fuzz" } : undefined) },
    taskTimeoutMs: 2_000,
    // Yields instead of waiting, so a task's time limit can still stop a long retry loop.
    sleep: (_ms, signal) => new Promise((resolve, reject) => setImmediate(() => (signal.aborted ? reject(signal.reason) : resolve()))),
    now: () => clock.now(),
    writeStatus: async (update) => {
      store.patchStatus(key, (status) => {
        const next = update(structuredClone(status));
        for (const k of Object.keys(status)) delete (status as Record<string, unknown>)[k];
        Object.assign(status, next);
      });
    },
  });
  const { runner: actions } = await openSettledActionRunner(tasks, { maxWaitMs: 10_000 });
  const engine = createEngine(
    { store, metrics: offlineMetricsSource(fuzzBackend(seed)), weights: new ResourceWeightWriter(client), actions, clock },
    { newRunToken: () => "fuzz" },
  );
  const iterations = (short.spec.duration?.iterationsPerLoop ?? 15) * (short.spec.duration?.maxLoops ?? 1);
  const actionCount = Object.keys(short.spec.strategy.actions ?? {}).length * (short.spec.duration?.maxLoops ?? 1);
  const budget = reconcileBudget(iterations, actionCount);
  const outcome: FuzzRunOutcome = { reconciles: 0, budget, violations: [] };
  try {
    const summary = await runToCompletion(engine, [key], { clock, maxSteps: budget });
    outcome.reconciles = summary.steps;
  } catch (error) {
    outcome.violations.push(`the run threw ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error)}`);
  } finally {
    await actions.stopAll();
  }
  const final = store.peek(key);
  const status = final?.status;
  outcome.message = status?.message;
  const completed = conditionOf(status, "Completed");
  if (status?.stage !== "Completed" || completed?.status !== "True") {
    outcome.violations.push(`ended in stage ${status?.stage ?? "(none)"} with Completed=${completed?.status ?? "(none)"}: ${status?.message ?? ""}`);
    return outcome;
  }
  const failed = conditionOf(status, "Failed");
  const ending = completed.message ?? "";
  if (failed?.status === "True") {
    const reason = failed.reason ?? "";
    const message = failed.message ?? "";
    outcome.failed = { reason, message };
    if (!FAILURE_REASONS.has(reason)) outcome.violations.push(`Failed=True with reason ${JSON.stringify(reason)}, which is not a failure reason`);
    const engineStatus = readEngineStatus(status);
    const failedAction = engineStatus.actions?.find((a) => a.state === "Failed");
    if (failedAction?.message !== undefined) outcome.failed.actionMessage = failedAction.message;
    for (const text of [message, failedAction?.message ?? ""]) {
      if (readsSloppily(text)) outcome.violations.push(`a failure message reads ${JSON.stringify(text.slice(0, 200))}`);
    }
    const culprit = failureCulprit(short, outcome.failed);
    if (culprit) outcome.failed.culprit = culprit;
    else outcome.violations.push(`Failed=True ${reason}: ${JSON.stringify(message)}${failedAction?.message ? ` (action: ${JSON.stringify(failedAction.message)})` : ""} names no field, metric, version or task`);
  } else if (!GOOD_ENDINGS.has(ending)) {
    outcome.violations.push(`ended with ${JSON.stringify(ending)} but Failed is ${failed?.status ?? "(none)"}`);
  }
  if (status.versionRecommendedForPromotion !== undefined && !versionNames(short).includes(status.versionRecommendedForPromotion)) {
    outcome.violations.push(`recommends ${JSON.stringify(status.versionRecommendedForPromotion)}, which is not a version`);
  }
  return outcome;
}
