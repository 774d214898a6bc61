/**
 * The checks the API server makes on `metadata` of every object: name format, label keys and
 * values, annotation size. Messages follow apimachinery's validation package.
 */
import { invalidValue, requiredValue, type FieldError } from "./api-status-error";
import { isJsonObject, type JsonObject } from "./json-value";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Errors for a name that is not a lowercase RFC 1123 subdomain (at most 253 bytes). */
export function validateSubdomainName(field: string, name: string): FieldError[] {
  if (Buffer.byteLength(name) > 253) return [invalidValue(field, name, "must be no more than 253 bytes")];
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return [
      invalidValue(
        field,
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    ];
  }
  return [];
}

/** Errors for a name that is not a lowercase RFC 1123 label (at most 63 bytes), as namespaces need. */
export function validateLabelName(field: string, name: string): FieldError[] {
  if (Buffer.byteLength(name) > 63) return [invalidValue(field, name, "must be no more than 63 bytes")];
  if (!DNS1123_LABEL.test(name)) {
    return [
      invalidValue(
        field,
        name,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ),
    ];
  }
  return [];
}

/** Errors for a label value (at most 63 characters, alphanumerics with `-`, `_`, `.` inside). */
export function validateLabelValue(field: string, value: string): FieldError[] {
  if (Buffer.byteLength(value) > 63) return [invalidValue(field, value, "must be no more than 63 bytes")];
  if (!LABEL_VALUE.test(value)) {
    return [
      invalidValue(
        field,
        value,
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ),
    ];
  }
  return [];
}

/** Errors for a label or annotation key (`[prefix/]name`). */
export function validateQualifiedKey(field: string, key: string): FieldError[] {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return [invalidValue(field, key, "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'")];
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return [
      invalidValue(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') and be no more than 63 characters",
      ),
    ];
  }
  return [];
}

/** Validates `metadata` of any object; `nameIsLabel` for kinds whose names must be DNS labels. */
export function validateObjectMeta(obj: JsonObject, nameIsLabel: boolean): FieldError[] {
  const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
  const errors: FieldError[] = [];
  const name = meta.name;
  if (typeof name !== "string" || name === "") {
    errors.push(requiredValue("metadata.name", "name or generateName is required"));
  } else {
    errors.push(...(nameIsLabel ? validateLabelName("metadata.name", name) : validateSubdomainName("metadata.name", name)));
  }
  const labels = meta.labels;
  if (labels !== undefined && labels !== null) {
    if (!isJsonObject(labels)) errors.push(invalidValue("metadata.labels", labels, "must be a map of strings"));
    else {
      for (const [key, value] of Object.entries(labels)) {
        errors.push(...validateQualifiedKey("metadata.labels", key));
        if (typeof value !== "string") errors.push(invalidValue(`metadata.labels`, value, "label values must be strings"));
        else errors.push(...validateLabelValue("metadata.labels", value));
      }
    }
  }
  const annotations = meta.annotations;
  if (annotations !== undefined && annotations !== null) {
    if (!isJsonObject(annotations)) errors.push(invalidValue("metadata.annotations", annotations, "must be a map of strings"));
    else {
      let size = 0;
      for (const [key, value] of Object.entries(annotations)) {
        errors.push(...validateQualifiedKey("metadata.annotations", key));
        if (typeof value !== "string") errors.push(invalidValue("metadata.annotations", value, "annotation values must be strings"));
        size += key.length + (typeof value === "string" ? value.length : 0);
      }
      if (size > ANNOTATIONS_MAX_BYTES) {
        errors.push({ type: "FieldValueTooLong", field: "metadata.annotations", message: `Too long: must have at most ${ANNOTATIONS_MAX_BYTES} bytes` });
      }
    }
  }
  return errors;
}
