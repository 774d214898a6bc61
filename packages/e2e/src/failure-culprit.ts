import { criteriaMetricRefs, experimentNamespace, normalizeMetricRef, type Experiment } from "@iter8ts/types";

// Traces of a value turned into text by accident rather than described for a reader.
const SLOPPY = /\bundefined\b|\[object Object\]|\[native code\]/;

/** True when a message shows a value that was stringified by accident (`undefined`, `[object Object]`, `function … [native code]`). */
export function readsSloppily(message: string): boolean {
  return SLOPPY.test(message);
}

/** What a failed experiment says about its failure. */
export interface FailureReport {
  /** The Failed condition's reason. */
  reason: string;
  /** The Failed condition's message. */
  message: string;
  /** The message recorded on the failed action, for `HandlerFailed`. */
  actionMessage?: string;
}

// Words of the spec that a failure message may name instead of a value.
const FIELD_WORDS = ["versionInfo", "candidates", "rewards", "Version names", "Fieldpaths", "fieldPath", "weightObjectRef", "weightObjRef", "spec."];
// How the tasks package names a task: `action "finish", task 2 (common/exec)`, or a field of it.
const TASK_LOCATION = /task \d+ \(|spec\.strategy\.actions\./;

function metricNames(experiment: Experiment): string[] {
  const namespace = experimentNamespace(experiment);
  const refs = criteriaMetricRefs(experiment.spec.criteria).map((r) => r.metric);
  return refs.filter((r) => r !== "").flatMap((r) => [r, normalizeMetricRef(r, namespace)]);
}

function versionThings(experiment: Experiment): string[] {
  const info = experiment.spec.versionInfo;
  const versions = info ? [info.baseline, ...(info.candidates ?? [])] : [];
  return versions.flatMap((v) => {
    const ref = v.weightObjRef;
    return [v.name, ref?.name, ref?.fieldPath].filter((x): x is string => typeof x === "string" && x.trim() !== "");
  });
}

/**
 * What a failure message names that a user can act on: a metric of the criteria (or any
 * `namespace/name` for a metric that could not be found), a version, a routing object or field
 * path, a field of the spec, or, for a failed action, the task (`task 2 (common/exec)`) in the
 * action's recorded message. Undefined when the message names none of these.
 */
export function failureCulprit(experiment: Experiment, failure: FailureReport): string | undefined {
  const { reason, message } = failure;
  if (reason === "HandlerFailed") {
    const text = failure.actionMessage ?? "";
    return TASK_LOCATION.test(text) ? text.match(TASK_LOCATION)?.[0] : undefined;
  }
  if (reason === "MetricUnavailable" || reason === "MetricsUnreadable") {
    return /metric (\S*\/\S*)/.exec(message)?.[1];
  }
  const named = [...metricNames(experiment), ...versionThings(experiment), ...FIELD_WORDS].filter((thing) => message.includes(thing));
  return named.sort((a, b) => b.length - a.length)[0];
}
