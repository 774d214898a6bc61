/**
 * Kubernetes-style objects as the other packages handle them: the {@link ResourceClient} port
 * (implemented by `@iter8ts/kube` against the API server, by `@iter8ts/local` against files and
 * by `@iter8ts/resources/testing` in memory), the errors it throws, field paths into an object,
 * RFC 6902 JSON Patch on plain JSON and label selectors with the API server's matching rules.
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
export { parseFieldPath, toJsonPointer, formatFieldPath, readFieldPath } from "./field-path";
export type { FieldPath, PathSegment, FieldReading } from "./field-path";
export { FieldPathError, FieldPathErrorCode } from "./field-path-error";
export { applyJsonPatch, jsonEqual, JsonPatchError, JsonPatchErrorCode } from "./json-patch";
export { parseLabelSelector, matchesLabelSelector, LabelSelectorError, SelectorOperator } from "./label-selector";
export type { LabelSelector, LabelRequirement } from "./label-selector";
