/**
 * The built-in kinds the project touches, with the defaults and validation their API server
 * strategies apply: Namespace, ConfigMap, Secret, ServiceAccount, Service, Pod, Event (core and
 * events.k8s.io), Deployment, Job, Lease and CustomResourceDefinition.
 */
import { Buffer } from "node:buffer";
import { invalidValue, requiredValue, unsupportedValue, type FieldError } from "./api-status-error";
import { deepClone, deepEqual, isJsonObject, type JsonObject } from "./json-value";
import { metadataOf, metaString, stringAt } from "./kube-object";
import { validateLabelValue } from "./object-meta-validation";
import {
  GenerationPolicy,
  PLAIN_BEHAVIOR,
  apiVersionOf,
  type FieldLabelReader,
  type KindBehavior,
  type ResourceType,
} from "./resource-type";

/** Storage key of CustomResourceDefinitions (the server registers resources when they change). */
export const CRD_STORAGE = "apiextensions.k8s.io/customresourcedefinitions";
/** Storage key of Namespaces. */
export const NAMESPACE_STORAGE = "/namespaces";
/** Storage key of Jobs. */
export const JOB_STORAGE = "batch/jobs";
/** Storage key of Pods. */
export const POD_STORAGE = "/pods";

interface Spec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  categories?: string[];
  namespaced?: boolean;
  status?: boolean;
  storage?: string;
  behavior?: Partial<KindBehavior>;
}

function resource(spec: Spec): ResourceType {
  return {
    group: spec.group,
    version: spec.version,
    apiVersion: apiVersionOf(spec.group, spec.version),
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    namespaced: spec.namespaced ?? true,
    statusSubresource: spec.status ?? false,
    custom: false,
    storage: spec.storage ?? `${spec.group}/${spec.plural}`,
    behavior: { ...PLAIN_BEHAVIOR, ...spec.behavior },
  };
}

function labels(paths: readonly string[]): Record<string, FieldLabelReader> {
  return Object.fromEntries(paths.map((p) => [p, (obj: JsonObject) => stringAt(obj, p)]));
}

function child(obj: JsonObject, key: string): JsonObject {
  if (!isJsonObject(obj[key])) obj[key] = {};
  return obj[key] as JsonObject;
}

// ---- Pods and pod templates --------------------------------------------------------------------

function defaultContainer(c: unknown): void {
  if (!isJsonObject(c)) return;
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  if (c.imagePullPolicy === undefined && typeof c.image === "string") {
    const tag = /:([^/:]+)$/.exec(c.image.split("@")[0] ?? "")?.[1];
    c.imagePullPolicy = tag === undefined || tag === "latest" ? "Always" : "IfNotPresent";
  }
  c.resources ??= {};
}

function defaultPodSpec(spec: JsonObject, restartPolicy: string | undefined): void {
  if (restartPolicy !== undefined) spec.restartPolicy ??= restartPolicy;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  for (const list of ["initContainers", "containers"]) {
    const containers = spec[list];
    if (Array.isArray(containers)) containers.forEach(defaultContainer);
  }
}

function validateContainers(path: string, spec: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    errors.push(requiredValue(`${path}.containers`));
    return errors;
  }
  const seen = new Set<string>();
  for (const list of ["initContainers", "containers"]) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c, i) => {
      const at = `${path}.${list}[${i}]`;
      if (!isJsonObject(c)) {
        errors.push(invalidValue(at, c, "must be an object"));
        return;
      }
      if (typeof c.name !== "string" || c.name === "") errors.push(requiredValue(`${at}.name`));
      else if (seen.has(c.name)) errors.push({ type: "FieldValueDuplicate", field: `${at}.name`, message: `Duplicate value: "${c.name}"` });
      else seen.add(c.name);
      if (typeof c.image !== "string" || c.image === "") errors.push(requiredValue(`${at}.image`));
      for (const key of ["command", "args"]) {
        const v = c[key];
        if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === "string"))) {
          errors.push(invalidValue(`${at}.${key}`, v, "must be a list of strings"));
        }
      }
    });
  }
  return errors;
}

const POD_PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];

const podBehavior: Partial<KindBehavior> = {
  deleteReturnsObject: true,
  fieldLabels: labels(["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP"]),
  prepareForCreate(obj) {
    const spec = child(obj, "spec");
    defaultPodSpec(spec, "Always");
    obj.status = { phase: "Pending", qosClass: "BestEffort" };
  },
  validate(obj) {
    const spec = isJsonObject(obj.spec) ? obj.spec : {};
    const errors = validateContainers("spec", spec);
    const phase = isJsonObject(obj.status) ? obj.status.phase : undefined;
    if (phase !== undefined && !POD_PHASES.includes(String(phase))) errors.push(unsupportedValue("status.phase", phase, POD_PHASES));
    return errors;
  },
};

// ---- Jobs ----------------------------------------------------------------------------------------

const JOB_RESTART_POLICIES = ["OnFailure", "Never"];

const jobBehavior: Partial<KindBehavior> = {
  generation: GenerationPolicy.Spec,
  // batch/v1 keeps the v1 default of orphaning pods when a client names no propagation policy.
  orphanDependentsByDefault: true,
  fieldLabels: labels(["status.successful"]),
  prepareForCreate(obj) {
    const meta = metadataOf(obj);
    const uid = String(meta.uid ?? "");
    const name = String(meta.name ?? "");
    const spec = child(obj, "spec");
    if (spec.parallelism === undefined && spec.completions === undefined) {
      spec.parallelism = 1;
      spec.completions = 1;
    }
    spec.parallelism ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= "NonIndexed";
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= "TerminatingOrFailed";
    const template = child(spec, "template");
    const templateMeta = child(template, "metadata");
    const podLabels: Record<string, string> = {
      ...(isJsonObject(templateMeta.labels) ? (templateMeta.labels as Record<string, string>) : {}),
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": name,
      "controller-uid": uid,
      "job-name": name,
    };
    templateMeta.labels = podLabels;
    spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
    // A Job without labels of its own takes its pod template's labels (batch/v1 defaulting).
    if (!isJsonObject(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...podLabels };
    defaultPodSpec(child(template, "spec"), undefined);
    obj.status = {};
  },
  prepareForUpdate(obj, old) {
    obj.status = deepClone(old.status ?? {});
  },
  validate(obj, old) {
    const errors: FieldError[] = [];
    const spec = isJsonObject(obj.spec) ? obj.spec : {};
    const template = isJsonObject(spec.template) ? spec.template : {};
    const podSpec = isJsonObject(template.spec) ? template.spec : {};
    errors.push(...validateContainers("spec.template.spec", podSpec));
    const restart = podSpec.restartPolicy;
    if (restart === undefined) errors.push(requiredValue("spec.template.spec.restartPolicy", 'valid values: "OnFailure", "Never"'));
    else if (!JOB_RESTART_POLICIES.includes(String(restart))) errors.push(unsupportedValue("spec.template.spec.restartPolicy", restart, JOB_RESTART_POLICIES));
    // The job name becomes a label value on its pods, so it has the label length limit.
    errors.push(...validateLabelValue("spec.template.labels", metaString(obj, "name")));
    for (const field of ["backoffLimit", "activeDeadlineSeconds", "parallelism", "completions"]) {
      const v = spec[field];
      if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < (field === "activeDeadlineSeconds" ? 1 : 0))) {
        errors.push(invalidValue(`spec.${field}`, v, field === "activeDeadlineSeconds" ? "must be greater than 0" : "must be greater than or equal to 0"));
      }
    }
    if (old) {
      const oldSpec = isJsonObject(old.spec) ? old.spec : {};
      for (const field of ["template", "selector", "completions", "completionMode"]) {
        if (!deepEqual(spec[field], oldSpec[field])) errors.push(invalidValue(`spec.${field}`, spec[field], "field is immutable"));
      }
    }
    return errors;
  },
};

// ---- Namespaces, Secrets, Events, CRDs ------------------------------------------------------------

const namespaceBehavior: Partial<KindBehavior> = {
  deleteReturnsObject: true,
  fieldLabels: labels(["status.phase"]),
  prepareForCreate(obj) {
    const meta = metadataOf(obj);
    meta.labels = { ...(isJsonObject(meta.labels) ? meta.labels : {}), "kubernetes.io/metadata.name": String(meta.name ?? "") };
    const spec = child(obj, "spec");
    spec.finalizers ??= ["kubernetes"];
    obj.status = { phase: "Active" };
  },
  prepareForUpdate(obj, old) {
    const meta = metadataOf(obj);
    meta.labels = { ...(isJsonObject(meta.labels) ? meta.labels : {}), "kubernetes.io/metadata.name": String(meta.name ?? "") };
    obj.spec = deepClone(old.spec);
  },
};

function foldStringData(obj: JsonObject): void {
  const stringData = obj.stringData;
  if (isJsonObject(stringData)) {
    const data = child(obj, "data");
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
  }
  delete obj.stringData;
  obj.type ??= "Opaque";
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const secretBehavior: Partial<KindBehavior> = {
  fieldLabels: labels(["type"]),
  prepareForCreate: foldStringData,
  prepareForUpdate: foldStringData,
  validate(obj, old) {
    const errors: FieldError[] = [];
    const data = obj.data;
    if (isJsonObject(data)) {
      for (const [k, v] of Object.entries(data)) {
        if (typeof v !== "string" || !BASE64.test(v)) errors.push(invalidValue(`data[${k}]`, v, "illegal base64 data"));
      }
    }
    if (old && old.type !== obj.type) errors.push(invalidValue("type", obj.type, "field is immutable"));
    return errors;
  },
};

const EVENT_FIELD_LABELS = [
  "involvedObject.kind",
  "involvedObject.namespace",
  "involvedObject.name",
  "involvedObject.uid",
  "involvedObject.apiVersion",
  "involvedObject.resourceVersion",
  "involvedObject.fieldPath",
  "reason",
  "reportingComponent",
  "source",
  "type",
];

function readEventField(obj: JsonObject, label: string): string {
  if (label === "source") return stringAt(obj, "source.component");
  return stringAt(obj, label);
}

const coreEventBehavior: Partial<KindBehavior> = {
  // Event recorders PUT events they have not created yet.
  allowCreateOnUpdate: true,
  fieldLabels: Object.fromEntries(EVENT_FIELD_LABELS.map((l) => [l, (obj: JsonObject) => readEventField(obj, l)])),
  validate(obj) {
    const errors: FieldError[] = [];
    const involved = obj.involvedObject;
    const ns = metaString(obj, "namespace");
    if (isJsonObject(involved) && typeof involved.namespace === "string" && involved.namespace !== "" && involved.namespace !== ns) {
      errors.push(invalidValue("involvedObject.namespace", involved.namespace, "does not match event.namespace"));
    }
    return errors;
  },
};

/** events.k8s.io/v1 field ↔ core/v1 field; the server stores the core form. */
const EVENT_FIELD_MAP: readonly [string, string][] = [
  ["regarding", "involvedObject"],
  ["note", "message"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
  ["reportingController", "reportingComponent"],
];

function renameFields(obj: JsonObject, pairs: readonly [string, string][]): JsonObject {
  const out = deepClone(obj);
  for (const [from, to] of pairs) {
    if (from in out) {
      out[to] = out[from];
      delete out[from];
    }
  }
  return out;
}

const eventsV1Behavior: Partial<KindBehavior> = {
  ...coreEventBehavior,
  fieldLabels: {
    ...coreEventBehavior.fieldLabels,
    ...Object.fromEntries(
      ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"].map((f) => [
        `regarding.${f}`,
        (obj: JsonObject) => stringAt(obj, `involvedObject.${f}`),
      ]),
    ),
    reportingController: (obj: JsonObject) => stringAt(obj, "reportingComponent"),
  },
  toStorage: (obj) => renameFields(obj, EVENT_FIELD_MAP),
  fromStorage: (obj) => renameFields(obj, EVENT_FIELD_MAP.map(([a, b]) => [b, a] as [string, string])),
  validate(obj) {
    const errors: FieldError[] = [];
    // Checked on the stored (core) form: eventTime and the reporting fields are required in events.k8s.io/v1.
    if (obj.eventTime === undefined || obj.eventTime === null) errors.push(requiredValue("eventTime"));
    if (typeof obj.reportingComponent !== "string" || obj.reportingComponent === "") errors.push(requiredValue("reportingController"));
    if (typeof obj.reportingInstance !== "string" || obj.reportingInstance === "") errors.push(requiredValue("reportingInstance"));
    return errors.concat(coreEventBehavior.validate?.(obj, undefined) ?? []);
  },
};

function validateCrd(obj: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  const spec = isJsonObject(obj.spec) ? obj.spec : {};
  const names = isJsonObject(spec.names) ? spec.names : {};
  const group = spec.group;
  if (typeof group !== "string" || group === "") errors.push(requiredValue("spec.group"));
  else if (!group.includes(".")) errors.push(invalidValue("spec.group", group, "should be a domain with at least one dot"));
  for (const field of ["plural", "kind"]) {
    if (typeof names[field] !== "string" || names[field] === "") errors.push(requiredValue(`spec.names.${field}`));
  }
  if (typeof names.plural === "string" && typeof group === "string" && metaString(obj, "name") !== `${names.plural}.${group}`) {
    errors.push(invalidValue("metadata.name", metaString(obj, "name"), 'must be spec.names.plural+"."+spec.group'));
  }
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster") errors.push(unsupportedValue("spec.scope", spec.scope, ["Cluster", "Namespaced"]));
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isJsonObject) : [];
  if (versions.length === 0) errors.push(invalidValue("spec.versions", spec.versions, "must have exactly one version marked as storage version"));
  else if (versions.filter((v) => v.storage === true).length !== 1) {
    errors.push(invalidValue("spec.versions", versions.map((v) => v.name), "must have exactly one version marked as storage version"));
  }
  versions.forEach((v, i) => {
    if (typeof v.name !== "string" || v.name === "") errors.push(requiredValue(`spec.versions[${i}].name`));
  });
  return errors;
}

const crdBehavior: Partial<KindBehavior> = {
  generation: GenerationPolicy.Spec,
  prepareForCreate(obj) {
    obj.status = {};
  },
  prepareForUpdate(obj, old) {
    obj.status = deepClone(old.status ?? {});
  },
  validate: validateCrd,
};

const deploymentBehavior: Partial<KindBehavior> = {
  generation: GenerationPolicy.Spec,
  prepareForCreate(obj) {
    const spec = child(obj, "spec");
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } };
    defaultPodSpec(child(child(spec, "template"), "spec"), "Always");
    obj.status = {};
  },
  prepareForUpdate(obj, old) {
    obj.status = deepClone(old.status ?? {});
  },
  validate(obj) {
    const spec = isJsonObject(obj.spec) ? obj.spec : {};
    const template = isJsonObject(spec.template) ? spec.template : {};
    return validateContainers("spec.template.spec", isJsonObject(template.spec) ? template.spec : {});
  },
};

/** Every built-in resource this server serves. */
export function builtinResourceTypes(): ResourceType[] {
  return [
    resource({ group: "", version: "v1", kind: "Namespace", plural: "namespaces", shortNames: ["ns"], namespaced: false, status: true, storage: NAMESPACE_STORAGE, behavior: namespaceBehavior }),
    resource({ group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", shortNames: ["cm"] }),
    resource({ group: "", version: "v1", kind: "Secret", plural: "secrets", behavior: secretBehavior }),
    resource({ group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", shortNames: ["sa"] }),
    resource({ group: "", version: "v1", kind: "Service", plural: "services", shortNames: ["svc"], categories: ["all"], status: true }),
    resource({ group: "", version: "v1", kind: "Pod", plural: "pods", shortNames: ["po"], categories: ["all"], status: true, storage: POD_STORAGE, behavior: podBehavior }),
    resource({ group: "", version: "v1", kind: "Event", plural: "events", shortNames: ["ev"], storage: "/events", behavior: coreEventBehavior }),
    resource({ group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", shortNames: ["ev"], storage: "/events", behavior: eventsV1Behavior }),
    resource({ group: "apps", version: "v1", kind: "Deployment", plural: "deployments", shortNames: ["deploy"], categories: ["all"], status: true, behavior: deploymentBehavior }),
    resource({ group: "batch", version: "v1", kind: "Job", plural: "jobs", categories: ["all"], status: true, storage: JOB_STORAGE, behavior: jobBehavior }),
    resource({ group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases" }),
    resource({
      group: "apiextensions.k8s.io",
      version: "v1",
      kind: "CustomResourceDefinition",
      plural: "customresourcedefinitions",
      shortNames: ["crd", "crds"],
      categories: ["api-extensions"],
      namespaced: false,
      status: true,
      storage: CRD_STORAGE,
      behavior: crdBehavior,
    }),
  ];
}
