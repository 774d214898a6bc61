import { describeObject, type ObjectKey, type FieldPath } from "@iter8ts/resources";
import { WeightsError, WeightsErrorCode } from "./weights-error";

/** A kind whose objects hold traffic weights, by API group, and the names of its weight fields. */
export interface RoutingKind {
  group: string;
  kind: string;
  /** The last name of a weight field's path (`weight` of `.spec.http[0].route[1].weight`). */
  weightFields: readonly string[];
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
  { group: "networking.istio.io", kind: "VirtualService", weightFields: ["weight"] },
  { group: "serving.knative.dev", kind: "Service", weightFields: ["percent"] },
  { group: "serving.kubeflow.org", kind: "InferenceService", weightFields: ["canaryTrafficPercent"] },
  { group: "serving.kserve.io", kind: "InferenceService", weightFields: ["canaryTrafficPercent"] },
  { group: "machinelearning.seldon.io", kind: "SeldonDeployment", weightFields: ["traffic"] },
  { group: "gateway.networking.k8s.io", kind: "HTTPRoute", weightFields: ["weight"] },
  { group: "gateway.networking.k8s.io", kind: "GRPCRoute", weightFields: ["weight"] },
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
 * Secret, a ConfigMap, anything else), a fieldPath outside `.spec`, or one that does not end in
 * the kind's weight field (a port number is an integer under `.spec` too). Checked before the object
 * is read, so nothing of a refused object is ever read, let alone shown.
 *
 * @param field where the reference is written, e.g. `spec.versionInfo.candidates[0].weightObjRef`.
 * @throws WeightsError `invalid_weight_ref` naming the field and what is allowed.
 */
export function checkWeightLocation(policy: WeightRefPolicy, field: string, key: ObjectKey, fieldPath: FieldPath): void {
  const group = key.apiVersion === undefined ? undefined : groupOf(key.apiVersion);
  const allowed = policy.kinds.filter((k) => k.kind === key.kind && (group === undefined || k.group === group));
  if (allowed.length === 0) {
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
  const names = [...new Set(allowed.flatMap((k) => k.weightFields))];
  const last = fieldPath.segments[fieldPath.segments.length - 1];
  if (typeof last !== "string" || !names.includes(last)) {
    throw new WeightsError(
      WeightsErrorCode.InvalidFieldPath,
      `${field}.fieldPath ${JSON.stringify(fieldPath.text)} is not a weight field of ${key.kind}; its weight fields are named ${names.map((n) => JSON.stringify(n)).join(" or ")}, e.g. ${example(key.kind)}`,
    );
  }
}

function example(kind: string): string {
  switch (kind) {
    case "Service":
      return ".spec.traffic[1].percent";
    case "InferenceService":
      return ".spec.predictor.canaryTrafficPercent";
    case "SeldonDeployment":
      return ".spec.predictors[1].traffic";
    case "HTTPRoute":
    case "GRPCRoute":
      return ".spec.rules[0].backendRefs[1].weight";
    default:
      return ".spec.http[0].route[1].weight";
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
