/**
 * The API server's generic registry: create, read, list, watch, update (main resource and
 * `/status`), patch and delete, with the semantics clients depend on — uid and timestamps,
 * resourceVersion preconditions and 409s, generation, status-subresource separation, no-op writes
 * that change nothing, finalizers, owner-reference garbage collection, namespace lifecycle and
 * CRD registration. The HTTP layer and the in-process Job executor both go through it.
 */
import { randomInt, randomUUID } from "node:crypto";
import { parse as parseYaml } from "yaml";
import {
  ApiStatusError,
  StatusReason,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  FieldErrorType,
  internalError,
  invalid,
  invalidResource,
  notFound,
  patchNotApplicable,
  requiredValue,
  resourceVersionTooOld,
  successStatus,
  unsupportedMediaType,
  type FieldError,
  type KubeStatus,
} from "./api-status-error";
import { LabelSelectorError, matchesLabelSelector, parseLabelSelector, type LabelSelector } from "@iter8ts/resources";
import { CRD_STORAGE, NAMESPACE_STORAGE } from "./builtin-resources";
import { ratchet } from "./crd-schema-check";
import { establishedCrdStatus, resourceTypesFromCrd, type SchemaLookup } from "./custom-resources";
import { FieldSelectorError, matchesFieldSelector, parseFieldSelector, type FieldRequirement } from "./field-selector";
import { PatchError, PatchErrorCode, applyJsonPatch, decodeJsonPatch } from "./json-patch";
import { deepClone, deepEqual, isJsonObject, type JsonObject } from "./json-value";
import { formatTime, labelsOf, metaString, metadataOf, ownerUids, stringAt } from "./kube-object";
import { goDecodeError } from "./go-decode-check";
import { builtinTopLevelFields } from "./openapi-schemas";
import { afterUpdate, conflictCause, conflictMessage, serverSideApply, type ApplyOutcome, type FieldScope, type ManagedFieldsEntry } from "./managed-fields";
import { applyMergePatch } from "./merge-patch";
import { ChangeType, type ObjectStore, type StoredChange } from "./object-store";
import { validateObjectMeta } from "./object-meta-validation";
import type { ResourceRegistry } from "./resource-registry";
import { GenerationPolicy, type ResourceType } from "./resource-type";
import { applyStrategicMergePatch } from "./strategic-merge-patch";

/** How unknown fields in a write are treated (the `fieldValidation` query parameter). */
export const FieldValidation = {
  Strict: "Strict",
  Warn: "Warn",
  Ignore: "Ignore",
} as const;
export type FieldValidation = (typeof FieldValidation)[keyof typeof FieldValidation];

/** Options of create, update and patch. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  /** Who makes the write, for `metadata.managedFields` (default: the User-Agent's first part, else `unknown`). */
  fieldManager?: string;
  /** The request's User-Agent, the field manager when none is named. */
  userAgent?: string;
  /** Server-side apply: take over the fields other managers own instead of failing with 409. */
  force?: boolean;
}

/** The field manager of a write, as the API server names it. */
function managerOf(options: WriteOptions): string {
  if (options.fieldManager) return options.fieldManager;
  // The characters before the first "/" of the User-Agent, printable ones only, at most 128.
  const prefix = [...(options.userAgent ?? "").split("/")[0] ?? ""].filter((c) => /\P{C}/u.test(c)).join("").slice(0, 128);
  return prefix || "unknown";
}

/** The outcome of a write: the object as the client sees it, whether it was created, and warnings. */
export interface WriteResult {
  object: JsonObject;
  created: boolean;
  warnings: string[];
}

/** How dependents are treated when their owner is deleted. */
export type PropagationPolicy = "Orphan" | "Background" | "Foreground";

/** Options of delete. */
export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Options of list. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** Options of watch. */
export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  sendInitialEvents?: boolean;
  /** Whether the initial events end with a BOOKMARK (the client allows bookmarks). */
  initialEventsEndBookmark?: boolean;
}

/** The event types a watch stream carries. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** Where a watch delivers its events. */
export interface WatchSink {
  event(type: WatchEventType, object: JsonObject | KubeStatus): void;
  /** The watch cannot continue (e.g. 410 Gone was sent); the stream should close. */
  end(): void;
}

/** A running watch. */
export interface WatchHandle {
  stop(): void;
}

/** Media types of the four patch flavours. */
export const PatchType = {
  Json: "application/json-patch+json",
  Merge: "application/merge-patch+json",
  StrategicMerge: "application/strategic-merge-patch+json",
  Apply: "application/apply-patch+yaml",
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

/** Settings of the registry. */
export interface ResourceApiOptions {
  now: () => Date;
  schemaLookup: SchemaLookup;
  /** Whether namespaced writes need an existing, active namespace (true on a real server). */
  enforceNamespaces: boolean;
  /**
   * How long the namespace controller takes to act on a Terminating namespace, and how often it
   * looks again while finalizers hold content back, in ms.
   */
  namespaceControllerDelayMs: number;
}

const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function generatedSuffix(): string {
  let out = "";
  for (let i = 0; i < 5; i++) out += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return out;
}

function withoutTypeMeta(obj: JsonObject): JsonObject {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function withoutVersion(obj: JsonObject): JsonObject {
  const copy = deepClone(obj);
  delete metadataOf(copy).resourceVersion;
  return copy;
}

function nonMetadata(obj: JsonObject): JsonObject {
  const { metadata: _m, ...rest } = obj;
  return rest;
}

const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

/**
 * Unknown fields the decoder of every kind sees: in `metadata`, and at the top level of the
 * built-in kinds (testkit knows their top-level fields only; nested ones are not checked).
 */
function unknownEnvelopeFields(type: ResourceType, obj: JsonObject): string[] {
  const unknown: string[] = [];
  if (isJsonObject(obj.metadata)) for (const key of Object.keys(obj.metadata)) if (!OBJECT_META_FIELDS.has(key)) unknown.push(`metadata.${key}`);
  const fields = type.custom ? undefined : builtinTopLevelFields(type);
  if (fields) for (const key of Object.keys(obj)) if (!["apiVersion", "kind", "metadata", ...fields].includes(key)) unknown.push(key);
  return unknown;
}

function dropFields(obj: JsonObject, fields: readonly string[]): JsonObject {
  if (fields.length === 0) return obj;
  const copy = deepClone(obj);
  for (const field of fields) {
    const [first, second] = field.split(".");
    if (second !== undefined && first === "metadata" && isJsonObject(copy.metadata)) delete copy.metadata[second];
    else if (second === undefined && first !== undefined) delete copy[first];
  }
  return copy;
}

/**
 * The API server's words for a field label a kind does not have: kinds with their own label
 * conversion (core Pods, Events, Namespaces, Secrets, Services; custom resources; batch Jobs) say
 * so in their own way, the others fall back to apimachinery's default conversion.
 */
function unsupportedFieldLabel(type: ResourceType, label: string): string {
  if (type.custom || (type.group === "" && ["Pod", "Event", "Namespace", "Secret", "Service"].includes(type.kind))) return `field label not supported: ${label}`;
  if (type.group === "batch" && type.kind === "Job") return `field label "${label}" not supported for Job`;
  return `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

interface ContinueToken {
  rv: number;
  start: string;
}

/** The generic registry over an {@link ObjectStore}. */
export class ResourceApi {
  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly options: ResourceApiOptions,
  ) {}

  /** `metav1.Time` for now. */
  now(): string {
    return formatTime(this.options.now());
  }

  /** The object as a client of `type` sees it: its version's shape, with apiVersion and kind. */
  present(type: ResourceType, stored: JsonObject): JsonObject {
    const shaped = type.behavior.fromStorage ? type.behavior.fromStorage(stored) : deepClone(stored);
    return { apiVersion: type.apiVersion, kind: type.kind, ...withoutTypeMeta(shaped) };
  }

  private groupResource(type: ResourceType) {
    return { group: type.group, resource: type.plural };
  }

  private decode(type: ResourceType, body: unknown): JsonObject {
    if (!isJsonObject(body)) throw badRequest(`the body of the request is not a ${type.kind} object`);
    if (body.apiVersion !== undefined && body.apiVersion !== type.apiVersion) {
      throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${type.apiVersion})`);
    }
    if (body.kind !== undefined && body.kind !== type.kind) {
      throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`);
    }
    const typeError = goDecodeError(type.group, type.kind, body, type.custom);
    if (typeError) throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${typeError}`);
    if (type.custom && body.kind === undefined) {
      const text = JSON.stringify(body);
      throw badRequest(`the object provided is unrecognized (must be of type ${type.kind}): Object 'Kind' is missing in '${text}' (${text})`);
    }
    return withoutTypeMeta(deepClone(body));
  }

  /** Removes unknown fields (or refuses them) and fills schema defaults, as decoding a custom resource does. */
  private prune(type: ResourceType, obj: JsonObject, mode: FieldValidation | undefined, warnings: string[]): JsonObject {
    const schema = type.behavior.schema;
    let value = obj;
    const unknownFields = unknownEnvelopeFields(type, value);
    if (schema) {
      const result = schema({ apiVersion: type.apiVersion, kind: type.kind, ...value });
      unknownFields.push(...result.unknownFields.filter((f) => !unknownFields.includes(f)));
      value = withoutTypeMeta(result.value);
    }
    if (unknownFields.length > 0) {
      const list = unknownFields.map((f) => `unknown field "${f}"`);
      if (mode === FieldValidation.Strict) {
        throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${list.join(", ")}`);
      }
      if (mode !== FieldValidation.Ignore) warnings.push(...list);
    }
    return dropFields(value, unknownFields);
  }


  private validate(type: ResourceType, obj: JsonObject, old: JsonObject | undefined, subresource?: "status"): FieldError[] {
    const errors = validateObjectMeta(obj, type.storage === NAMESPACE_STORAGE);
    errors.push(...(type.behavior.validate?.(obj, old) ?? []));
    if (type.behavior.schema) {
      const view = type.behavior.fromStorage ? type.behavior.fromStorage(obj) : obj;
      const found = type.behavior.schema({ apiVersion: type.apiVersion, kind: type.kind, ...view }, subresource ? { subresource } : {}).errors;
      // An update may keep what no longer validates, as long as it leaves it unchanged.
      const oldView = old && type.behavior.fromStorage ? type.behavior.fromStorage(old) : old;
      errors.push(...(oldView ? ratchet(found, view, oldView) : found));
    }
    return errors;
  }

  private throwIfInvalid(type: ResourceType, obj: JsonObject, old: JsonObject | undefined, subresource?: "status"): void {
    const errors = this.validate(type, obj, old, subresource);
    if (errors.length > 0) throw invalid({ group: type.group, kind: type.kind }, metaString(obj, "name"), errors);
  }

  private checkNamespace(type: ResourceType, obj: JsonObject, namespace: string): void {
    const meta = metadataOf(obj);
    if (type.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
  }

  private ensureNamespaceWritable(type: ResourceType, namespace: string, name: string): void {
    if (!this.options.enforceNamespaces || !type.namespaced) return;
    const ns = this.store.get(NAMESPACE_STORAGE, "", namespace);
    if (!ns) throw notFound({ group: "", resource: "namespaces" }, namespace);
    if (stringAt(ns, "status.phase") === "Terminating") {
      throw forbidden(
        this.groupResource(type),
        name,
        `${type.group ? `${type.plural}.${type.group}` : type.plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        [{ reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" }],
      );
    }
  }

  /** Reads one object; 404 when absent. */
  get(type: ResourceType, namespace: string, name: string): JsonObject {
    const obj = this.store.get(type.storage, type.namespaced ? namespace : "", name);
    if (!obj) throw notFound(this.groupResource(type), name);
    return this.present(type, obj);
  }

  /**
   * Creates an object (POST on the collection). `apply` marks a create by server-side apply: the
   * manager's fields are recorded as applied rather than updated.
   */
  create(type: ResourceType, namespace: string, body: unknown, options: WriteOptions = {}, apply = false): WriteResult {
    const warnings: string[] = [];
    let obj = this.decode(type, body);
    this.checkNamespace(type, obj, namespace);
    obj = this.prune(type, obj, options.fieldValidation, warnings);
    if (type.behavior.toStorage) obj = type.behavior.toStorage(obj);
    const meta = metadataOf(obj);
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== "") {
      throw new ApiStatusError(500, StatusReason.InternalError, "resourceVersion should not be set on objects to be created", {});
    }
    if ((meta.name === undefined || meta.name === "") && typeof meta.generateName === "string" && meta.generateName !== "") {
      meta.name = `${meta.generateName}${generatedSuffix()}`;
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = this.now();
    for (const field of ["deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"]) delete meta[field];
    if (type.behavior.generation === GenerationPolicy.None) delete meta.generation;
    else meta.generation = 1;
    if (type.custom && type.statusSubresource) delete obj.status;
    type.behavior.prepareForCreate?.(obj);
    if (type.storage === CRD_STORAGE) obj.status = establishedCrdStatus(obj, this.now());
    this.throwIfInvalid(type, obj, undefined);
    // An apply owns what its configuration sets; an Update what the stored object holds.
    meta.managedFields = this.createdFields(type, apply ? this.decode(type, body) : obj, options, apply);
    const name = metaString(obj, "name");
    this.ensureNamespaceWritable(type, namespace, name);
    if (this.store.get(type.storage, metaString(obj, "namespace"), name)) throw alreadyExists(this.groupResource(type), name);
    if (options.dryRun) return { object: this.present(type, obj), created: true, warnings };
    const change = this.store.commit(ChangeType.Added, type.storage, obj);
    this.afterCommit(change);
    return { object: this.present(type, change.object), created: true, warnings };
  }

  /**
   * Replaces an object (PUT), or only its status when `subresource` is `status`. `applied` holds
   * the managedFields a server-side apply worked out (otherwise this write is an Update).
   */
  update(
    type: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    options: WriteOptions = {},
    subresource?: "status",
    applied?: ManagedFieldsEntry[],
  ): WriteResult {
    const warnings: string[] = [];
    let obj = this.decode(type, body);
    const bodyName = metaString(obj, "name");
    if (bodyName !== name) throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    this.checkNamespace(type, obj, namespace);
    const ns = type.namespaced ? namespace : "";
    const old = this.store.get(type.storage, ns, name);
    if (!old) {
      if (type.behavior.allowCreateOnUpdate && !subresource) {
        delete metadataOf(obj).resourceVersion;
        return this.create(type, namespace, { apiVersion: type.apiVersion, kind: type.kind, ...obj }, options);
      }
      throw notFound(this.groupResource(type), name);
    }
    obj = this.prune(type, obj, options.fieldValidation, warnings);
    if (type.behavior.toStorage) obj = type.behavior.toStorage(obj);
    const requested = metadataOf(obj).resourceVersion;
    if (requested === undefined || requested === "") {
      if (!type.behavior.allowUnconditionalUpdate) {
        throw invalidResource(this.groupResource(type), name, [
          { type: FieldErrorType.Invalid, field: "metadata.resourceVersion", message: "Invalid value: 0: must be specified for an update" },
        ]);
      }
    } else if (requested !== metaString(old, "resourceVersion")) {
      throw conflict(this.groupResource(type), name);
    }
    const next = subresource === "status" ? this.statusOnly(obj, old) : this.mainOnly(type, obj, old);
    this.throwIfInvalid(type, next, old, subresource);
    metadataOf(next).managedFields =
      applied ?? afterUpdate(old, next, { manager: managerOf(options), apiVersion: type.apiVersion, now: this.now(), scope: this.scopeOf(type, subresource) });
    if (deepEqual(withoutVersion(next), withoutVersion(old))) {
      // The API server skips writes that change nothing: same resourceVersion, no watch event.
      return { object: this.present(type, old), created: false, warnings };
    }
    if (options.dryRun) return { object: this.present(type, next), created: false, warnings };
    const nextMeta = metadataOf(next);
    const finalizers = nextMeta.finalizers;
    if (nextMeta.deletionTimestamp && (!Array.isArray(finalizers) || finalizers.length === 0)) {
      // The last finalizer is gone from an object being deleted: it goes away now.
      const change = this.store.commit(ChangeType.Deleted, type.storage, next);
      this.afterCommit(change);
      this.collectGarbage(change.object, "Background");
      return { object: this.present(type, change.object), created: false, warnings };
    }
    const change = this.store.commit(ChangeType.Modified, type.storage, next);
    this.afterCommit(change);
    return { object: this.present(type, change.object), created: false, warnings };
  }

  private scopeOf(type: ResourceType, subresource: "status" | undefined): FieldScope {
    return { statusSubresource: type.statusSubresource, subresource };
  }

  /** The managedFields of a new object: one Update entry, or one Apply entry for a create by apply. */
  private createdFields(type: ResourceType, obj: JsonObject, options: WriteOptions, apply: boolean): ManagedFieldsEntry[] {
    const write = { manager: managerOf(options), apiVersion: type.apiVersion, now: this.now(), scope: this.scopeOf(type, undefined) };
    if (!apply) return afterUpdate(undefined, obj, write);
    const outcome = serverSideApply({ metadata: {} }, obj, { ...write, force: true }, (_live, config) => deepClone(config));
    return "managedFields" in outcome ? outcome.managedFields : [];
  }

  private statusOnly(obj: JsonObject, old: JsonObject): JsonObject {
    const next = deepClone(old);
    if ("status" in obj) next.status = deepClone(obj.status);
    else delete next.status;
    return next;
  }

  private mainOnly(type: ResourceType, obj: JsonObject, old: JsonObject): JsonObject {
    const next = deepClone(obj);
    const meta = metadataOf(next);
    const oldMeta = metadataOf(deepClone(old));
    for (const field of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "resourceVersion"]) {
      if (oldMeta[field] === undefined) delete meta[field];
      else meta[field] = oldMeta[field];
    }
    // What the server records; recomputed for this write by the caller.
    if (oldMeta.managedFields === undefined) delete meta.managedFields;
    else meta.managedFields = oldMeta.managedFields;
    if (type.statusSubresource) {
      if ("status" in old) next.status = deepClone(old.status);
      else delete next.status;
    }
    type.behavior.prepareForUpdate?.(next, old);
    const policy = type.behavior.generation;
    const changed =
      policy === GenerationPolicy.Spec
        ? !deepEqual(next.spec, old.spec)
        : policy === GenerationPolicy.NonMetadata
          ? !deepEqual(nonMetadata(next), nonMetadata(old))
          : false;
    if (changed) meta.generation = Number(oldMeta.generation ?? 0) + 1;
    return next;
  }

  /** Patches an object with one of the four patch types; `body` is the raw request text. */
  patch(
    type: ResourceType,
    namespace: string,
    name: string,
    contentType: string,
    body: string,
    options: WriteOptions = {},
    subresource?: "status",
  ): WriteResult {
    const media = (contentType.split(";")[0] ?? "").trim().toLowerCase();
    const accepted: string[] = type.custom
      ? [PatchType.Json, PatchType.Merge, PatchType.Apply]
      : [PatchType.Json, PatchType.Merge, PatchType.StrategicMerge, PatchType.Apply];
    if (!accepted.includes(media)) throw unsupportedMediaType(accepted);
    let patch: unknown;
    try {
      patch = media === PatchType.Apply ? parseYaml(body) : JSON.parse(body);
    } catch (e) {
      throw badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
    }
    const ns = type.namespaced ? namespace : "";
    const old = this.store.get(type.storage, ns, name);
    if (media === PatchType.Apply) {
      if (!options.fieldManager) {
        throw invalid({ group: "meta.k8s.io", kind: "PatchOptions" }, "", [requiredValue("fieldManager", "is required for apply patch")]);
      }
      if (!isJsonObject(patch)) throw badRequest("error decoding patch: the applied configuration is not an object");
      if (!old) {
        if (subresource) throw notFound(this.groupResource(type), name);
        return this.create(type, namespace, patch, options, true);
      }
      return this.apply(type, namespace, name, patch, options, subresource, old);
    }
    if (!old) throw notFound(this.groupResource(type), name);
    const current = this.present(type, old);
    let patched: unknown;
    try {
      switch (media) {
        case PatchType.Json:
          patched = applyJsonPatch(current, decodeJsonPatch(patch, options.fieldValidation !== FieldValidation.Ignore));
          break;
        case PatchType.Merge:
          if (!isJsonObject(patch)) throw new PatchError(PatchErrorCode.Malformed, "merge patch must be a JSON object");
          patched = applyMergePatch(current, patch);
          break;
        case PatchType.StrategicMerge:
          patched = applyStrategicMergePatch(current, patch);
          break;
      }
    } catch (e) {
      if (e instanceof PatchError) {
        if (e.code === PatchErrorCode.Malformed) throw badRequest(e.message);
        throw patchNotApplicable();
      }
      throw e;
    }
    if (!isJsonObject(patched)) throw badRequest("the patched object is not a JSON object");
    const meta = metadataOf(patched);
    // A patch that does not name a resourceVersion applies to whatever is current.
    if (meta.resourceVersion === undefined || meta.resourceVersion === null || meta.resourceVersion === "") {
      meta.resourceVersion = metaString(old, "resourceVersion");
    }
    return this.update(type, namespace, name, patched, options, subresource);
  }

  /**
   * Server-side apply onto an existing object: 409 listing the fields other managers own that the
   * configuration would change (unless `force`), else the merged object without the fields this
   * manager applied before and no longer applies, written with the managedFields it worked out.
   */
  private apply(type: ResourceType, namespace: string, name: string, config: JsonObject, options: WriteOptions, subresource: "status" | undefined, old: JsonObject): WriteResult {
    const current = this.present(type, old);
    const merge = (live: JsonObject, applied: JsonObject): JsonObject => {
      const merged = type.custom ? applyMergePatch(live, applied) : applyStrategicMergePatch(live, applied);
      return isJsonObject(merged) ? merged : {};
    };
    let outcome: ApplyOutcome;
    try {
      outcome = serverSideApply(
        current,
        withoutTypeMeta(config),
        { manager: managerOf(options), apiVersion: type.apiVersion, now: this.now(), scope: this.scopeOf(type, subresource), force: options.force ?? false },
        merge,
      );
    } catch (e) {
      if (e instanceof PatchError) throw e.code === PatchErrorCode.Malformed ? badRequest(e.message) : patchNotApplicable();
      throw e;
    }
    if ("conflicts" in outcome) {
      throw new ApiStatusError(409, StatusReason.Conflict, conflictMessage(outcome.conflicts), {
        causes: outcome.conflicts.map((c) => ({ reason: "FieldManagerConflict", message: conflictCause(c), field: c.field })),
      });
    }
    const meta = metadataOf(outcome.object);
    if (meta.resourceVersion === undefined || meta.resourceVersion === "") meta.resourceVersion = metaString(old, "resourceVersion");
    return this.update(type, namespace, name, { apiVersion: type.apiVersion, kind: type.kind, ...outcome.object }, options, subresource, outcome.managedFields);
  }

  private propagation(type: ResourceType, options: DeleteOptions): PropagationPolicy {
    if (options.propagationPolicy) return options.propagationPolicy;
    if (options.orphanDependents === true) return "Orphan";
    if (options.orphanDependents === false) return "Background";
    return type.behavior.orphanDependentsByDefault ? "Orphan" : "Background";
  }

  /**
   * Deletes an object. Returns the HTTP code and body: a Success `Status` for most kinds, the
   * object for Pods and Namespaces, and the object (with deletionTimestamp) when finalizers hold it.
   */
  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions = {}): { code: number; body: JsonObject | KubeStatus } {
    const ns = type.namespaced ? namespace : "";
    const old = this.store.get(type.storage, ns, name);
    if (!old) throw notFound(this.groupResource(type), name);
    const pre = options.preconditions ?? {};
    if (pre.uid !== undefined && pre.uid !== metaString(old, "uid")) {
      throw conflict(this.groupResource(type), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${metaString(old, "uid")}`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== metaString(old, "resourceVersion")) {
      throw conflict(
        this.groupResource(type),
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${metaString(old, "resourceVersion")}`,
      );
    }
    if (options.dryRun) return { code: 200, body: this.present(type, old) };
    if (type.storage === NAMESPACE_STORAGE) return { code: 200, body: this.present(type, this.terminateNamespace(old)) };
    const finalizers = metadataOf(old).finalizers;
    if (Array.isArray(finalizers) && finalizers.length > 0) {
      if (metadataOf(old).deletionTimestamp) return { code: 200, body: this.present(type, old) };
      const marked = deepClone(old);
      metadataOf(marked).deletionTimestamp = this.now();
      metadataOf(marked).deletionGracePeriodSeconds = 0;
      const change = this.store.commit(ChangeType.Modified, type.storage, marked);
      return { code: 200, body: this.present(type, change.object) };
    }
    const policy = this.propagation(type, options);
    if (policy === "Foreground") this.collectGarbage(old, policy);
    const change = this.store.commit(ChangeType.Deleted, type.storage, old);
    this.afterCommit(change);
    if (policy !== "Foreground") this.collectGarbage(change.object, policy);
    const body = type.behavior.deleteReturnsObject
      ? this.present(type, change.object)
      : successStatus({ name, ...(type.group ? { group: type.group } : {}), kind: type.plural, uid: metaString(old, "uid") });
    return { code: 200, body };
  }

  /** Deletes every object a list with the same options would return; answers the deleted objects. */
  deleteCollection(type: ResourceType, namespace: string | undefined, listOptions: ListOptions, options: DeleteOptions = {}): JsonObject {
    const listed = this.list(type, namespace, { ...listOptions, limit: undefined, continue: undefined });
    const items = Array.isArray(listed.items) ? listed.items.filter(isJsonObject) : [];
    const deleted: JsonObject[] = [];
    for (const item of items) {
      const result = this.delete(type, metaString(item, "namespace"), metaString(item, "name"), { ...options, preconditions: undefined });
      if (isJsonObject(result.body) && result.body.kind !== "Status") deleted.push(result.body);
      else deleted.push(this.present(type, item));
    }
    return { apiVersion: type.apiVersion, kind: type.listKind, metadata: { resourceVersion: String(this.store.resourceVersion) }, items: deleted };
  }

  /** Deletes what is owned (through ownerReferences) by `owner`, or orphans it. */
  private collectGarbage(owner: JsonObject, policy: PropagationPolicy): void {
    const uid = metaString(owner, "uid");
    if (!uid) return;
    for (const storage of this.registry.storages()) {
      for (const stored of this.store.peek(storage)) {
        if (!ownerUids(stored).includes(uid)) continue;
        const dependent = deepClone(stored);
        if (!this.store.get(storage, metaString(dependent, "namespace"), metaString(dependent, "name"))) continue;
        if (policy === "Orphan") {
          const meta = metadataOf(dependent);
          const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences.filter((r) => !(isJsonObject(r) && r.uid === uid)) : [];
          if (refs.length) meta.ownerReferences = refs;
          else delete meta.ownerReferences;
          this.store.commit(ChangeType.Modified, storage, dependent);
        } else {
          const change = this.store.commit(ChangeType.Deleted, storage, dependent);
          this.afterCommit(change);
          this.collectGarbage(change.object, "Background");
        }
      }
    }
  }

  private terminateNamespace(old: JsonObject): JsonObject {
    if (stringAt(old, "status.phase") === "Terminating") return old;
    const marked = deepClone(old);
    metadataOf(marked).deletionTimestamp = this.now();
    marked.status = { phase: "Terminating" };
    const change = this.store.commit(ChangeType.Modified, NAMESPACE_STORAGE, marked);
    // The namespace controller empties the namespace some time after the DELETE was answered.
    this.scheduleNamespaceController(metaString(old, "name"), metaString(old, "uid"));
    return change.object;
  }

  private scheduleNamespaceController(name: string, uid: string): void {
    const timer = setTimeout(() => this.runNamespaceController(name, uid), this.options.namespaceControllerDelayMs);
    timer.unref();
  }

  /**
   * One pass of the namespace controller over a Terminating namespace: deletes what it holds
   * (objects with finalizers are only marked), reports what remains in the namespace's
   * conditions and looks again later; once the namespace is empty, removes it.
   */
  private runNamespaceController(name: string, uid: string): void {
    const ns = this.store.get(NAMESPACE_STORAGE, "", name);
    if (!ns || metaString(ns, "uid") !== uid) return;
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const storage of this.registry.storages()) {
      const type = this.registry.forStorage(storage).find((t) => t.namespaced);
      if (!type) continue;
      for (const obj of this.store.list(storage, name)) {
        const objectName = metaString(obj, "name");
        if (!this.store.get(storage, name, objectName)) continue;
        const held = metadataOf(obj).finalizers;
        if (Array.isArray(held) && held.length > 0) {
          if (!metadataOf(obj).deletionTimestamp) this.delete(type, name, objectName, { propagationPolicy: "Background" });
          const resource = `${type.plural}.${type.group}`;
          remaining.set(resource, (remaining.get(resource) ?? 0) + 1);
          for (const f of held) finalizers.set(String(f), (finalizers.get(String(f)) ?? 0) + 1);
        } else {
          this.delete(type, name, objectName, { propagationPolicy: "Background" });
        }
      }
    }
    if (remaining.size === 0) {
      this.store.commit(ChangeType.Deleted, NAMESPACE_STORAGE, ns);
      return;
    }
    const now = this.now();
    const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastTransitionTime: now, reason, message });
    const list = (counts: Map<string, number>) => [...counts].map(([what, n]) => `${what} has ${n} resource instances`).join(", ");
    const conditions = [
      condition("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered", "All resources successfully discovered"),
      condition("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
      condition("NamespaceDeletionContentFailure", "False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
      condition("NamespaceContentRemaining", "True", "SomeResourcesRemain", `Some resources are remaining: ${list(remaining)}`),
      condition("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain", `Some content in the namespace has finalizers remaining: ${[...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).join(", ")}`),
    ];
    const current = this.store.get(NAMESPACE_STORAGE, "", name);
    const withoutTimes = (list: unknown) => (Array.isArray(list) ? list.map((c) => (isJsonObject(c) ? { ...c, lastTransitionTime: undefined } : c)) : list);
    if (current && !deepEqual(withoutTimes(isJsonObject(current.status) ? current.status.conditions : undefined), withoutTimes(conditions))) {
      const next = deepClone(current);
      next.status = { phase: "Terminating", conditions };
      this.store.commit(ChangeType.Modified, NAMESPACE_STORAGE, next);
    }
    this.scheduleNamespaceController(name, uid);
  }

  /** Side effects of writes to CRDs: their resources start or stop being served. */
  private afterCommit(change: StoredChange): void {
    if (change.storage !== CRD_STORAGE) return;
    const spec = isJsonObject(change.object.spec) ? change.object.spec : {};
    const names = isJsonObject(spec.names) ? spec.names : {};
    const storage = `${String(spec.group ?? "")}/${String(names.plural ?? "")}`;
    this.registry.removeStorage(storage);
    if (change.type === ChangeType.Deleted) {
      for (const obj of this.store.list(storage)) this.store.commit(ChangeType.Deleted, storage, obj);
      return;
    }
    for (const t of resourceTypesFromCrd(change.object, this.options.schemaLookup)) this.registry.add(t);
  }

  private selectors(type: ResourceType, options: { labelSelector?: string; fieldSelector?: string }): { labels: LabelSelector; fields: FieldRequirement[] } {
    const supported = new Set(["metadata.name", ...(type.namespaced ? ["metadata.namespace"] : []), ...Object.keys(type.behavior.fieldLabels)]);
    try {
      return { labels: parseLabelSelector(options.labelSelector), fields: parseFieldSelector(options.fieldSelector, supported, (label) => unsupportedFieldLabel(type, label)) };
    } catch (e) {
      if (e instanceof LabelSelectorError || e instanceof FieldSelectorError) throw badRequest(e.message);
      throw e;
    }
  }

  private matcher(type: ResourceType, namespace: string | undefined, options: { labelSelector?: string; fieldSelector?: string }): (obj: JsonObject) => boolean {
    const { labels, fields } = this.selectors(type, options);
    const readers = type.behavior.fieldLabels;
    return (obj) => {
      if (namespace !== undefined && type.namespaced && metaString(obj, "namespace") !== namespace) return false;
      if (!matchesLabelSelector(labels, labelsOf(obj))) return false;
      return matchesFieldSelector(fields, (field) => {
        if (field === "metadata.name") return metaString(obj, "name");
        if (field === "metadata.namespace") return metaString(obj, "namespace");
        return readers[field]?.(obj) ?? "";
      });
    };
  }

  private parseVersion(value: string): number {
    if (!/^\d+$/.test(value)) throw badRequest(`invalid resource version: ${JSON.stringify(value)}`);
    return Number(value);
  }

  /** Lists objects (`namespace` undefined = all namespaces) with selectors and pagination. */
  list(type: ResourceType, namespace: string | undefined, options: ListOptions = {}): JsonObject {
    const matches = this.matcher(type, namespace, options);
    const current = this.store.resourceVersion;
    if (options.resourceVersion !== undefined && options.resourceVersion !== "" && options.resourceVersion !== "0") {
      const requested = this.parseVersion(options.resourceVersion);
      if (options.resourceVersionMatch === "Exact" && requested !== current) {
        // Only the latest state is kept, so an exact read of an older version is as if compacted.
        throw new ApiStatusError(410, StatusReason.Expired, "The resourceVersion for the provided list is too old.");
      }
      if (requested > current) {
        throw new ApiStatusError(504, StatusReason.Timeout, `Too large resource version: ${requested}, current: ${current}`, {
          causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
          retryAfterSeconds: 1,
        });
      }
    }
    let start = "";
    if (options.continue) {
      let token: ContinueToken;
      try {
        token = JSON.parse(Buffer.from(options.continue, "base64url").toString("utf8")) as ContinueToken;
        if (typeof token.rv !== "number" || typeof token.start !== "string") throw new Error("bad token");
      } catch {
        throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
      }
      // rv -1 marks the inconsistent continuation the 410 below offers: the rest of the list as it is now.
      if (token.rv !== -1 && token.rv < this.store.compactedVersion) {
        const inconsistent: ContinueToken = { rv: -1, start: token.start };
        const expired = new ApiStatusError(
          410,
          StatusReason.Expired,
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
        expired.status.metadata = { continue: Buffer.from(JSON.stringify(inconsistent), "utf8").toString("base64url") };
        throw expired;
      }
      start = token.start;
    }
    const all = this.store
      .peek(type.storage, type.namespaced ? namespace : undefined)
      .filter(matches)
      .filter((o) => `${metaString(o, "namespace")}/${metaString(o, "name")}` > start || start === "");
    const limit = options.limit && options.limit > 0 ? options.limit : undefined;
    const page = limit !== undefined ? all.slice(0, limit) : all;
    const metadata: JsonObject = { resourceVersion: String(current) };
    if (limit !== undefined && all.length > limit) {
      const last = page[page.length - 1] as JsonObject;
      const token: ContinueToken = { rv: current, start: `${metaString(last, "namespace")}/${metaString(last, "name")}` };
      metadata.continue = Buffer.from(JSON.stringify(token), "utf8").toString("base64url");
      // The server counts what remains only when no selector filters the list.
      if (!options.labelSelector && !options.fieldSelector) metadata.remainingItemCount = all.length - limit;
    }
    // Lists of built-in kinds leave apiVersion/kind off the items; custom resource lists keep them.
    const items = page.map((o) => (type.custom ? this.present(type, o) : withoutTypeMeta(this.present(type, o))));
    return { apiVersion: type.apiVersion, kind: type.listKind, metadata, items };
  }

  /** A BOOKMARK object for `type` at `version`. */
  bookmark(type: ResourceType, version: number, annotations?: Record<string, string>): JsonObject {
    return {
      kind: type.kind,
      apiVersion: type.apiVersion,
      metadata: { resourceVersion: String(version), ...(annotations ? { annotations } : {}) },
    };
  }

  /**
   * Starts a watch. Without a resourceVersion (or with "0") the current objects come first as
   * ADDED; with one, the changes after it are replayed, or an ERROR 410 is sent when they are no
   * longer kept. Objects entering or leaving the selectors arrive as ADDED or DELETED.
   */
  watch(type: ResourceType, namespace: string | undefined, options: WatchOptions, sink: WatchSink): WatchHandle {
    const matches = this.matcher(type, namespace, options);
    const rv = options.resourceVersion;
    // With sendInitialEvents the current state comes first whatever version was named.
    const fromScratch = rv === undefined || rv === "" || rv === "0" || options.sendInitialEvents === true;
    let after = fromScratch ? this.store.resourceVersion : this.parseVersion(rv ?? "");
    const forward = (change: StoredChange): void => {
      if (change.storage !== type.storage || change.resourceVersion <= after) return;
      after = change.resourceVersion;
      const now = change.type !== ChangeType.Deleted && matches(change.object);
      const before = change.previous !== undefined && matches(change.previous);
      if (change.type === ChangeType.Deleted) {
        if (before) sink.event("DELETED", this.present(type, change.object));
      } else if (now && before) sink.event("MODIFIED", this.present(type, change.object));
      else if (now) sink.event("ADDED", this.present(type, change.object));
      else if (before) sink.event("DELETED", this.present(type, change.object));
    };
    if (fromScratch) {
      for (const obj of this.store.peek(type.storage, type.namespaced ? namespace : undefined)) {
        if (matches(obj)) sink.event("ADDED", this.present(type, obj));
      }
      if (options.sendInitialEvents && options.initialEventsEndBookmark !== false) {
        sink.event("BOOKMARK", this.bookmark(type, after, { "k8s.io/initial-events-end": "true" }));
      }
    } else {
      const backlog = this.store.changesSince(after);
      if (backlog === undefined) {
        sink.event("ERROR", resourceVersionTooOld(rv, this.store.compactedVersion + 1).status);
        sink.end();
        return { stop: () => undefined };
      }
      for (const change of backlog) forward(change);
    }
    const unsubscribe = this.store.subscribe(forward);
    return { stop: unsubscribe };
  }

  /** Fails with `internalError` wrapping anything that is not an API status already. */
  static toStatusError(e: unknown): ApiStatusError {
    return e instanceof ApiStatusError ? e : internalError(e);
  }
}
