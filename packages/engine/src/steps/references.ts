import { experimentNamespace } from "@iter8ts/types";
import { criteriaMetricReferences, refusedReference, weightObjectReferences } from "../cross-namespace-refs";
import { errorMessage } from "../engine-error";
import type { RetryStep } from "../engine-status";
import type { CrossNamespaceRef } from "../ports";
import { Reason } from "../reasons";
import type { StepOutcome } from "../reconcile-outcome";
import type { Turn } from "../turn";
import { fail } from "./finish";
import { retryOrGiveUp } from "./retry";

/**
 * Fails the experiment when one of `refs` leaves its namespace without consent (see
 * `ReferencePolicy`); undefined when every reference is allowed. A policy that cannot answer
 * is retried as `step`.
 */
export async function guardReferences(
  turn: Turn,
  step: RetryStep,
  refs: readonly CrossNamespaceRef[],
  from = experimentNamespace(turn.spec),
): Promise<StepOutcome | undefined> {
  let refused: string | undefined;
  try {
    refused = await refusedReference(turn.ports.references, from, refs);
  } catch (error) {
    return retryOrGiveUp(turn, step, error, () =>
      fail(turn, { reason: Reason.ReferenceNotGranted, message: `the ReferenceGrants could not be read: ${errorMessage(error)}` }),
    );
  }
  if (refused === undefined) return undefined;
  delete turn.status.retry;
  return fail(turn, { reason: Reason.ReferenceNotGranted, message: refused });
}

/** Every reference of the spec: the criteria's Metrics and the versions' routing objects. */
export function specReferences(turn: Turn): CrossNamespaceRef[] {
  return [...criteriaMetricReferences(turn.spec), ...weightObjectReferences(turn.spec)];
}
