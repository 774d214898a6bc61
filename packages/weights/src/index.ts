/**
 * Traffic weights of Iter8 experiments: where each version's weight lives (`weightObjRef` and
 * `fieldPath`), reading the weights currently set, and writing recommended weights as guarded
 * JSON Patches through the `ResourceClient` port of `@iter8ts/resources`.
 */
export { WeightsError, WeightsErrorCode } from "./weights-error";
export { versionWeightRefs, groupWeightTargets } from "./version-weight-refs";
export type { VersionWeightRef, WeightLocation, WeightTarget } from "./version-weight-refs";
export { readObservedWeights, deriveObservedWeights, weightFromField } from "./observed-weights";
export type { VersionObservation } from "./observed-weights";
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
