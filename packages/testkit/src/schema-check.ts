/**
 * Validation of custom resources against the project's zod schemas, shaped like the API server's
 * structural-schema handling: unknown fields are found first (and pruned, warned about or refused
 * depending on `fieldValidation`), then `default`s are filled in, then every remaining problem
 * becomes a field error with the API server's wording, e.g.
 * `spec.duration.intervalSeconds: Invalid value: 0: spec.duration.intervalSeconds in body should be greater than or equal to 1`.
 */
import { formatPath } from "@iter8ts/types";
import { FieldErrorType, invalidValue, requiredValue, unsupportedValue, type FieldError } from "./api-status-error";
import { deepClone, isJsonObject, type JsonObject } from "./json-value";

/** The parts of a zod issue this module reads (zod 4's issue shapes). */
interface SchemaIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  values?: unknown[];
  keys?: string[];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
}

/** Anything with zod's `safeParse`, so this package needs no zod of its own. */
export interface ParsingSchema {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: SchemaIssue[] } };
}

/** What checking one object found. */
export interface SchemaCheckResult {
  /** Dotted paths of fields the schema does not declare. */
  unknownFields: string[];
  /** Validation failures (after unknown fields were removed). */
  errors: FieldError[];
  /** The object with unknown fields removed and schema defaults filled in. */
  value: JsonObject;
}

/** What a check is for: a write of the whole object, or of its `status` subresource. */
export interface SchemaCheckOptions {
  subresource?: "status";
}

/** Checks one object of a kind; see {@link zodSchemaCheck}. */
export type SchemaCheck = (obj: JsonObject, options?: SchemaCheckOptions) => SchemaCheckResult;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function deleteAt(root: unknown, path: readonly PropertyKey[], key: string): void {
  const parent = valueAt(root, path);
  if (isJsonObject(parent)) delete parent[key];
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function openApiType(expected: string | undefined): string {
  switch (expected) {
    case "int":
    case "bigint":
      return "integer";
    case "record":
    case "map":
      return "object";
    default:
      return expected ?? "unknown";
  }
}

function fieldError(issue: SchemaIssue, root: unknown): FieldError {
  const field = formatPath(issue.path);
  const got = valueAt(root, issue.path);
  switch (issue.code) {
    case "invalid_type":
      if (got === undefined) return requiredValue(field);
      return {
        type: FieldErrorType.TypeInvalid,
        field,
        message: `Invalid value: "${jsonType(got)}": ${field} in body must be of type ${openApiType(issue.expected)}: ${JSON.stringify(got)}`,
      };
    case "invalid_value":
      return unsupportedValue(field, got, (issue.values ?? []).map(String));
    case "too_small":
      if (issue.origin === "string") return invalidValue(field, got, `${field} in body should be at least ${String(issue.minimum)} chars long`);
      if (issue.origin === "array") return invalidValue(field, got, `${field} in body should have at least ${String(issue.minimum)} items`);
      return invalidValue(field, got, `${field} in body should be greater than or equal to ${String(issue.minimum)}`);
    case "too_big":
      if (issue.origin === "string") return invalidValue(field, got, `${field} in body may not be longer than ${String(issue.maximum)}`);
      if (issue.origin === "array") return invalidValue(field, got, `${field} in body should have at most ${String(issue.maximum)} items`);
      return invalidValue(field, got, `${field} in body should be less than or equal to ${String(issue.maximum)}`);
    default:
      return invalidValue(field, got, issue.message);
  }
}

/** Copies values present in `parsed` but absent from `input` (the schema's defaults) into `input`. */
function fillDefaults(input: unknown, parsed: unknown): void {
  if (Array.isArray(input) && Array.isArray(parsed)) {
    input.forEach((item, i) => fillDefaults(item, parsed[i]));
    return;
  }
  if (!isJsonObject(input) || !isJsonObject(parsed)) return;
  for (const [key, value] of Object.entries(parsed)) {
    if (value === undefined) continue;
    // Only absent keys take the parsed value: present ones keep the user's spelling, since the
    // schemas may normalise (e.g. `A/B/n`) and the API server stores what was sent.
    if (!(key in input)) input[key] = deepClone(value);
    else fillDefaults(input[key], value);
  }
}

/**
 * Builds a {@link SchemaCheck} from a zod schema such as `ExperimentSchema` from @iter8ts/types.
 * Strict objects in the schema are what make unknown fields detectable.
 */
export function zodSchemaCheck(schema: ParsingSchema): SchemaCheck {
  return (obj) => {
    const value = deepClone(obj);
    const unknownFields: string[] = [];
    // Each pass can only see unknown keys inside objects that otherwise parsed, so repeat until
    // no new ones appear (bounded: every pass removes at least one key).
    for (let pass = 0; pass < 50; pass++) {
      const result = schema.safeParse(value);
      if (result.success) {
        fillDefaults(value, result.data);
        return { unknownFields, errors: [], value };
      }
      const unknown = result.error.issues.filter((i) => i.code === "unrecognized_keys");
      if (unknown.length === 0) {
        return { unknownFields, errors: result.error.issues.map((i) => fieldError(i, value)), value };
      }
      for (const issue of unknown) {
        for (const key of issue.keys ?? []) {
          const parent = formatPath(issue.path);
          unknownFields.push(parent ? `${parent}.${key}` : key);
          deleteAt(value, issue.path, key);
        }
      }
    }
    return { unknownFields, errors: [invalidValue("", undefined, "too many unknown fields")], value };
  };
}
