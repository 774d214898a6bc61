import { versionNames, type Experiment, type VersionWeight } from "@iter8ts/types";
import { describeObject, readFieldPath, toJsonPointer, type JsonPatchOperation, type KubeObject, type ObjectKey, type ResourceClient, isResourceError } from "@iter8ts/resources";
import { planWeightPatch, type WeightAssignment, type WeightChange } from "./plan-weight-patch";
import { normalizeRecommendedWeights } from "./recommended-weights";
import { groupWeightTargets, versionWeightRefs } from "./version-weight-refs";
import type { WeightRefPolicy } from "./weight-ref-policy";
import { WeightsError, WeightsErrorCode } from "./weights-error";

/** Options of {@link applyWeights}. */
export interface ApplyWeightsOptions {
  /** Read-plan-patch rounds per object before a conflict is given up on. Default 5. */
  maxAttempts?: number;
  signal?: AbortSignal;
  /** Only the routing kinds, `.spec` fields and integer values it allows (see {@link WeightRefPolicy}). */
  policy?: WeightRefPolicy;
  /**
   * The object as last seen (an earlier patch's answer): the first round plans against it instead
   * of reading the object, and its `test` operations catch any change made since, which costs
   * one read and a second round. Absent or undefined: the object is read first.
   */
  known?: (key: ObjectKey) => KubeObject | undefined;
  /**
   * Patch even when every field already holds its weight, with only the `test` operations: the
   * answer is the object as stored now, so the caller learns the observed weights from the
   * write and needs no read after it.
   */
  confirmUnchanged?: boolean;
}

/** What happened to one object. */
export type ObjectPatchOutcome =
  | { target: ObjectKey; status: "patched"; operations: JsonPatchOperation[]; changes: WeightChange[]; attempts: number; /** The object as the patch left it. */ object: KubeObject }
  | { target: ObjectKey; status: "unchanged"; attempts: number; /** The object as last read or confirmed. */ object: KubeObject }
  | { target: ObjectKey; status: "failed"; error: WeightsError; attempts: number };

/** The result of {@link applyWeights}. */
export interface ApplyWeightsResult {
  /** True when no object failed. */
  ok: boolean;
  /** The weights that were (or already were) written, per version with a recommendation. */
  weights: VersionWeight[];
  outcomes: ObjectPatchOutcome[];
  warnings: string[];
}

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Writes recommended weights into the objects named by the versions' `weightObjRef`s: one
 * guarded JSON Patch per object (see `planWeightPatch`). When a patch meets a conflict (the object
 * changed since it was read), the object is read again and the patch planned again, up to
 * `maxAttempts` times. A failure is reported per object in the result, never only logged;
 * objects are independent, so one failing does not stop the others.
 *
 * Deciding whether to redistribute at all (not for Conformance or FixedSplit) is the caller's
 * business.
 *
 * @throws WeightsError before any write when the references or recommendations are unusable:
 *   `invalid_weight_ref`, `invalid_field_path`, `invalid_recommendation`, or
 *   `missing_recommendation` ("no weight recommendation provided for version …").
 */
export async function applyWeights(
  client: ResourceClient,
  experiment: Pick<Experiment, "metadata" | "spec">,
  recommended: readonly VersionWeight[],
  options: ApplyWeightsOptions = {},
): Promise<ApplyWeightsResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const refs = versionWeightRefs(experiment, options.policy);
  const { weights, warnings } = normalizeRecommendedWeights(versionNames(experiment), recommended);
  const weightOf = new Map(weights.map((w) => [w.name, w.value]));
  for (const ref of refs) {
    if (ref.location && !weightOf.has(ref.version)) {
      throw new WeightsError(
        WeightsErrorCode.MissingRecommendation,
        `no weight recommendation provided for version ${JSON.stringify(ref.version)}, whose weight lives in ${ref.location.fieldPath.text} of ${describeObject(ref.location.key)}`,
      );
    }
  }

  const outcomes: ObjectPatchOutcome[] = [];
  for (const target of groupWeightTargets(refs)) {
    const assignments = target.versions.map((v) => ({ ...v, weight: weightOf.get(v.version) as number }));
    const what = describeObject(target.key);
    let attempts = 0;
    let outcome: ObjectPatchOutcome | undefined;
    while (!outcome) {
      attempts++;
      if (options.signal?.aborted) {
        outcome = { target: target.key, status: "failed", attempts, error: new WeightsError(WeightsErrorCode.PatchFailed, `weights of ${what} were not written: cancelled`, { cause: options.signal.reason }) };
        break;
      }
      try {
        // Only the first round trusts what was seen before: a conflict means it is out of date.
        const object = (attempts === 1 ? options.known?.(target.key) : undefined) ?? (await client.get(target.key, { signal: options.signal }));
        const plan = planWeightPatch(object, assignments, { integersOnly: options.policy !== undefined });
        if (plan.operations.length === 0) {
          const confirmed = options.confirmUnchanged ? await client.patch(target.key, currentValueTests(object, assignments), { signal: options.signal }) : object;
          outcome = { target: target.key, status: "unchanged", attempts, object: confirmed };
          break;
        }
        const patched = await client.patch(target.key, plan.operations, { signal: options.signal });
        outcome = { target: target.key, status: "patched", operations: plan.operations, changes: plan.changes, attempts, object: patched };
      } catch (error) {
        if (isResourceError(error, "conflict") && attempts < maxAttempts) continue;
        let failure: WeightsError;
        if (error instanceof WeightsError) failure = error;
        else if (isResourceError(error, "conflict")) {
          failure = new WeightsError(WeightsErrorCode.PatchConflict, `gave up writing weights to ${what} after ${attempts} attempts: it changed between every read and patch`, { cause: error });
        } else {
          const reason = error instanceof Error ? error.message : String(error);
          failure = new WeightsError(WeightsErrorCode.PatchFailed, `could not write the weights of ${target.versions.map((v) => JSON.stringify(v.version)).join(", ")} to ${what}: ${reason}`, { cause: error });
        }
        outcome = { target: target.key, status: "failed", error: failure, attempts };
      }
    }
    outcomes.push(outcome);
  }
  return { ok: outcomes.every((o) => o.status !== "failed"), weights, outcomes, warnings };
}

/** `test` operations asserting that each weight field still holds what `object` shows. */
function currentValueTests(object: KubeObject, assignments: ReadonlyArray<Pick<WeightAssignment, "fieldPath">>): JsonPatchOperation[] {
  return assignments.map(({ fieldPath }) => {
    // Every field exists here: a missing one would have been planned as an `add`.
    const reading = readFieldPath(object, fieldPath);
    return { op: "test", path: toJsonPointer(fieldPath), value: reading.found ? reading.value : null };
  });
}
