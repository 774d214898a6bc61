import { weightObjectReferences } from "../cross-namespace-refs";
import { errorMessage } from "../engine-error";
import { RetryStep } from "../engine-status";
import { Message, Reason } from "../reasons";
import { progressed, type StepOutcome } from "../reconcile-outcome";
import { forAnalysis, type Turn } from "../turn";
import { fail } from "./finish";
import { guardReferences } from "./references";
import { clearRetry, retryOrGiveUp } from "./retry";

/** Reads the observed weights into `status.currentWeightDistribution`. */
export async function observeWeights(turn: Turn): Promise<StepOutcome> {
  if (turn.spec.spec.versionInfo) {
    const refused = await guardReferences(turn, RetryStep.ObserveWeights, weightObjectReferences(turn.spec));
    if (refused) return refused;
    try {
      turn.status.currentWeightDistribution = await turn.ports.weights.observe(forAnalysis(turn));
    } catch (error) {
      return retryOrGiveUp(turn, RetryStep.ObserveWeights, error, () =>
        fail(turn, { reason: Reason.InvalidExperiment, message: Message.weightObjRefInvalid(errorMessage(error)) }),
      );
    }
  }
  clearRetry(turn, RetryStep.ObserveWeights);
  return progressed();
}
