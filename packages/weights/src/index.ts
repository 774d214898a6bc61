/**
 * Traffic weights of Iter8 experiments: where each version's weight lives (`weightObjRef` and
 * `fieldPath`), reading the weights currently set, and writing recommended weights as guarded
 * JSON Patches through a {@link ResourceClient} port.
 */
export { ResourceError, ResourceErrorCode, isResourceError } from "./resource-error";
export { describeObject, objectKeyOf, objectKeyId } from "./resource-client";
export type {
  ObjectKey,
  KubeObject,
  JsonPatchOperation,
  ListQuery,
  ObjectList,
  WatchEvent,
  CallOptions,
  ResourceClient,
} from "./resource-client";
export { WeightsError, WeightsErrorCode } from "./weights-error";
export { parseFieldPath, toJsonPointer, formatFieldPath, readFieldPath } from "./field-path";
export type { FieldPath, PathSegment, FieldReading } from "./field-path";
export { applyJsonPatch, jsonEqual, JsonPatchError, JsonPatchErrorCode } from "./json-patch";
export { versionWeightRefs, groupWeightTargets } from "./version-weight-refs";
export type { VersionWeightRef, WeightLocation, WeightTarget } from "./version-weight-refs";
export { readObservedWeights, deriveObservedWeights, weightFromField } from "./observed-weights";
export type { VersionObservation } from "./observed-weights";
export { roundWeights } from "./round-weights";
export { normalizeRecommendedWeights } from "./recommended-weights";
export type { NormalizedWeights } from "./recommended-weights";
export { planWeightPatch } from "./plan-weight-patch";
export type { WeightAssignment, WeightChange, WeightPatchPlan } from "./plan-weight-patch";
export { applyWeights } from "./apply-weights";
export type { ApplyWeightsOptions, ApplyWeightsResult, ObjectPatchOutcome } from "./apply-weights";
export { ResourceWeightWriter } from "./resource-weight-writer";
export { ROUTING_KINDS, ROUTING_WEIGHT_POLICY, checkWeightLocation, describeValueType } from "./weight-ref-policy";
export type { RoutingKind, WeightRefPolicy } from "./weight-ref-policy";
export type { ResourceWeightWriterOptions } from "./resource-weight-writer";
