/**
 * The schemas testkit publishes at /openapi: for custom resources their CRD's `openAPIV3Schema`
 * (with apiVersion, kind and metadata added, as kube-apiserver does); for the built-in kinds and
 * the meta types, short schemas written for testkit (top-level fields with their types, nested
 * specs as open objects). Enough for `kubectl explain`, and for kubectl to see which query
 * parameters and patch types a resource takes; not the Kubernetes type documentation.
 */
import type { JsonObject } from "./json-value";
import type { ResourceType } from "./resource-type";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const str = (description: string, format?: string): JsonObject => ({ type: "string", description, ...(format ? { format } : {}) });
const int = (description: string): JsonObject => ({ type: "integer", format: "int32", description });
const bool = (description: string): JsonObject => ({ type: "boolean", description });
const strings = (description: string): JsonObject => ({ type: "array", description, items: { type: "string", default: "" } });
const stringMap = (description: string): JsonObject => ({ type: "object", description, additionalProperties: { type: "string", default: "" } });
const open = (description: string): JsonObject => ({ type: "object", description, "x-kubernetes-preserve-unknown-fields": true });
const obj = (description: string, properties: JsonObject, required?: string[]): JsonObject => ({
  type: "object",
  description,
  properties,
  ...(required ? { required } : {}),
});

/** The meta types every document references. */
export function metaSchemas(): Record<string, JsonObject> {
  return {
    [`${META}.ObjectMeta`]: obj("Metadata every persisted object has.", {
      name: str("Name of the object, unique in its namespace."),
      generateName: str("Prefix of a name the server generates when name is empty."),
      namespace: str("Namespace of the object; empty for cluster-scoped kinds."),
      uid: str("Unique identifier the server assigns at creation."),
      resourceVersion: str("Version of the object, for optimistic concurrency and watches."),
      generation: { type: "integer", format: "int64", description: "Sequence number of changes to the desired state." },
      creationTimestamp: { ...ref(`${META}.Time`), description: "When the object was created." },
      deletionTimestamp: { ...ref(`${META}.Time`), description: "When the object was asked to be deleted." },
      deletionGracePeriodSeconds: { type: "integer", format: "int64", description: "Seconds allowed for graceful deletion." },
      labels: stringMap("Key/value labels for selecting objects."),
      annotations: stringMap("Key/value annotations for tools."),
      ownerReferences: { type: "array", description: "Objects this object depends on.", items: { default: {}, ...ref(`${META}.OwnerReference`) } },
      finalizers: strings("Conditions that must be cleared before the object is deleted."),
      managedFields: { type: "array", description: "Which field manager owns which fields.", items: { default: {}, ...ref(`${META}.ManagedFieldsEntry`) } },
    }),
    [`${META}.OwnerReference`]: obj(
      "A reference to an owning object.",
      {
        apiVersion: str("API version of the owner."),
        kind: str("Kind of the owner."),
        name: str("Name of the owner."),
        uid: str("UID of the owner."),
        controller: bool("Whether the owner is the managing controller."),
        blockOwnerDeletion: bool("Whether the owner waits for this object in foreground deletion."),
      },
      ["apiVersion", "kind", "name", "uid"],
    ),
    [`${META}.ManagedFieldsEntry`]: obj("The fields one manager owns.", {
      manager: str("Name of the field manager."),
      operation: str("Apply or Update."),
      apiVersion: str("Version of the fields."),
      time: ref(`${META}.Time`),
      fieldsType: str("Format of fieldsV1."),
      fieldsV1: open("The owned fields."),
      subresource: str("Subresource the fields were written through."),
    }),
    [`${META}.Time`]: { type: "string", format: "date-time", description: "A timestamp in RFC 3339 form." },
    [`${META}.ListMeta`]: obj("Metadata of a list.", {
      resourceVersion: str("Version of the collection, to watch from."),
      continue: str("Token for the next page."),
      remainingItemCount: { type: "integer", format: "int64", description: "Items after this page." },
    }),
    [`${META}.Status`]: obj("The result of a call that returns no object.", {
      apiVersion: str("Versioned schema of this representation."),
      kind: str("Status."),
      status: str("Success or Failure."),
      message: str("What happened, for people."),
      reason: str("Why it happened, for programs."),
      details: open("Details of the reason."),
      code: int("HTTP status code."),
    }),
    [`${META}.Patch`]: { type: "object", description: "A patch in one of the accepted patch formats." },
    [`${META}.DeleteOptions`]: obj("Options of a delete.", {
      apiVersion: str("Versioned schema of this representation."),
      kind: str("DeleteOptions."),
      dryRun: strings("All: only validate."),
      gracePeriodSeconds: { type: "integer", format: "int64", description: "Seconds before deletion." },
      preconditions: open("uid and resourceVersion the object must have."),
      propagationPolicy: str("Orphan, Background or Foreground."),
    }),
  };
}

/** The top-level fields of the built-in kinds (beside apiVersion, kind and metadata). */
const BUILTIN_FIELDS: Record<string, { description: string; fields: JsonObject }> = {
  "/Namespace": {
    description: "A scope for names.",
    fields: { spec: obj("How the namespace behaves.", { finalizers: strings("What must happen before the namespace is removed.") }), status: obj("The namespace's state.", { phase: str("Active or Terminating."), conditions: { type: "array", items: open("A condition."), description: "Conditions of termination." } }) },
  },
  "/ConfigMap": {
    description: "Configuration data for pods to consume.",
    fields: { data: stringMap("UTF-8 configuration data."), binaryData: { type: "object", description: "Binary configuration data.", additionalProperties: { type: "string", format: "byte" } }, immutable: bool("Whether the data can no longer change.") },
  },
  "/Secret": {
    description: "Secret data, such as passwords and tokens.",
    fields: { data: { type: "object", description: "Base64-encoded secret data.", additionalProperties: { type: "string", format: "byte" } }, stringData: stringMap("Write-only plain-text data, merged into data."), type: str("Type of the secret, e.g. Opaque."), immutable: bool("Whether the data can no longer change.") },
  },
  "/ServiceAccount": {
    description: "An identity for processes in pods.",
    fields: { secrets: { type: "array", items: open("A reference to a Secret."), description: "Secrets of the account." }, imagePullSecrets: { type: "array", items: open("A reference to a Secret."), description: "Secrets for pulling images." }, automountServiceAccountToken: bool("Whether pods mount a token.") },
  },
  "/Service": { description: "A network service in front of pods.", fields: { spec: open("How the service routes traffic."), status: open("The service's state.") } },
  "/Pod": { description: "A group of containers on one node.", fields: { spec: open("The pod's containers and how they run."), status: open("The pod's state.") } },
  "/Event": {
    description: "A report of something that happened to an object.",
    fields: {
      involvedObject: open("The object the event is about."),
      reason: str("Short, machine-readable reason."),
      message: str("What happened, for people."),
      type: str("Normal or Warning."),
      source: open("Who reported the event."),
      count: int("How many times it happened."),
      firstTimestamp: ref(`${META}.Time`),
      lastTimestamp: ref(`${META}.Time`),
      eventTime: { type: "string", format: "date-time", description: "When it happened, in microseconds." },
      reportingComponent: str("Controller that reported it."),
      reportingInstance: str("Instance of that controller."),
      action: str("What was done."),
      related: open("A second object involved."),
      series: open("Repetitions of the event."),
    },
  },
  "events.k8s.io/Event": {
    description: "A report of something that happened to an object.",
    fields: {
      regarding: open("The object the event is about."),
      reason: str("Short, machine-readable reason."),
      note: str("What happened, for people."),
      type: str("Normal or Warning."),
      eventTime: { type: "string", format: "date-time", description: "When it happened, in microseconds." },
      reportingController: str("Controller that reported it."),
      reportingInstance: str("Instance of that controller."),
      action: str("What was done."),
      series: open("Repetitions of the event."),
      related: open("A second object involved."),
      deprecatedCount: int("How many times it happened (core/v1 count)."),
      deprecatedFirstTimestamp: ref(`${META}.Time`),
      deprecatedLastTimestamp: ref(`${META}.Time`),
      deprecatedSource: open("Who reported the event (core/v1 source)."),
    },
  },
  "apps/Deployment": { description: "Declarative updates of replicated pods.", fields: { spec: open("The desired pods and how to roll them out."), status: open("The deployment's state.") } },
  "batch/Job": { description: "Pods that run to completion.", fields: { spec: open("The pods to run and how often they may fail."), status: open("The job's state.") } },
  "coordination.k8s.io/Lease": {
    description: "A lease, e.g. for leader election.",
    fields: {
      spec: obj("The lease.", {
        holderIdentity: str("Who holds the lease."),
        leaseDurationSeconds: int("How long a holder keeps it without renewing."),
        acquireTime: { type: "string", format: "date-time", description: "When the holder acquired it." },
        renewTime: { type: "string", format: "date-time", description: "When the holder last renewed it." },
        leaseTransitions: int("How many times it changed holders."),
      }),
    },
  },
  "apiextensions.k8s.io/CustomResourceDefinition": {
    description: "A definition of a custom resource the server then serves.",
    fields: { spec: open("The group, names, scope and versions of the resource."), status: open("Whether the definition is accepted and established.") },
  },
};

/** The top-level fields of a built-in kind besides apiVersion, kind and metadata (undefined when unknown). */
export function builtinTopLevelFields(type: ResourceType): string[] | undefined {
  const own = BUILTIN_FIELDS[`${type.group}/${type.kind}`];
  return own ? Object.keys(own.fields) : undefined;
}

/** The name a schema has in `components.schemas` (`io.k8s.api.core.v1.ConfigMap`, `tools.iter8.v2alpha2.Experiment`). */
export function schemaName(type: ResourceType): string {
  if (type.custom) return `${type.group.split(".").reverse().join(".")}.${type.version}.${type.kind}`;
  if (type.group === "apiextensions.k8s.io") return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${type.version}.${type.kind}`;
  const pkg = type.group === "" ? "core" : (type.group.split(".")[0] ?? type.group);
  return `io.k8s.api.${pkg}.${type.version}.${type.kind}`;
}

/** The group/version/kind extension that ties a schema or an operation to a kind. */
export function gvk(type: ResourceType, kind = type.kind): JsonObject {
  return { group: type.group, version: type.version, kind };
}

/** The schema of one kind, with apiVersion, kind and metadata. */
export function kindSchema(type: ResourceType): JsonObject {
  const base = type.custom ? (type.openAPISchema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true }) : undefined;
  const own = BUILTIN_FIELDS[`${type.group}/${type.kind}`];
  const properties: JsonObject = {
    ...(base && typeof base.properties === "object" && base.properties !== null ? (base.properties as JsonObject) : {}),
    ...(own?.fields ?? {}),
    // Whatever a CRD says about these, the server publishes the standard ones.
    apiVersion: str("Versioned schema of this representation of the object."),
    kind: str("REST resource this object represents."),
    metadata: { default: {}, allOf: [ref(`${META}.ObjectMeta`)], description: "Standard object metadata." },
  };
  const schema: JsonObject = { ...(base ?? {}), type: "object", properties, "x-kubernetes-group-version-kind": [gvk(type)] };
  if (own) schema.description = own.description;
  return schema;
}

/** The schema of a kind's list. */
export function listSchema(type: ResourceType): JsonObject {
  return {
    type: "object",
    description: `A list of ${type.kind} objects.`,
    required: ["items"],
    properties: {
      apiVersion: str("Versioned schema of this representation of the object."),
      kind: str("REST resource this object represents."),
      metadata: { default: {}, allOf: [ref(`${META}.ListMeta`)], description: "Standard list metadata." },
      items: { type: "array", description: `The ${type.plural}.`, items: { default: {}, ...ref(schemaName(type)) } },
    },
    "x-kubernetes-group-version-kind": [gvk(type, type.listKind)],
  };
}

export { META as META_SCHEMA_PREFIX, ref as schemaRef };
