/**
 * Wrappers around the engine's ports that feed the controller's Prometheus metrics and logs
 * without the engine knowing about either.
 */
import type { EngineEvent, EventSink, ExperimentKey, ExperimentStore, MetricsSource } from "@iter8ts/engine";
import type { Logger } from "pino";
import type { ControllerMetrics } from "./controller-metrics";

function keyId(key: ExperimentKey): string {
  return `${key.namespace}/${key.name}`;
}

/** A store that notices status writes which complete iterations. */
export interface IterationCountingStore extends ExperimentStore {
  /** Whether a write for this experiment completed an iteration since the last call; clears the mark. */
  takeIteration(key: ExperimentKey): boolean;
}

/**
 * Counts completed iterations: a written status whose `completedIterations` is higher than the
 * one last read for the same experiment. The engine reads before it writes within one
 * reconcile, and the work queue never reconciles one experiment twice at once, so the pair is
 * always from the same reconcile.
 */
export function countIterations(store: ExperimentStore, metrics: ControllerMetrics): IterationCountingStore {
  const lastRead = new Map<string, number>();
  const iterated = new Set<string>();
  return {
    async getExperiment(key) {
      const experiment = await store.getExperiment(key);
      if (experiment) lastRead.set(keyId(key), experiment.status?.completedIterations ?? 0);
      else lastRead.delete(keyId(key));
      return experiment;
    },
    listExperiments: (filter) => store.listExperiments(filter),
    getMetric: (namespace, name) => store.getMetric(namespace, name),
    async writeStatus(key, status, resourceVersion, previous) {
      const result = await store.writeStatus(key, status, resourceVersion, previous);
      if (result.kind === "written") {
        const id = keyId(key);
        const before = lastRead.get(id) ?? 0;
        const after = status.completedIterations ?? 0;
        if (after > before) {
          metrics.iterations.inc(after - before);
          iterated.add(id);
        }
        lastRead.set(id, after);
      }
      return result;
    },
    takeIteration(key) {
      return iterated.delete(keyId(key));
    },
  };
}

/** Times every round of metric queries and counts the values that came back with an error. */
export function timeMetricQueries(source: MetricsSource, metrics: ControllerMetrics): MetricsSource {
  return {
    async query(experiment, context) {
      const end = metrics.metricQueryDuration.startTimer();
      try {
        const values = await source.query(experiment, context);
        for (const [metric, byVersion] of Object.entries(values)) {
          const errors = Object.values(byVersion).filter((v) => v.error !== undefined).length;
          if (errors > 0) metrics.metricQueryErrors.inc({ metric }, errors);
        }
        return values;
      } catch (error) {
        metrics.metricQueryErrors.inc({ metric: "*" });
        throw error;
      } finally {
        end();
      }
    },
  };
}

/**
 * Logs every engine event (a condition that changed) and passes it on. Events `routine` picks
 * (each iteration's progress) are logged at debug level and passed on only when `passRoutine`.
 */
export function logEvents(sink: EventSink | undefined, logger: Logger, options: { routine?: (event: EngineEvent) => boolean; passRoutine?: boolean } = {}): EventSink {
  return {
    emit(event: EngineEvent) {
      const fields = { experiment: event.experiment.name, namespace: event.experiment.namespace, stage: event.stage, outcome: event.outcome, reason: event.reason, eventType: event.type };
      const routine = event.type === "Normal" && (options.routine?.(event) ?? false);
      if (event.type === "Warning") logger.warn(fields, event.message || event.reason);
      else if (routine) logger.debug(fields, event.message || event.reason);
      else logger.info(fields, event.message || event.reason);
      if (!routine || options.passRoutine !== false) sink?.emit(event);
    },
  };
}
