import type { FieldPath } from "./field-path";
import { describeObject, type ObjectKey } from "./resource-client";
import { WeightsError, WeightsErrorCode } from "./weights-error";

/** A kind whose objects hold traffic weights, by API group. */
export interface RoutingKind {
  group: string;
  kind: string;
}

/**
 * Which objects weights may be read from and written to. A controller shared by teams uses
 * {@link ROUTING_WEIGHT_POLICY}, so a `weightObjRef` cannot read a Secret (or any other object)
 * through the controller's permissions, nor write outside a routing object's spec.
 */
export interface WeightRefPolicy {
  /** The kinds a `weightObjRef` may name. A reference without an apiVersion matches by kind. */
  kinds: readonly RoutingKind[];
}

/**
 * The routing kinds whose weight fields are integers: Istio VirtualService
 * (`.spec.http[i].route[j].weight`), Knative Service (`.spec.traffic[i].percent`), KFServing and
 * KServe InferenceService (`.spec.predictor.canaryTrafficPercent`), Seldon SeldonDeployment
 * (`.spec.predictors[i].traffic`), Gateway API HTTPRoute and GRPCRoute
 * (`.spec.rules[i].backendRefs[j].weight`).
 */
export const ROUTING_KINDS: readonly RoutingKind[] = [
  { group: "networking.istio.io", kind: "VirtualService" },
  { group: "serving.knative.dev", kind: "Service" },
  { group: "serving.kubeflow.org", kind: "InferenceService" },
  { group: "serving.kserve.io", kind: "InferenceService" },
  { group: "machinelearning.seldon.io", kind: "SeldonDeployment" },
  { group: "gateway.networking.k8s.io", kind: "HTTPRoute" },
  { group: "gateway.networking.k8s.io", kind: "GRPCRoute" },
];

/** The policy of an in-cluster controller: the known routing kinds only. */
export const ROUTING_WEIGHT_POLICY: WeightRefPolicy = { kinds: ROUTING_KINDS };

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

function listKinds(kinds: readonly RoutingKind[]): string {
  return kinds.map((k) => `${k.kind} (${k.group})`).join(", ");
}

/**
 * Refuses a weight location the policy does not allow: a kind that is not a routing kind (a
 * Secret, a ConfigMap, anything else), or a fieldPath outside `.spec`. Checked before the object
 * is read, so nothing of a refused object is ever read, let alone shown.
 *
 * @param field where the reference is written, e.g. `spec.versionInfo.candidates[0].weightObjRef`.
 * @throws WeightsError `invalid_weight_ref` naming the field and what is allowed.
 */
export function checkWeightLocation(policy: WeightRefPolicy, field: string, key: ObjectKey, fieldPath: FieldPath): void {
  const group = key.apiVersion === undefined ? undefined : groupOf(key.apiVersion);
  const allowed = policy.kinds.some((k) => k.kind === key.kind && (group === undefined || k.group === group));
  if (!allowed) {
    const what = `${describeObject(key)}${group ? ` (${group})` : ""}`;
    throw new WeightsError(
      WeightsErrorCode.InvalidWeightRef,
      `${field} names ${what}, which is not a routing kind whose weights this controller reads or writes; ${field}.kind must be one of ${listKinds(policy.kinds)}`,
    );
  }
  const [first, ...rest] = fieldPath.segments;
  if (first !== "spec" || rest.length === 0) {
    throw new WeightsError(
      WeightsErrorCode.InvalidFieldPath,
      `${field}.fieldPath ${JSON.stringify(fieldPath.text)} is not under .spec; a weight is a field of the routing object's spec, e.g. .spec.http[0].route[1].weight`,
    );
  }
}

/**
 * Describes a field's value for a message without showing it: the object may hold something
 * its reader must not see.
 */
export function describeValueType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return Number.isInteger(value) ? "an integer" : "a fractional number";
    case "boolean":
      return "a boolean";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}
