/** Starting an experiment: a fresh status, then its metrics, then the weights it starts from. */
import { experimentNamespace, normalizeMetricRef, parseMetricRef, type MetricInfo } from "@iter8ts/types";
import { criteriaMetricReferences, metricReference } from "../cross-namespace-refs";
import { RetryStep } from "../engine-status";
import { Message, Reason } from "../reasons";
import { ReconcileOutcome, progressed, type StepOutcome } from "../reconcile-outcome";
import { RecordKind, initialConditions } from "../record-condition";
import { recommend, record, setStage, type Turn } from "../turn";
import { versionRecommendedForPromotion } from "../version-recommended";
import { fail } from "./finish";
import { observeWeights } from "./observe-weights";
import { guardReferences } from "./references";
import { retryOrGiveUp } from "./retry";

/** The status fields a new incarnation starts without. */
const RESET_FIELDS = ["actions", "retry", "decisions", "startTime", "analysis", "currentWeightDistribution", "versionRecommendedForPromotion", "conclusion", "metrics"] as const;

/** Starts a fresh incarnation: all conditions False, stage Waiting, a new run token. */
export function initialize(turn: Turn): StepOutcome {
  const s = turn.status;
  for (const field of RESET_FIELDS) delete s[field];
  s.conditions = initialConditions(turn.time);
  s.initTime = turn.time;
  s.lastUpdateTime = turn.time;
  s.stage = "Waiting";
  s.completedIterations = 0;
  s.runId = turn.settings.newRunToken();
  record(turn, RecordKind.Progress, Reason.ExperimentInitialized, Message.initialized);
  return progressed();
}

/** A metric to load, and the namespace whose consent its reference needs. */
interface PendingMetric {
  key: string;
  from: string;
  field: string;
}

/**
 * Loads the criteria's Metrics (and the Metrics their `sampleSize` names) into
 * `status.metrics`; a missing metric fails the experiment, an unreadable one is retried.
 */
export async function loadMetrics(turn: Turn, refs: readonly string[]): Promise<StepOutcome> {
  const loaded: MetricInfo[] = [];
  const seen = new Set<string>();
  const experimentNs = experimentNamespace(turn.spec);
  const fields = new Map<string, string>();
  for (const r of criteriaMetricReferences(turn.spec)) if (!fields.has(`${r.namespace}/${r.name}`)) fields.set(`${r.namespace}/${r.name}`, r.field);
  // A sampleSize is a reference of the Metric that names it, so its namespace is the one that must consent.
  const queue: PendingMetric[] = refs.map((key) => ({ key, from: experimentNs, field: fields.get(key) ?? "spec.criteria" }));
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const { key } = item;
    if (seen.has(key)) continue;
    seen.add(key);
    const { namespace, name } = parseMetricRef(key, experimentNs);
    const refused = await guardReferences(turn, RetryStep.LoadMetrics, [metricReference(item.field, key, experimentNs)], item.from);
    if (refused) return refused;
    let metric;
    try {
      metric = await turn.ports.store.getMetric(namespace, name);
    } catch (error) {
      return retryOrGiveUp(turn, RetryStep.LoadMetrics, error, () =>
        fail(turn, { reason: Reason.MetricsUnreadable, message: Message.metricUnreadable(key) }),
      );
    }
    if (!metric) {
      delete turn.status.retry;
      return fail(turn, { reason: Reason.MetricUnavailable, message: Message.metricNotFound(key) });
    }
    loaded.push({ name: key, metricObj: metric });
    const sampleSize = metric.spec.sampleSize;
    const metricNs = metric.metadata?.namespace ?? namespace;
    if (sampleSize) queue.push({ key: normalizeMetricRef(sampleSize, metricNs), from: metricNs, field: `spec.sampleSize of Metric ${key}` });
  }
  turn.status.metrics = loaded;
  delete turn.status.retry;
  return progressed();
}

/** Reads the weights the experiment starts from, then runs. */
export async function advanceToRunning(turn: Turn): Promise<StepOutcome> {
  const observed = await observeWeights(turn);
  if (observed.outcome !== ReconcileOutcome.Progressed) return observed;
  setStage(turn, "Running");
  recommend(turn.status, versionRecommendedForPromotion(turn.spec, turn.status.analysis));
  return progressed();
}
