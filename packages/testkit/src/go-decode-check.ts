/**
 * The type errors kube-apiserver's JSON decoder (Go's encoding/json into the API structs) reports
 * before any validation: a value of the wrong JSON type in a typed field is a 400
 * `Job in version "v1" cannot be handled as a Job: json: cannot unmarshal string into Go struct
 * field JobSpec.spec.backoffLimit of type int32`. testkit knows the Go types of object metadata
 * and of the fields the project writes in built-in kinds (Jobs and their pod templates, Pods,
 * ConfigMaps, Secrets); other fields are not type-checked.
 */
import { isJsonObject } from "./json-value";

/** A Go type: a scalar, a slice, a map with string keys, or a struct with named fields. */
type GoType =
  | { kind: "string" | "bool" | "int32" | "int64"; name?: string }
  | { kind: "slice"; of: GoType; name: string }
  | { kind: "map"; of: GoType; name: string }
  | { kind: "struct"; name: string; fields: () => Record<string, GoType> };

const string = (name?: string): GoType => ({ kind: "string", ...(name ? { name } : {}) });
const int32: GoType = { kind: "int32" };
const int64: GoType = { kind: "int64" };
const bool: GoType = { kind: "bool" };
const strings: GoType = { kind: "slice", of: string(), name: "[]string" };
const stringMap: GoType = { kind: "map", of: string(), name: "map[string]string" };
const struct = (name: string, fields: () => Record<string, GoType>): GoType => ({ kind: "struct", name, fields });

const OBJECT_META = struct("ObjectMeta", () => ({
  name: string(),
  generateName: string(),
  namespace: string(),
  resourceVersion: string(),
  labels: stringMap,
  annotations: stringMap,
  finalizers: strings,
}));

const ENV_VAR = struct("EnvVar", () => ({ name: string(), value: string() }));
const CONTAINER = struct("Container", () => ({
  name: string(),
  image: string(),
  command: strings,
  args: strings,
  workingDir: string(),
  env: { kind: "slice", of: ENV_VAR, name: "[]v1.EnvVar" },
  imagePullPolicy: string("v1.PullPolicy"),
}));
const containers: GoType = { kind: "slice", of: CONTAINER, name: "[]v1.Container" };
const POD_SPEC = struct("PodSpec", () => ({
  restartPolicy: string("v1.RestartPolicy"),
  serviceAccountName: string(),
  nodeName: string(),
  containers,
  initContainers: containers,
  activeDeadlineSeconds: int64,
  terminationGracePeriodSeconds: int64,
}));
const POD_TEMPLATE = struct("PodTemplateSpec", () => ({ metadata: OBJECT_META, spec: POD_SPEC }));
const JOB_SPEC = struct("JobSpec", () => ({
  parallelism: int32,
  completions: int32,
  activeDeadlineSeconds: int64,
  backoffLimit: int32,
  backoffLimitPerIndex: int32,
  maxFailedIndexes: int32,
  ttlSecondsAfterFinished: int32,
  suspend: bool,
  manualSelector: bool,
  completionMode: string("batchv1.CompletionMode"),
  template: POD_TEMPLATE,
}));

/** The Go struct of each kind that has typed fields here, by `group/Kind`. */
const KINDS: Record<string, GoType> = {
  "batch/Job": struct("Job", () => ({ metadata: OBJECT_META, spec: JOB_SPEC })),
  "/Pod": struct("Pod", () => ({ metadata: OBJECT_META, spec: POD_SPEC })),
  "/ConfigMap": struct("ConfigMap", () => ({ metadata: OBJECT_META, data: stringMap, binaryData: { kind: "map", of: string(), name: "map[string][]uint8" } })),
  "/Secret": struct("Secret", () => ({ metadata: OBJECT_META, data: { kind: "map", of: string(), name: "map[string][]uint8" }, stringData: stringMap, type: string("v1.SecretType") })),
};

/** How encoding/json names the JSON value it could not put into a Go value. */
function jsonKind(value: unknown, into: GoType): string {
  if (typeof value === "number") return into.kind === "int32" || into.kind === "int64" ? `number ${String(value)}` : "number";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : "string";
}

function typeName(type: GoType): string {
  return "name" in type && type.name ? type.name : type.kind;
}

/** The first decode error in `value` for `type`; `struct` and `path` name where it is. */
function firstError(value: unknown, type: GoType, struct: string, path: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const wrong = () => `json: cannot unmarshal ${jsonKind(value, type)} into Go struct field ${struct}.${path} of type ${typeName(type)}`;
  switch (type.kind) {
    case "string":
      return typeof value === "string" ? undefined : wrong();
    case "bool":
      return typeof value === "boolean" ? undefined : wrong();
    case "int32":
    case "int64": {
      if (typeof value !== "number") return wrong();
      const limit = type.kind === "int32" ? 2 ** 31 : 2 ** 63;
      return Number.isInteger(value) && value >= -limit && value < limit ? undefined : wrong();
    }
    case "slice":
      if (!Array.isArray(value)) return wrong();
      for (const item of value) {
        // Struct items name their own struct; scalars stay with the field's.
        const found = type.of.kind === "struct" ? firstFieldError(item, type.of, path) : firstError(item, type.of, struct, path);
        if (found) return found;
      }
      return undefined;
    case "map":
      if (!isJsonObject(value)) return wrong();
      for (const item of Object.values(value)) {
        const found = firstError(item, type.of, struct, path);
        if (found) return found;
      }
      return undefined;
    case "struct":
      return isJsonObject(value) ? firstFieldError(value, type, path) : wrong();
    default:
      return undefined;
  }
}

function firstFieldError(value: unknown, type: GoType & { kind: "struct" }, path: string): string | undefined {
  if (!isJsonObject(value)) return undefined;
  const fields = type.fields();
  // encoding/json reports the first mismatch in the order the fields come in the document.
  for (const [key, item] of Object.entries(value)) {
    const field = fields[key];
    if (!field || item === null) continue;
    const at = path ? `${path}.${key}` : key;
    let found: string | undefined;
    if (field.kind !== "struct") found = firstError(item, field, type.name, at);
    else if (!isJsonObject(item)) found = `json: cannot unmarshal ${jsonKind(item, field)} into Go struct field ${type.name}.${at} of type v1.${field.name}`;
    else found = firstFieldError(item, field, at);
    if (found) return found;
  }
  return undefined;
}

/**
 * The decoder's error for a body of `kind` (in `group`), if a typed field holds a value of the
 * wrong JSON type. Custom resources have typed metadata only (named from `metadata`).
 */
export function goDecodeError(group: string, kind: string, body: Record<string, unknown>, custom: boolean): string | undefined {
  const meta = OBJECT_META as GoType & { kind: "struct" };
  // A custom resource's metadata is decoded on its own, so the paths start inside it.
  if (custom) return firstFieldError(body.metadata, meta, "");
  const type = KINDS[`${group}/${kind}`];
  if (!type || type.kind !== "struct") return firstFieldError(body.metadata, meta, "metadata");
  return firstFieldError(body, type, "");
}
