import { jsonEqual, describeObject, objectKeyOf, formatFieldPath, readFieldPath, toJsonPointer, type JsonPatchOperation, type KubeObject, type FieldPath } from "@iter8ts/resources";
import { describeValueType } from "./weight-ref-policy";
import { WeightsError, WeightsErrorCode } from "./weights-error";

/** The weight one version should get, and where it lives in the object. */
export interface WeightAssignment {
  version: string;
  fieldPath: FieldPath;
  weight: number;
}

/** One field a patch changes. */
export interface WeightChange {
  version: string;
  fieldPath: string;
  /** The value found in the object, or undefined when the field did not exist yet. */
  from: unknown;
  to: number | string;
}

/** The patch for one object: empty when every field already holds its weight. */
export interface WeightPatchPlan {
  operations: JsonPatchOperation[];
  changes: WeightChange[];
}

function sameWeight(current: unknown, weight: number): boolean {
  if (typeof current === "string" && current.trim() !== "") return Number(current) === weight;
  return jsonEqual(current, weight);
}

/**
 * Plans the JSON Patch that sets each assigned field of `object` to its weight. The patch is
 * guarded so that it applies only to the object as read: a `test` operation on each old value
 * precedes its `replace`, and when a field must be created (no old value to test), a `test` on
 * `metadata.resourceVersion` guards the whole object. A concurrent edit then fails the patch
 * as a conflict instead of being overwritten. Fields already at their weight are left alone. A
 * field holding a numeric string keeps being a string.
 *
 * With `integersOnly`, a field that exists must hold a JSON integer (a routing object's weight).
 *
 * @throws WeightsError `weight_unreadable` when the field's parent does not exist, so the weight
 *   has nowhere to go; `weight_not_integer` (without showing the value) with `integersOnly`.
 */
export function planWeightPatch(object: KubeObject, assignments: readonly WeightAssignment[], options: { integersOnly?: boolean } = {}): WeightPatchPlan {
  const tests: JsonPatchOperation[] = [];
  const writes: JsonPatchOperation[] = [];
  const changes: WeightChange[] = [];
  let needsVersionGuard = false;
  for (const { version, fieldPath, weight } of assignments) {
    const pointer = toJsonPointer(fieldPath);
    const reading = readFieldPath(object, fieldPath);
    if (reading.found) {
      if (options.integersOnly && !Number.isInteger(reading.value)) {
        throw new WeightsError(
          WeightsErrorCode.WeightNotInteger,
          `cannot set the weight of version ${JSON.stringify(version)}: ${fieldPath.text} of ${describeObject(objectKeyOf(object))} holds ${describeValueType(reading.value)}, not an integer; point fieldPath at a numeric weight field`,
        );
      }
      if (sameWeight(reading.value, weight)) continue;
      const to = typeof reading.value === "string" ? String(weight) : weight;
      tests.push({ op: "test", path: pointer, value: reading.value });
      writes.push({ op: "replace", path: pointer, value: to });
      changes.push({ version, fieldPath: fieldPath.text, from: reading.value, to });
      continue;
    }
    const parentSegments = fieldPath.segments.slice(0, -1);
    const parent = readFieldPath(object, parentSegments);
    const last = fieldPath.segments[fieldPath.segments.length - 1];
    const parentIsObject = parent.found && parent.value !== null && typeof parent.value === "object" && !Array.isArray(parent.value);
    if (!parentIsObject || typeof last === "number") {
      throw new WeightsError(
        WeightsErrorCode.WeightUnreadable,
        `cannot set the weight of version ${JSON.stringify(version)}: ${describeObject(objectKeyOf(object))} has no ${formatFieldPath(parentSegments) || "root"} object to hold ${fieldPath.text}; check the weightObjRef's fieldPath`,
      );
    }
    needsVersionGuard = true;
    writes.push({ op: "add", path: pointer, value: weight });
    changes.push({ version, fieldPath: fieldPath.text, from: undefined, to: weight });
  }
  if (writes.length === 0) return { operations: [], changes };
  const resourceVersion = object.metadata.resourceVersion;
  if (needsVersionGuard && resourceVersion !== undefined) tests.unshift({ op: "test", path: "/metadata/resourceVersion", value: resourceVersion });
  return { operations: [...tests, ...writes], changes };
}
