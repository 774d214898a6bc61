/**
 * The conditions the Job controller of Kubernetes ≥ 1.31 ends a Job with. kube-apiserver refuses
 * `Complete` without `SuccessCriteriaMet` and `Failed` without `FailureTarget` (the Job status
 * validation that came with `managedBy`), so each ending is an interim condition and a terminal one.
 */
import type { JsonObject } from "./json-value";

/** Why a Job ended; the `reason` of both of its conditions. */
export const JobEnd = {
  CompletionsReached: "CompletionsReached",
  BackoffLimitExceeded: "BackoffLimitExceeded",
  DeadlineExceeded: "DeadlineExceeded",
} as const;
export type JobEnd = (typeof JobEnd)[keyof typeof JobEnd];

const ENDINGS: Record<JobEnd, { interim: string; terminal: string; message: string }> = {
  CompletionsReached: { interim: "SuccessCriteriaMet", terminal: "Complete", message: "Reached expected number of succeeded pods" },
  BackoffLimitExceeded: { interim: "FailureTarget", terminal: "Failed", message: "Job has reached the specified backoff limit" },
  DeadlineExceeded: { interim: "FailureTarget", terminal: "Failed", message: "Job was active longer than specified deadline" },
};

/**
 * The interim condition (`SuccessCriteriaMet` or `FailureTarget`) and the terminal one
 * (`Complete` or `Failed`) of a Job that ended for `end` at `now` (RFC 3339). A `Complete` Job
 * also needs `completionTime`; a `Failed` one must not have it.
 */
export function jobEndConditions(end: JobEnd, now: string): [interim: JsonObject, terminal: JsonObject] {
  const { interim, terminal, message } = ENDINGS[end];
  const condition = (type: string) => ({ type, status: "True", lastProbeTime: now, lastTransitionTime: now, reason: end, message });
  return [condition(interim), condition(terminal)];
}
