/**
 * The controller's Prometheus metrics, on a registry of its own (never prom-client's global one,
 * so two controllers in one test process do not share counters).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { STAGES } from "@iter8ts/types";

/** What the gauges read when Prometheus scrapes. */
export interface MetricsProbes {
  /** Experiments known to the controller, by `status.stage` (`Waiting` when it has none yet). */
  experimentsByStage(): Record<string, number>;
  /** Keys waiting in the work queue now. */
  queueDepth(): number;
  /** True while this replica holds the leader Lease (always true without leader election). */
  isLeader(): boolean;
}

/** The metrics the controller records; names are listed in the README. */
export interface ControllerMetrics {
  readonly registry: Registry;
  readonly iterations: Counter;
  readonly iterationDuration: Histogram;
  readonly metricQueryDuration: Histogram;
  readonly metricQueryErrors: Counter<"metric">;
  readonly reconciles: Counter<"outcome">;
  readonly reconcileErrors: Counter<"reason">;
  readonly reconcileDuration: Histogram;
  readonly actionJobsStarted: Counter<"action">;
}

/** The `stage` label values, including the queue's own `Waiting` for uninitialised experiments. */
const STAGE_LABELS: readonly string[] = STAGES;

/**
 * Creates the registry and its metrics. Gauges are computed at scrape time from `probes`, so they
 * can never drift from the informer cache and the queue they describe.
 */
export function createControllerMetrics(probes: MetricsProbes, options: { processMetrics?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  new Gauge({
    name: "iter8_experiments",
    help: "Experiments known to the controller, by stage",
    labelNames: ["stage"],
    registers: [registry],
    collect() {
      this.reset();
      const counts = probes.experimentsByStage();
      for (const stage of STAGE_LABELS) this.set({ stage }, counts[stage] ?? 0);
      for (const [stage, count] of Object.entries(counts)) if (!STAGE_LABELS.includes(stage)) this.set({ stage }, count);
    },
  });
  new Gauge({
    name: "iter8_workqueue_depth",
    help: "Experiments waiting in the work queue to be reconciled",
    registers: [registry],
    collect() {
      this.set(probes.queueDepth());
    },
  });
  new Gauge({
    name: "iter8_leader",
    help: "1 while this replica holds the leader Lease and reconciles, else 0",
    registers: [registry],
    collect() {
      this.set(probes.isLeader() ? 1 : 0);
    },
  });

  return {
    registry,
    iterations: new Counter({ name: "iter8_iterations_total", help: "Experiment iterations completed", registers: [registry] }),
    iterationDuration: new Histogram({
      name: "iter8_iteration_duration_seconds",
      help: "Time of the reconciles that completed an iteration: metric queries, analysis, weight changes and the status write",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    metricQueryDuration: new Histogram({
      name: "iter8_metric_query_duration_seconds",
      help: "Time to query every metric of an experiment for every version",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    metricQueryErrors: new Counter({
      name: "iter8_metric_query_errors_total",
      help: "Metric values the backend could not provide, by metric (namespace/name); a query that failed as a whole counts under metric=\"*\"",
      labelNames: ["metric"],
      registers: [registry],
    }),
    reconciles: new Counter({ name: "iter8_reconciles_total", help: "Reconciles, by outcome", labelNames: ["outcome"], registers: [registry] }),
    reconcileErrors: new Counter({
      name: "iter8_reconcile_errors_total",
      help: "Reconciles that failed and were retried with backoff, by reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: "iter8_reconcile_duration_seconds",
      help: "Time of one reconcile",
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    actionJobsStarted: new Counter({ name: "iter8_action_jobs_started_total", help: "Action Jobs started, by action", labelNames: ["action"], registers: [registry] }),
  };
}
