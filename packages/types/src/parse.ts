import { parseAllDocuments } from "yaml";
import type { z } from "zod";
import { ExperimentSchema, type Experiment } from "./experiment";
import { MetricSchema, type Metric } from "./metric";

/** One problem found in a document: where it is and what to do about it. */
export interface ValidationIssue {
  /** Dotted field path, e.g. `spec.strategy.testingPattern` or `spec.criteria.objectives[0].metric`. */
  path: string;
  /** A sentence a user can act on. */
  message: string;
}

/** The result of parsing: the typed value, or every problem found. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

/** Formats a zod path as `a.b[0].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return JSON.stringify(value);
}

function typeName(expected: string): string {
  switch (expected) {
    case "string":
      return "a string";
    case "number":
    case "int":
      return "a number";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "an object";
    default:
      return expected;
  }
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Turns zod issues into field-path issues with plain sentences. */
export function issuesFromZod(error: z.ZodError, input: unknown, prefix = ""): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    // A union reports each branch; the branches of our unions are alternatives of one field.
    const path = prefix + formatPath(issue.path);
    const got = valueAt(input, issue.path);
    let message: string;
    switch (issue.code) {
      case "invalid_type":
        message =
          got === undefined
            ? `is required (${typeName(issue.expected)})`
            : `must be ${typeName(issue.expected)} (got ${describeValue(got)})`;
        break;
      case "invalid_value":
        message =
          issue.values.length === 1
            ? `must be ${JSON.stringify(issue.values[0])} (got ${describeValue(got)})`
            : `must be one of ${issue.values.filter((v) => v !== "A/B/n").join(", ")} (got ${describeValue(got)})`;
        break;
      case "too_small":
        message =
          issue.origin === "string"
            ? issue.minimum === 1
              ? "must not be empty"
              : `must be at least ${issue.minimum} characters long`
            : issue.origin === "array"
              ? `must have at least ${issue.minimum} item(s)`
              : `must be at least ${issue.minimum} (got ${describeValue(got)})`;
        break;
      case "too_big":
        message =
          issue.origin === "array" ? `must have at most ${issue.maximum} item(s)` : `must be at most ${issue.maximum} (got ${describeValue(got)})`;
        break;
      case "unrecognized_keys":
        for (const key of issue.keys) {
          out.push({ path: path ? `${path}.${key}` : key, message: "is not a known field; check its spelling and indentation" });
        }
        continue;
      case "invalid_union":
        message = `${issue.message} (got ${describeValue(got)})`;
        break;
      default:
        message = issue.message;
    }
    out.push({ path: path || "(document)", message });
  }
  return out;
}

/** Reads every document of a YAML or JSON text (multi-document YAML is allowed). */
export function readDocuments(text: string): ParseResult<unknown[]> {
  const docs = parseAllDocuments(text);
  const errors: ValidationIssue[] = [];
  const values: unknown[] = [];
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length) {
      for (const e of doc.errors) errors.push({ path: `(document ${i + 1})`, message: `is not valid YAML or JSON: ${e.message}` });
      continue;
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: values };
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown): ParseResult<T> {
  let value = input;
  if (typeof input === "string") {
    const docs = readDocuments(input);
    if (!docs.ok) return docs;
    if (docs.value.length !== 1) {
      return { ok: false, errors: [{ path: "(document)", message: `expected exactly one document, found ${docs.value.length}` }] };
    }
    value = docs.value[0];
  }
  const result = schema.safeParse(value);
  if (!result.success) return { ok: false, errors: issuesFromZod(result.error, value) };
  return { ok: true, value: result.data };
}

/** Parses an Experiment from an object or a YAML/JSON text, checking the schema only. */
export function parseExperimentSchema(input: unknown): ParseResult<Experiment> {
  return parseWith(ExperimentSchema, input);
}

/** Parses a Metric from an object or a YAML/JSON text, checking the schema only. */
export function parseMetricSchema(input: unknown): ParseResult<Metric> {
  return parseWith(MetricSchema, input);
}
