/**
 * Per-target first-come-first-served queueing. Experiments with the same `spec.target` run one
 * at a time. The queue order is total and the same for every observer: initialisation time,
 * then creation time, then namespace/name, so two experiments initialised within the same
 * second can never both believe they are first.
 */
import { experimentNamespace, isConditionTrue, type Experiment } from "@iter8ts/types";
import type { ExperimentKey } from "./ports";

/** `namespace/name` of an experiment. */
export function experimentKeyOf(experiment: Experiment): ExperimentKey {
  return { namespace: experimentNamespace(experiment), name: experiment.metadata.name ?? "" };
}

/** `namespace/name` as one string. */
export function formatKey(key: ExperimentKey): string {
  return `${key.namespace}/${key.name}`;
}

function sameKey(a: ExperimentKey, b: ExperimentKey): boolean {
  return a.namespace === b.namespace && a.name === b.name;
}

function timeOrInfinity(time: string | undefined): number {
  if (time === undefined) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** Compares two experiments by queue position (negative: `a` goes first). */
export function compareQueueOrder(a: Experiment, b: Experiment): number {
  const byInit = timeOrInfinity(a.status?.initTime) - timeOrInfinity(b.status?.initTime);
  if (byInit !== 0 && !Number.isNaN(byInit)) return byInit;
  const byCreation = timeOrInfinity(a.metadata.creationTimestamp) - timeOrInfinity(b.metadata.creationTimestamp);
  if (byCreation !== 0 && !Number.isNaN(byCreation)) return byCreation;
  const ka = formatKey(experimentKeyOf(a));
  const kb = formatKey(experimentKeyOf(b));
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Contenders for a target: initialised experiments with that target that have not completed,
 * in queue order.
 */
export function contendersFor(target: string, experiments: readonly Experiment[]): Experiment[] {
  return experiments
    .filter(
      (e) =>
        e.spec.target === target &&
        e.status?.initTime !== undefined &&
        e.status.stage !== "Completed" &&
        !isConditionTrue(e.status, "Completed"),
    )
    .sort(compareQueueOrder);
}

/** True when the experiment holds its target. */
export function holdsTarget(experiment: Experiment): boolean {
  return experiment.status !== undefined && isConditionTrue(experiment.status, "TargetAcquired");
}

/** What an experiment that does not hold its target should do. */
export type TargetDecision =
  | { kind: "acquire" }
  | { kind: "wait"; holder?: ExperimentKey; ahead: number }
  /** It holds the target together with one that has precedence, and must step back. */
  | { kind: "release"; holder: ExperimentKey };

/**
 * Decides about the target for `self` among the other experiments (which may include `self`;
 * it is ignored by key). A holder keeps the target unless it is still Waiting and another
 * holder is either past Waiting or earlier in the queue.
 */
export function decideTarget(self: Experiment, others: readonly Experiment[]): TargetDecision | undefined {
  const key = experimentKeyOf(self);
  const contenders = contendersFor(self.spec.target, others).filter((e) => !sameKey(experimentKeyOf(e), key));
  const otherHolders = contenders.filter(holdsTarget);
  if (holdsTarget(self)) {
    if ((self.status?.stage ?? "Waiting") !== "Waiting") return undefined;
    const winner = otherHolders.find(
      (h) => (h.status?.stage ?? "Waiting") !== "Waiting" || compareQueueOrder(h, self) < 0,
    );
    return winner ? { kind: "release", holder: experimentKeyOf(winner) } : undefined;
  }
  const holder = otherHolders[0];
  const ahead = contenders.filter((e) => compareQueueOrder(e, self) < 0).length;
  if (holder) return { kind: "wait", holder: experimentKeyOf(holder), ahead };
  return ahead === 0 ? { kind: "acquire" } : { kind: "wait", ahead };
}

/**
 * The experiments to wake after `finished` (completed or deleted) left the queue: for each
 * target in `targets` that nobody holds, the first contender in queue order.
 */
export function nextInQueue(
  targets: Iterable<string>,
  experiments: readonly Experiment[],
  finished?: ExperimentKey,
): ExperimentKey[] {
  const out: ExperimentKey[] = [];
  for (const target of new Set(targets)) {
    const contenders = contendersFor(target, experiments).filter(
      (e) => !finished || !sameKey(experimentKeyOf(e), finished),
    );
    if (contenders.some(holdsTarget)) continue;
    const first = contenders[0];
    if (first) out.push(experimentKeyOf(first));
  }
  return out;
}
