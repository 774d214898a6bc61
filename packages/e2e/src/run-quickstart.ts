import { createEngine, runToCompletion, SimulatedClock, type EngineEvent, type ExperimentKey } from "@iter8ts/engine";
import { MemoryEventSink, MemoryExperimentStore } from "@iter8ts/engine/testing";
import { createTaskRunner } from "@iter8ts/tasks";
import { experimentNamespace, type Experiment, type VersionWeight } from "@iter8ts/types";
import { readObservedWeights, ResourceWeightWriter } from "@iter8ts/weights";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { startKubectlStandIn, type AppliedObject } from "./kubectl-stand-in";
import { loadSample, type QuickstartStack } from "./load-sample";
import { offlineMetricsSource } from "./offline-metrics-source";
import { pointPromotionAt } from "./point-promotion-at";
import { mockQuickstartMetrics, type QuickstartOutcome } from "./quickstart-mocks";
import { servedVersion } from "./quickstart-expectations";
import { openSettledActionRunner, type FinishedAction } from "./settled-action-runner";

/** What the routing objects held right after an iteration. */
export interface IterationWeights {
  /** 1-based. */
  iteration: number;
  /** Read from the objects' weight fields (by each version's `weightObjRef`). */
  routed: VersionWeight[];
  /** `status.currentWeightDistribution` written with the iteration. */
  status: VersionWeight[];
  /** The weights analytics recommended in that iteration. */
  recommended: VersionWeight[];
}

/** Everything a quickstart run did, for assertions and reports. */
export interface QuickstartRun {
  stack: QuickstartStack;
  /** The experiment as stored at the end. */
  experiment: Experiment;
  /** `status.message` after each status write, consecutive repeats dropped. */
  messages: string[];
  events: EngineEvent[];
  iterations: IterationWeights[];
  /**
   * Every moment (after a reconcile, while the experiment held its target and had not begun to
   * finish) when the routing objects disagreed with `status.currentWeightDistribution` or did not
   * add up to 100. Empty when weights always landed where the experiment said.
   */
  weightMismatches: string[];
  /** The objects the finish action's `kubectl apply` went through, in order. */
  applied: readonly AppliedObject[];
  actions: FinishedAction[];
  /** The version serving all traffic at the end (see `servedVersion`). */
  served: string | undefined;
  /** Reconciles the run took. */
  reconciles: number;
}

function sameWeights(a: readonly VersionWeight[], b: readonly VersionWeight[]): boolean {
  const norm = (w: readonly VersionWeight[]) => JSON.stringify([...w].sort((x, y) => (x.name < y.name ? -1 : 1)).map((v) => [v.name, v.value]));
  return norm(a) === norm(b);
}

function show(weights: readonly VersionWeight[]): string {
  return weights.map((w) => `${w.name}=${w.value}`).join(", ");
}

/**
 * Runs a quickstart from `samples/<stack>` with the real engine, analytics, metrics (mock
 * levels, see {@link mockQuickstartMetrics}), weights (`ResourceWeightWriter` on an
 * `InMemoryResourceClient` holding the sample's objects) and tasks (the finish action runs in a
 * real shell, its `kubectl apply` served by {@link startKubectlStandIn} against the same
 * objects, with the promotion pointed at `samples/<stack>/promote/`), on a simulated clock.
 */
export async function runQuickstart(stack: QuickstartStack, outcome: QuickstartOutcome): Promise<QuickstartRun> {
  const sample = loadSample(stack);
  const experiment = pointPromotionAt(sample.experiment, sample.promoteDir, { available: Object.keys(sample.promoteFiles) });
  const clock = new SimulatedClock();
  const store = new MemoryExperimentStore({ clock });
  for (const metric of mockQuickstartMetrics(experiment, sample.metrics, outcome)) store.putMetric(metric);
  const stored = store.putExperiment(experiment);
  const key: ExperimentKey = { namespace: experimentNamespace(stored), name: stored.metadata.name ?? "" };
  const client = new InMemoryResourceClient(sample.objects);
  // The stand-in's API serves the kinds of the sample, as the stack's CRDs would.
  const kinds = [...new Map(sample.objects.map((o) => [`${o.apiVersion} ${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind }])).values()];
  const standIn = await startKubectlStandIn(client, kinds);
  const { runner: actions, finished } = await openSettledActionRunner(
    createTaskRunner({ allowExec: true, env: standIn.env, kubectl: standIn.kubectl, resources: client, now: () => clock.now() }),
  );
  const events = new MemoryEventSink();
  const engine = createEngine(
    { store, metrics: offlineMetricsSource(), weights: new ResourceWeightWriter(client), actions, clock, events },
    { newRunToken: () => "quickstart" },
  );

  const iterations: IterationWeights[] = [];
  const weightMismatches: string[] = [];
  let seenIterations = 0;
  const checkedEngine = {
    async reconcile(k: ExperimentKey) {
      const result = await engine.reconcile(k);
      const now = store.peek(k);
      const status = now?.status;
      if (now && status?.currentWeightDistribution && (status.stage === "Running" || status.stage === "Initializing")) {
        const routed = await readObservedWeights(client, now);
        const total = routed.reduce((sum, w) => sum + w.value, 0);
        if (!sameWeights(routed, status.currentWeightDistribution) || total !== 100) {
          weightMismatches.push(`after iteration ${status.completedIterations ?? 0}: objects hold ${show(routed)}, status says ${show(status.currentWeightDistribution)}`);
        }
        const done = status.completedIterations ?? 0;
        if (done > seenIterations) {
          seenIterations = done;
          iterations.push({ iteration: done, routed, status: status.currentWeightDistribution, recommended: status.analysis?.weights?.data ?? [] });
        }
      }
      return result;
    },
  };

  try {
    const summary = await runToCompletion(checkedEngine, [key], { clock, maxSteps: 2_000 });
    const messages: string[] = [];
    for (const s of store.statusHistory.get(`${key.namespace}/${key.name}`) ?? []) {
      if (s.message !== undefined && s.message !== messages[messages.length - 1]) messages.push(s.message);
    }
    return {
      stack,
      experiment: store.peek(key) as Experiment,
      messages,
      events: events.events,
      iterations,
      weightMismatches,
      applied: standIn.applied,
      actions: finished,
      served: await servedVersion(stack, (key) => client.peek(key)),
      reconciles: summary.steps,
    };
  } finally {
    await actions.stopAll();
    await standIn.close();
  }
}
