import type { DeploymentPattern, Experiment, VersionWeight } from "@iter8ts/types";
import { describeObject, ResourceError, readFieldPath, type CallOptions, type KubeObject, type ResourceClient } from "@iter8ts/resources";
import { groupWeightTargets, versionWeightRefs } from "./version-weight-refs";
import { describeValueType, type WeightRefPolicy } from "./weight-ref-policy";
import { WeightsError, WeightsErrorCode } from "./weights-error";

/** A version and the weight read from its object, if it has one. */
export interface VersionObservation {
  name: string;
  /** Absent for a version without a `weightObjRef`. */
  observed?: number;
  /** Where the weight was read, for messages: `.spec.http[0].route[0].weight of VirtualService apps/vs`. */
  source?: string;
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * Reads a weight field's value as a whole number, accepting a number or a string of digits as
 * the original's JSONPath-then-parse did. Returns undefined for anything else.
 */
export function weightFromField(value: unknown): number | undefined {
  let n: number | undefined;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && /^[+-]?[0-9]+$/.test(value.trim())) n = Number(value.trim());
  if (n === undefined || !Number.isInteger(n) || Math.abs(n) > INT32_MAX) return undefined;
  return n;
}

/** Refuses two or more versions without a `weightObjRef`, except with FixedSplit (they are left out). */
function requireDerivable(withoutRef: readonly string[], deploymentPattern?: DeploymentPattern): void {
  if (withoutRef.length < 2 || deploymentPattern === "FixedSplit") return;
  throw new WeightsError(
    WeightsErrorCode.MissingWeightRefs,
    `unable to read version weights; insufficient number of weightObjectRef specified: versions ${withoutRef.map((v) => JSON.stringify(v)).join(", ")} have no weightObjRef. ` +
      `Give every version but one a weightObjRef, or use deploymentPattern FixedSplit`,
  );
}

/** `"v1" 70 at .spec.http[0].route[0].weight of VirtualService apps/vs`. */
function describeObservation(v: VersionObservation): string {
  return `${JSON.stringify(v.name)} ${v.observed}${v.source ? ` at ${v.source}` : ""}`;
}

/**
 * Completes observed weights: versions with a `weightObjRef` keep what was read; a single version
 * without one gets `100 − sum` of the others. Results are matched by version name and listed in
 * version order, wherever the version without a reference sits.
 *
 * With two or more versions lacking a reference the weights cannot be derived: an error, unless
 * the deployment pattern is FixedSplit, where those versions are simply left out.
 *
 * Weights that cannot be a split of the traffic are refused: a negative weight; weights adding up
 * to anything but 100 when every version has a reference (70 + 70); weights adding up to more
 * than 100 when some version has none (its share, or the FixedSplit versions', would be negative).
 *
 * @throws WeightsError `missing_weight_refs`, `negative_weight`, `weights_not_100` or
 *   `weights_exceed_100`, naming the versions and, when `source` is given, where each was read.
 */
export function deriveObservedWeights(versions: readonly VersionObservation[], deploymentPattern?: DeploymentPattern): VersionWeight[] {
  const missing = versions.filter((v) => v.observed === undefined);
  requireDerivable(missing.map((v) => v.name), deploymentPattern);
  const fixedSplit = missing.length >= 2;
  const read = versions.filter((v) => v.observed !== undefined);
  const negative = read.find((v) => (v.observed as number) < 0);
  if (negative) {
    throw new WeightsError(
      WeightsErrorCode.NegativeWeight,
      `the weight of version ${JSON.stringify(negative.name)} is ${negative.observed}${negative.source ? ` at ${negative.source}` : ""}, and a share of the traffic cannot be negative; fix the weight in the object`,
    );
  }
  const sum = read.reduce((total, v) => total + (v.observed as number), 0);
  const listed = read.map(describeObservation).join(", ");
  if (missing.length === 0 && sum !== 100) {
    throw new WeightsError(
      WeightsErrorCode.WeightsNot100,
      `the observed weights add up to ${sum}, not 100: ${listed}; every version has a weightObjRef, so its weights must be the whole split of the traffic: ` +
        `fix the weights in the objects, or point each fieldPath at its version's weight`,
    );
  }
  if (sum > 100) {
    const rest = missing.map((v) => JSON.stringify(v.name)).join(", ");
    throw new WeightsError(
      WeightsErrorCode.WeightsExceed100,
      `the observed weights of ${listed} add up to ${sum}, more than 100, so the share of ${missing.length === 1 ? "version" : "versions"} ${rest}, which ${missing.length === 1 ? "has" : "have"} no weightObjRef, would be negative; fix the weights in the objects`,
    );
  }
  if (fixedSplit) return read.map((v) => ({ name: v.name, value: v.observed as number }));
  return versions.map((v) => ({ name: v.name, value: v.observed ?? 100 - sum }));
}

/**
 * Reads the weights currently set in the cluster (`status.currentWeightDistribution`): each object
 * holding weights is read once, each version's field is read by its fieldPath, and the version
 * without a `weightObjRef` (if any) gets the rest (see {@link deriveObservedWeights}).
 *
 * @throws WeightsError naming the version, the object and the field: `weight_unreadable` (the
 *   object or field is missing or the read failed; `retryable` when the API failed transiently),
 *   `weight_not_integer`, `missing_weight_refs`, `negative_weight`, `weights_not_100`,
 *   `weights_exceed_100`, `invalid_weight_ref`, `invalid_field_path`.
 */
export async function readObservedWeights(
  client: ResourceClient,
  experiment: Pick<Experiment, "metadata" | "spec">,
  options: CallOptions & { policy?: WeightRefPolicy; /** Objects already at hand (a patch's answer), keyed by {@link describeObject}: not read again. */ objects?: ReadonlyMap<string, KubeObject> } = {},
): Promise<VersionWeight[]> {
  const { policy, objects, ...callOptions } = options;
  const refs = versionWeightRefs(experiment, policy);
  // Checked before any read: no API call can fix a missing reference.
  requireDerivable(
    refs.filter((r) => !r.location).map((r) => r.version),
    experiment.spec.strategy.deploymentPattern,
  );
  // By position: two versions may still share a name here (the engine reports that afterwards).
  const observed = new Map<number, VersionObservation>();
  for (const target of groupWeightTargets(refs)) {
    const first = target.versions[0];
    let object: KubeObject;
    try {
      object = objects?.get(describeObject(target.key)) ?? (await client.get(target.key, callOptions));
    } catch (error) {
      const reason = error instanceof ResourceError && error.code === "not_found" ? "the object does not exist" : error instanceof Error ? error.message : String(error);
      throw new WeightsError(
        WeightsErrorCode.WeightUnreadable,
        `cannot read the weight of version ${JSON.stringify(first?.version)} from ${describeObject(target.key)}: ${reason}`,
        { cause: error },
      );
    }
    for (const { version, fieldPath, index } of target.versions) {
      const reading = readFieldPath(object, fieldPath);
      if (!reading.found) {
        throw new WeightsError(
          WeightsErrorCode.WeightUnreadable,
          `cannot read the weight of version ${JSON.stringify(version)} at ${fieldPath.text} of ${describeObject(target.key)}: ` +
            `${reading.existingPrefix || "the object"} has no ${typeof reading.missing === "number" ? `element [${reading.missing}]` : `field ${JSON.stringify(reading.missing)}`}; ` +
            `check the weightObjRef's fieldPath against the object`,
        );
      }
      // Under a policy a routing object's weight is a JSON integer, as in every routing kind's schema.
      const weight = policy && typeof reading.value !== "number" ? undefined : weightFromField(reading.value);
      if (weight === undefined) {
        // The value is not shown: whatever the field holds may be something the reader must not see.
        throw new WeightsError(
          WeightsErrorCode.WeightNotInteger,
          `the weight of version ${JSON.stringify(version)} at ${fieldPath.text} of ${describeObject(target.key)} holds ${describeValueType(reading.value)}, not a whole number; point fieldPath at a numeric weight field`,
        );
      }
      observed.set(index, { name: version, observed: weight, source: `${fieldPath.text} of ${describeObject(target.key)}` });
    }
  }
  return deriveObservedWeights(
    refs.map((r, index) => observed.get(index) ?? { name: r.version }),
    experiment.spec.strategy.deploymentPattern,
  );
}
