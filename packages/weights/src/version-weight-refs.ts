import { experimentNamespace, type Experiment, type VersionDetail } from "@iter8ts/types";
import { describeObject, objectKeyId, parseFieldPath, type ObjectKey, type FieldPath } from "@iter8ts/resources";
import { checkWeightLocation, type WeightRefPolicy } from "./weight-ref-policy";
import { WeightsError, WeightsErrorCode } from "./weights-error";

/** Where one version's weight lives. */
export interface WeightLocation {
  key: ObjectKey;
  fieldPath: FieldPath;
}

/** A version and, when it has a `weightObjRef`, where its weight lives. */
export interface VersionWeightRef {
  version: string;
  location?: WeightLocation;
}

/** The versions whose weights live in one object. */
export interface WeightTarget {
  key: ObjectKey;
  /** `index` is the version's position in version order (names need not be unique yet). */
  versions: { version: string; fieldPath: FieldPath; index: number }[];
}

function locationOf(detail: VersionDetail, namespace: string, field: string, policy: WeightRefPolicy | undefined): WeightLocation | undefined {
  const ref = detail.weightObjRef;
  if (!ref) return undefined;
  const version = JSON.stringify(detail.name);
  if (!ref.kind || !ref.name) {
    throw new WeightsError(
      WeightsErrorCode.InvalidWeightRef,
      `version ${version}: weightObjRef needs both kind and name to find the object holding the weight (got kind ${JSON.stringify(ref.kind ?? "")}, name ${JSON.stringify(ref.name ?? "")})`,
    );
  }
  const key: ObjectKey = { kind: ref.kind, name: ref.name, namespace: ref.namespace || namespace };
  if (ref.apiVersion) key.apiVersion = ref.apiVersion;
  if (!ref.fieldPath) {
    throw new WeightsError(
      WeightsErrorCode.InvalidWeightRef,
      `version ${version}: weightObjRef of ${describeObject(key)} has no fieldPath; add the path of the weight field, e.g. .spec.http[0].route[1].weight`,
    );
  }
  let fieldPath: FieldPath;
  try {
    fieldPath = parseFieldPath(ref.fieldPath);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WeightsError(WeightsErrorCode.InvalidFieldPath, `version ${version}, ${describeObject(key)}: ${reason}`, { cause: error });
  }
  if (policy) checkWeightLocation(policy, field, key, fieldPath);
  return { key, fieldPath };
}

/**
 * The versions of an experiment in order (baseline, then candidates) with the object and field
 * each one's weight lives in. A `weightObjRef` without a namespace refers to the experiment's
 * namespace.
 *
 * With a `policy`, only the routing kinds it names and fields under `.spec` are accepted.
 *
 * @throws WeightsError `invalid_weight_ref` or `invalid_field_path` naming the version, or
 *   `invalid_weight_ref` when two versions point at the same field of the same object, or when
 *   the policy refuses the kind (naming the field, e.g. `spec.versionInfo.candidates[0].weightObjRef`).
 */
export function versionWeightRefs(experiment: Pick<Experiment, "metadata" | "spec">, policy?: WeightRefPolicy): VersionWeightRef[] {
  const info = experiment.spec.versionInfo;
  if (!info) return [];
  const namespace = experimentNamespace(experiment);
  const refs: VersionWeightRef[] = [];
  const seen = new Map<string, string>();
  const versions = [
    { detail: info.baseline, field: "spec.versionInfo.baseline.weightObjRef" },
    ...(info.candidates ?? []).map((detail, i) => ({ detail, field: `spec.versionInfo.candidates[${i}].weightObjRef` })),
  ];
  for (const { detail, field } of versions) {
    const location = locationOf(detail, namespace, field, policy);
    if (location) {
      const id = objectKeyId(location.key) + JSON.stringify(location.fieldPath.segments);
      const other = seen.get(id);
      if (other !== undefined) {
        throw new WeightsError(
          WeightsErrorCode.InvalidWeightRef,
          `versions ${JSON.stringify(other)} and ${JSON.stringify(detail.name)} both keep their weight in ${location.fieldPath.text} of ${describeObject(location.key)}; give each version its own field`,
        );
      }
      seen.set(id, detail.name);
    }
    refs.push(location ? { version: detail.name, location } : { version: detail.name });
  }
  return refs;
}

/** Groups the versions that have a `weightObjRef` by the object holding their weights, in order of first appearance. */
export function groupWeightTargets(refs: readonly VersionWeightRef[]): WeightTarget[] {
  const targets = new Map<string, WeightTarget>();
  for (const [index, ref] of refs.entries()) {
    if (!ref.location) continue;
    const id = objectKeyId(ref.location.key);
    let target = targets.get(id);
    if (!target) {
      target = { key: ref.location.key, versions: [] };
      targets.set(id, target);
    }
    target.versions.push({ version: ref.version, fieldPath: ref.location.fieldPath, index });
  }
  return [...targets.values()];
}
