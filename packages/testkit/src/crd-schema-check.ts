/**
 * What kube-apiserver does with a custom resource and its CRD's structural schema
 * (`openAPIV3Schema`): prune fields the schema does not declare (unless
 * `x-kubernetes-preserve-unknown-fields`), drop nulls of fields that are not `nullable`, fill
 * `default`s, then validate — types (with `x-kubernetes-int-or-string`), `format`, `enum`,
 * `required`, bounds, lengths, `pattern`, item and property counts, `anyOf`/`allOf`/`oneOf`/`not`,
 * and `x-kubernetes-list-type` set/map uniqueness. Error texts follow the server's validator
 * (k8s.io/kube-openapi), including its quirks, because clients show them and tests match them:
 * a fractional number in an int-or-string field reads
 * `Invalid value: "number": spec.x in body must be of type integer,string: "number"`, followed
 * by the anyOf errors with the field `<nil>`.
 *
 * Not evaluated: `x-kubernetes-validations` (CEL rules) and `x-kubernetes-embedded-resource`
 * metadata checks. The server orders sibling fields' errors randomly (Go map order); this module
 * reports them in alphabetical order.
 */
import { FieldErrorType, requiredValue, unsupportedValue, type FieldError } from "./api-status-error";
import { deepClone, deepEqual, isJsonObject, type JsonObject } from "./json-value";
import type { SchemaCheck } from "./schema-check";

type Schema = JsonObject;

/** The fields every object has whatever its schema says; metadata is checked as ObjectMeta. */
const ROOT_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

function schemaAt(schema: Schema, key: string): Schema | undefined {
  const value = schema[key];
  return isJsonObject(value) ? value : undefined;
}

function propertiesOf(schema: Schema): Record<string, Schema> {
  const props = schemaAt(schema, "properties") ?? {};
  return Object.fromEntries(Object.entries(props).filter((e): e is [string, Schema] => isJsonObject(e[1])));
}

function branches(schema: Schema, key: "anyOf" | "allOf" | "oneOf"): Schema[] {
  const list = schema[key];
  return Array.isArray(list) ? list.filter(isJsonObject) : [];
}

function preservesUnknown(schema: Schema): boolean {
  return schema["x-kubernetes-preserve-unknown-fields"] === true || schema["x-kubernetes-embedded-resource"] === true;
}

function isIntOrString(schema: Schema): boolean {
  return schema["x-kubernetes-int-or-string"] === true;
}

/** The schema of a map's values (`additionalProperties: {...}`), if any. */
function valuesSchema(schema: Schema): Schema | undefined {
  return schemaAt(schema, "additionalProperties");
}

// ---- pruning, nulls and defaults -------------------------------------------------------------

/** Removes undeclared fields from `value` (in place), recording their paths. */
function prune(value: unknown, schema: Schema, path: string, unknown: string[], root = false): void {
  if (Array.isArray(value)) {
    const items = schemaAt(schema, "items");
    if (items) value.forEach((item, i) => prune(item, items, `${path}[${i}]`, unknown));
    return;
  }
  if (!isJsonObject(value)) return;
  const props = propertiesOf(schema);
  const mapValues = valuesSchema(schema);
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  for (const key of Object.keys(value)) {
    const child = join(path, key);
    if ((root || embedded) && ROOT_FIELDS.has(key)) continue;
    const declared = props[key] ?? mapValues;
    if (declared) prune(value[key], declared, child, unknown);
    else if (!preservesUnknown(schema) && schema.additionalProperties !== true) {
      unknown.push(child);
      delete value[key];
    }
  }
}

/** Drops nulls of fields that are not nullable and have no default, fills defaults (in place). */
function defaults(value: unknown, schema: Schema): void {
  if (Array.isArray(value)) {
    const items = schemaAt(schema, "items");
    if (items) value.forEach((item) => defaults(item, items));
    return;
  }
  if (!isJsonObject(value)) return;
  const props = propertiesOf(schema);
  for (const [key, child] of Object.entries(props)) {
    if (value[key] === null && child.nullable !== true) {
      if (child.default !== undefined) value[key] = deepClone(child.default);
      else delete value[key];
    }
    if (!(key in value) && child.default !== undefined) value[key] = deepClone(child.default);
    if (key in value) defaults(value[key], child);
  }
  const mapValues = valuesSchema(schema);
  if (mapValues) {
    for (const key of Object.keys(value)) {
      if (props[key]) continue;
      if (value[key] === null && mapValues.nullable !== true) delete value[key];
      else defaults(value[key], mapValues);
    }
  }
}

// ---- validation ------------------------------------------------------------------------------

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The JSON type name the validator infers for a value (integral numbers are `integer`). */
function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "object") return "object";
  return typeof value;
}

/** Go's `%v` of a JSON value in a message (numbers and booleans bare). */
function goValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An error whose cause has no field (`<nil>`) and an empty value, as the server reports schema-combinator failures. */
function unplaced(message: string): FieldError {
  return { type: FieldErrorType.Invalid, field: "<nil>", message: `Invalid value: "": ${message}` };
}

function invalidAt(field: string, value: unknown, detail: string, type: FieldErrorType = FieldErrorType.Invalid): FieldError {
  const shown = typeof value === "string" ? JSON.stringify(value) : value === undefined ? '""' : goValue(value);
  return { type, field, message: `Invalid value: ${shown}: ${detail}` };
}

const INT32 = { min: -2147483648, max: 2147483647 };

const FORMAT_CHECKS: Record<string, (s: string) => boolean> = {
  "date-time": isDateTime,
  datetime: isDateTime,
  date: isDate,
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(s),
  ipv6: (s) => s.includes(":") && /^[0-9a-fA-F:.]+$/.test(s),
  cidr: (s) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(s),
  hostname: (s) => s.length <= 255 && /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
  mac: (s) => /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s),
  duration: (s) => /^([+-]?\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$/.test(s),
};

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** kube-openapi's IsDateTime: a full date, `t`, then hh:mm:ss[.frac](z|±hh:mm), case-insensitive. */
function isDateTime(s: string): boolean {
  const parts = s.toLowerCase().split("t");
  if (s.length < 4 || parts.length < 2 || !isDate(parts[0] ?? "")) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1] ?? "");
  return m !== null && (m[1] ?? "") <= "23" && (m[2] ?? "") <= "59" && (m[3] ?? "") <= "59";
}

function expectedTypes(schema: Schema): string[] {
  if (isIntOrString(schema)) return ["integer", "string"];
  return typeof schema.type === "string" && schema.type !== "" ? [schema.type] : [];
}

function validateNode(value: unknown, schema: Schema, path: string, errors: FieldError[]): void {
  const types = expectedTypes(schema);
  const actual = typeName(value);
  // Type (an integer is a number too).
  if (value === null) {
    if (types.length > 0 && schema.nullable !== true) {
      errors.push(invalidAt(path, "null", `${path} in body must be of type ${types.join(",")}: "null"`, FieldErrorType.TypeInvalid));
    }
    return;
  }
  if (types.length > 0 && !types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
    const format = typeof schema.format === "string" && types.length === 1 ? schema.format : "";
    if (format && typeof value !== "string" && !Array.isArray(value)) {
      // With a format the validator names formats: the schema's and the one it infers from the data.
      const inferred = typeof value === "number" ? (Number.isInteger(value) ? "int64" : "float64") : "";
      errors.push(invalidAt(path, inferred, `${path} in body must be of type ${format}: "${inferred}"`, FieldErrorType.TypeInvalid));
    } else {
      errors.push(invalidAt(path, actual, `${path} in body must be of type ${types.join(",")}: "${actual}"`, FieldErrorType.TypeInvalid));
    }
  }
  combinators(value, schema, path, errors);
  if (typeof value === "string") strings(value, schema, path, errors);
  if (typeof value === "number") numbers(value, schema, path, errors);
  if (Array.isArray(value)) arrays(value, schema, path, errors);
  const allowed = Array.isArray(schema.enum) ? schema.enum : undefined;
  if (allowed && !allowed.some((a) => deepEqual(a, value))) {
    errors.push(unsupportedValue(path, value, allowed.map((a) => (typeof a === "string" ? a : JSON.stringify(a)))));
  }
  if (isJsonObject(value)) objects(value, schema, path, errors);
}

function combinators(value: unknown, schema: Schema, path: string, errors: FieldError[]): void {
  const run = (branch: Schema) => {
    const found: FieldError[] = [];
    validateNode(value, branch, path, found);
    return found;
  };
  const anyOf = branches(schema, "anyOf");
  if (anyOf.length > 0) {
    const results = anyOf.map(run);
    if (!results.some((r) => r.length === 0)) {
      errors.push(unplaced(`"${path}" must validate at least one schema (anyOf)`));
      // The server keeps the errors of the branch that got furthest; with equal progress, the first.
      errors.push(...(results[0] ?? []));
    }
  }
  const oneOf = branches(schema, "oneOf");
  if (oneOf.length > 0) {
    const results = oneOf.map(run);
    const valid = results.filter((r) => r.length === 0).length;
    if (valid !== 1) {
      errors.push(unplaced(`"${path}" must validate one and only one schema (oneOf). ${valid === 0 ? "Found none valid" : `Found ${valid} valid alternatives`}`));
      if (valid === 0) errors.push(...(results[0] ?? []));
    }
  }
  const allOf = branches(schema, "allOf");
  if (allOf.length > 0) {
    const results = allOf.map(run);
    results.forEach((r) => errors.push(...r));
    const valid = results.filter((r) => r.length === 0).length;
    if (valid !== allOf.length) errors.push(unplaced(`"${path}" must validate all the schemas (allOf)${valid === 0 ? ". None validated" : ""}`));
  }
  const not = schemaAt(schema, "not");
  if (not && run(not).length === 0) errors.push(unplaced(`"${path}" must not validate the schema (not)`));
}

function strings(value: string, schema: Schema, path: string, errors: FieldError[]): void {
  const length = [...value].length;
  if (typeof schema.maxLength === "number" && length > schema.maxLength) {
    const unit = schema.maxLength === 1 ? "byte" : "bytes";
    errors.push({ type: FieldErrorType.TooLong, field: path, message: `Too long: may not be more than ${schema.maxLength} ${unit}` });
  }
  if (typeof schema.minLength === "number" && length < schema.minLength) {
    errors.push(invalidAt(path, value, `${path} in body should be at least ${schema.minLength} chars long`));
  }
  if (typeof schema.pattern === "string") {
    let matches = true;
    try {
      matches = new RegExp(schema.pattern, "u").test(value);
    } catch {
      // A pattern JavaScript cannot compile (Go's RE2 syntax differs a little) is not enforced.
    }
    if (!matches) errors.push(invalidAt(path, value, `${path} in body should match '${schema.pattern}'`));
  }
  const format = typeof schema.format === "string" ? schema.format : "";
  const check = FORMAT_CHECKS[format];
  if (check && expectedTypes(schema).length <= 1 && !check(value)) {
    errors.push(invalidAt(path, value, `${path} in body must be of type ${format}: ${JSON.stringify(value)}`, FieldErrorType.TypeInvalid));
  }
}

function numbers(value: number, schema: Schema, path: string, errors: FieldError[]): void {
  if (schema.type === "integer") {
    const format = schema.format === "int32" || schema.format === "int64" ? schema.format : "";
    if (!Number.isInteger(value) || (format === "int32" && (value < INT32.min || value > INT32.max))) {
      errors.push(unplaced(`Checked value must be of type integer ${format ? `with format ${format}` : "(default format)"} in ${path}`));
    }
  }
  if (typeof schema.multipleOf === "number" && schema.multipleOf > 0 && !Number.isInteger(value / schema.multipleOf)) {
    errors.push(invalidAt(path, value, `${path} in body should be a multiple of ${goValue(schema.multipleOf)}`));
  }
  if (typeof schema.minimum === "number") {
    const exclusive = schema.exclusiveMinimum === true;
    if (exclusive ? value <= schema.minimum : value < schema.minimum) {
      errors.push(invalidAt(path, value, `${path} in body should be greater than ${exclusive ? "" : "or equal to "}${goValue(schema.minimum)}`));
    }
  }
  if (typeof schema.maximum === "number") {
    const exclusive = schema.exclusiveMaximum === true;
    if (exclusive ? value >= schema.maximum : value > schema.maximum) {
      errors.push(invalidAt(path, value, `${path} in body should be less than ${exclusive ? "" : "or equal to "}${goValue(schema.maximum)}`));
    }
  }
}

function arrays(value: unknown[], schema: Schema, path: string, errors: FieldError[]): void {
  if (typeof schema.minItems === "number" && value.length < schema.minItems) {
    errors.push(invalidAt(path, value.length, `${path} in body should have at least ${schema.minItems} items`));
  }
  if (typeof schema.maxItems === "number" && value.length > schema.maxItems) {
    const unit = schema.maxItems === 1 ? "item" : "items";
    errors.push({ type: FieldErrorType.TooMany, field: path, message: `Too many: ${value.length}: must have at most ${schema.maxItems} ${unit}` });
  }
  const items = schemaAt(schema, "items");
  if (items) value.forEach((item, i) => validateNode(item, items, `${path}[${i}]`, errors));
  listType(value, schema, path, errors);
}

/** `x-kubernetes-list-type`: a set has no duplicates, a map no two items with the same keys. */
function listType(value: unknown[], schema: Schema, path: string, errors: FieldError[]): void {
  const kind = schema["x-kubernetes-list-type"];
  if (kind === "set") {
    value.forEach((item, i) => {
      if (value.findIndex((other) => deepEqual(other, item)) < i) {
        errors.push({ type: FieldErrorType.Duplicate, field: `${path}[${i}]`, message: `Duplicate value: ${JSON.stringify(item)}` });
      }
    });
  } else if (kind === "map") {
    const keys = Array.isArray(schema["x-kubernetes-list-map-keys"]) ? schema["x-kubernetes-list-map-keys"].map(String) : [];
    const keyOf = (item: unknown) => (isJsonObject(item) ? Object.fromEntries(keys.map((k) => [k, item[k] ?? null])) : item);
    value.forEach((item, i) => {
      if (value.findIndex((other) => deepEqual(keyOf(other), keyOf(item))) < i) {
        errors.push({ type: FieldErrorType.Duplicate, field: `${path}[${i}]`, message: `Duplicate value: ${JSON.stringify(keyOf(item))}` });
      }
    });
  }
}

function objects(value: JsonObject, schema: Schema, path: string, errors: FieldError[]): void {
  const count = Object.keys(value).length;
  if (typeof schema.minProperties === "number" && count < schema.minProperties) {
    errors.push(invalidAt(path, count, `${path} in body should have at least ${schema.minProperties} properties`));
  }
  if (typeof schema.maxProperties === "number" && count > schema.maxProperties) {
    errors.push({ type: FieldErrorType.TooMany, field: path, message: `Too many: ${count}: must have at most ${schema.maxProperties} items` });
  }
  const props = propertiesOf(schema);
  const mapValues = valuesSchema(schema);
  for (const key of Object.keys(value).sort()) {
    if (path === "" && ROOT_FIELDS.has(key)) continue;
    const child = props[key] ?? mapValues;
    if (child) validateNode(value[key], child, join(path, key), errors);
  }
  const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
  for (const key of required) if (!(key in value)) errors.push(requiredValue(join(path, key)));
}

/** The value at a field path such as `spec.items[0].name`, or undefined. */
function valueAtPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (part.startsWith("[")) cur = Array.isArray(cur) ? cur[Number(part.slice(1, -1))] : undefined;
    else cur = isJsonObject(cur) ? cur[part] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/**
 * Validation ratcheting (on by default since Kubernetes 1.30): an update may keep a value that
 * no longer validates as long as it does not change it. Drops the errors at unchanged fields.
 */
export function ratchet(errors: readonly FieldError[], obj: JsonObject, old: JsonObject): FieldError[] {
  return errors.filter((e) => {
    if (e.field === "<nil>" || e.field === "") return true;
    const before = valueAtPath(old, e.field);
    return before === undefined || !deepEqual(before, valueAtPath(obj, e.field));
  });
}

/**
 * The {@link SchemaCheck} of one version of a CRD, from its `openAPIV3Schema`: pruning (the
 * unknown fields are reported for warnings or Strict refusals), null dropping, defaults, then
 * validation of the pruned and defaulted object.
 */
export function crdSchemaCheck(openAPIV3Schema: JsonObject): SchemaCheck {
  return (obj, options = {}) => {
    const value = deepClone(obj);
    const unknownFields: string[] = [];
    prune(value, openAPIV3Schema, "", unknownFields, true);
    defaults(value, openAPIV3Schema);
    const errors: FieldError[] = [];
    const statusSchema = propertiesOf(openAPIV3Schema).status;
    if (options.subresource === "status") {
      // A status write is checked against the status schema alone: the messages name the fields
      // from there (`startTime in body`), the causes from the object (`status.startTime`).
      if (statusSchema && value.status !== undefined) validateNode(value.status, statusSchema, "", errors);
      return { unknownFields, errors: errors.map((e) => (e.field === "<nil>" ? e : { ...e, field: join("status", e.field) })), value };
    }
    validateNode(value, openAPIV3Schema, "", errors);
    return { unknownFields, errors, value };
  };
}
