/**
 * What the server knows about one resource in one API version: names for discovery, scope,
 * subresources, and the per-kind rules (the API server's "strategy") that the generic write path
 * calls into.
 */
import type { FieldError } from "./api-status-error";
import type { JsonObject } from "./json-value";
import type { SchemaCheck } from "./schema-check";
import type { PrinterColumnSpec } from "./table-output";

/** When `metadata.generation` moves: never, on a `spec` change, or on any change outside `metadata`. */
export const GenerationPolicy = {
  None: "None",
  Spec: "Spec",
  NonMetadata: "NonMetadata",
} as const;
export type GenerationPolicy = (typeof GenerationPolicy)[keyof typeof GenerationPolicy];

/** Reads a field label (for field selectors) from a stored object. */
export type FieldLabelReader = (obj: JsonObject) => string;

/** The kind-specific rules of the write path. */
export interface KindBehavior {
  generation: GenerationPolicy;
  /** Whether an update without `metadata.resourceVersion` is accepted (false for custom resources). */
  allowUnconditionalUpdate: boolean;
  /** Whether PUT on a missing object creates it (true only for Events). */
  allowCreateOnUpdate: boolean;
  /** Whether DELETE answers with the object (Pods, Namespaces) instead of a `Status`. */
  deleteReturnsObject: boolean;
  /** Whether dependents are orphaned when DELETE names no propagationPolicy (batch/v1 Jobs). */
  orphanDependentsByDefault: boolean;
  /** Field labels beyond `metadata.name` and `metadata.namespace`. */
  fieldLabels: Readonly<Record<string, FieldLabelReader>>;
  /** Fills defaults and clears what a client may not set, on create. */
  prepareForCreate?(obj: JsonObject): void;
  /** Keeps fields a client may not change, on update of the main resource. */
  prepareForUpdate?(obj: JsonObject, old: JsonObject): void;
  /** Kind-specific validation (object metadata is validated for every kind). */
  validate?(obj: JsonObject, old: JsonObject | undefined): FieldError[];
  /** Schema validation with unknown-field detection and defaults (custom resources). */
  schema?: SchemaCheck;
  /** Converts this version's wire form to the stored form (when versions differ in shape). */
  toStorage?(obj: JsonObject): JsonObject;
  /** Converts the stored form to this version's wire form. */
  fromStorage?(obj: JsonObject): JsonObject;
}

/** One resource served in one group/version. */
export interface ResourceType {
  group: string;
  version: string;
  /** `v1` for the core group, `group/version` otherwise. */
  apiVersion: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  categories: readonly string[];
  namespaced: boolean;
  /** Whether `/status` is a subresource (main writes then leave status alone). */
  statusSubresource: boolean;
  /** Served from a CustomResourceDefinition (lists carry kind/apiVersion per item, no strategic merge patch). */
  custom: boolean;
  /** Key of the stored collection, shared by every version that serves the same objects. */
  storage: string;
  behavior: KindBehavior;
  /** A custom resource's `openAPIV3Schema`, published at /openapi (built-in kinds have their own). */
  openAPISchema?: JsonObject;
  /** A custom resource's `additionalPrinterColumns`, the columns of its Table after Name. */
  printerColumns?: readonly PrinterColumnSpec[];
}

/** The default rules: those of a plain built-in kind such as ConfigMap. */
export const PLAIN_BEHAVIOR: KindBehavior = {
  generation: GenerationPolicy.None,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  deleteReturnsObject: false,
  orphanDependentsByDefault: false,
  fieldLabels: {},
};

/** `v1` for the core group, `group/version` otherwise. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
