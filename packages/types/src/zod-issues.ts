import type { z } from "zod";
import { closestKey } from "./closest-key";
import { escapeControls } from "./control-characters";
import { FINITE_QUANTITY_HINT } from "./quantity";
import {
  describeValue,
  formatPath,
  IssueCode,
  type PathSegment,
  type RawIssue,
  type ValidationIssue,
} from "./validation-issue";

function typeName(expected: string): string {
  switch (expected) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
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

// The parts of zod's internal definitions needed to find which keys an object accepts.
interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  valueType?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
  options?: Array<{ _zod: { def: SchemaDef } }>;
}

function unwrap(def: SchemaDef): SchemaDef {
  let cur = def;
  for (;;) {
    const next = cur.innerType ?? (cur.type === "pipe" ? cur.in : undefined);
    if (!next) return cur;
    cur = next._zod.def;
  }
}

/** The keys the object schema at `path` accepts, or none when the path leads elsewhere. */
function knownKeys(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let def: SchemaDef | undefined = unwrap((schema as unknown as { _zod: { def: SchemaDef } })._zod.def);
  for (const key of path) {
    if (!def) return [];
    if (def.type === "object" && typeof key === "string") def = def.shape?.[key]?._zod.def;
    else if (def.type === "array") def = def.element?._zod.def;
    else if (def.type === "record") def = def.valueType?._zod.def;
    else return [];
    if (def) def = unwrap(def);
  }
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  if (issue.message && issue.message !== "Invalid input") return issue.message;
  const expected = issue.errors.flatMap((branch) =>
    branch.filter((i) => i.code === "invalid_type" && i.path.length === 0).map((i) => typeName((i as z.core.$ZodIssueInvalidType).expected)),
  );
  return expected.length ? `must be ${[...new Set(expected)].join(" or ")}` : "does not match any allowed form";
}

/** The text a value was written as in the document (`1e309`, `.nan`), when it came from text. */
export type SourceSpelling = (segments: readonly PathSegment[]) => string | undefined;

/**
 * Turns zod issues into field-path issues with plain sentences. With `schema`, an unknown key
 * comes with the known key it most likely meant. With `spelling`, a number YAML read as NaN or
 * an infinity (`.nan`, `1e309`) is quoted as written rather than as JavaScript prints it.
 */
export function zodIssues(error: z.ZodError, input: unknown, schema?: z.ZodType, spelling?: SourceSpelling): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of error.issues) {
    const segments = issue.path.filter((k): k is PathSegment => typeof k !== "symbol");
    const got = valueAt(input, issue.path);
    const nonFinite = typeof got === "number" && !Number.isFinite(got);
    const shown = (nonFinite ? spelling?.(segments) : undefined) ?? describeValue(got);
    const gotText = ` (got ${shown})`;
    switch (issue.code) {
      case "invalid_type":
        out.push(
          got === undefined
            ? { segments, code: IssueCode.Required, message: `is required (${typeName(issue.expected)})` }
            : { segments, code: IssueCode.InvalidType, message: `must be ${typeName(issue.expected)}${gotText}` },
        );
        break;
      case "invalid_value": {
        // `A/B/n` is accepted but not advertised: the canonical spelling is A/B/N.
        const values = issue.values.filter((v) => v !== "A/B/n");
        const allowed = values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.join(", ")}`;
        out.push(
          got === undefined
            ? { segments, code: IssueCode.Required, message: `is required (${allowed})` }
            : { segments, code: IssueCode.InvalidValue, message: `must be ${allowed}${gotText}` },
        );
        break;
      }
      case "too_small": {
        const min = String(issue.minimum);
        const message =
          issue.origin === "string"
            ? issue.minimum === 1
              ? "must not be empty"
              : `must be at least ${min} characters long`
            : issue.origin === "array"
              ? `must have at least ${min} item(s)`
              : issue.inclusive === false
                ? `must be greater than ${min}${gotText}`
                : `must be at least ${min}${gotText}`;
        out.push({ segments, code: IssueCode.OutOfRange, message });
        break;
      }
      case "too_big": {
        const max = String(issue.maximum);
        const message =
          issue.origin === "array"
            ? `must have at most ${max} item(s)`
            : issue.origin === "string"
              ? `must be at most ${max} characters long`
              : `must be at most ${max}${gotText}`;
        out.push({ segments, code: IssueCode.OutOfRange, message });
        break;
      }
      case "unrecognized_keys": {
        const known = schema ? knownKeys(schema, issue.path) : [];
        for (const key of issue.keys) {
          const guess = closestKey(key, known);
          out.push({
            segments: [...segments, key],
            code: IssueCode.UnknownField,
            message: guess
              ? `is not a known field; did you mean "${guess}"?`
              : "is not a known field; check its spelling and indentation",
          });
        }
        break;
      }
      case "invalid_union": {
        const message = unionMessage(issue);
        const code = /quantity/.test(message) ? IssueCode.InvalidQuantity : IssueCode.InvalidType;
        // A number schema never accepts NaN or infinities, so a quantity field reports them here.
        if (code === IssueCode.InvalidQuantity && nonFinite) out.push({ segments, code, message: `${shown} is not a finite quantity; ${FINITE_QUANTITY_HINT}` });
        else out.push({ segments, code, message: `${message}${gotText}` });
        break;
      }
      case "custom": {
        const params = issue.params as { code?: unknown; showsValue?: unknown } | undefined;
        const declared = params?.code;
        const code = (Object.values(IssueCode) as unknown[]).includes(declared) ? (declared as IssueCode) : IssueCode.Other;
        // Secret values must never be echoed back into logs and terminals.
        out.push({ segments, code, message: code === IssueCode.Base64 || params?.showsValue === true ? issue.message : `${issue.message}${gotText}` });
        break;
      }
      default:
        out.push({ segments, code: IssueCode.Other, message: issue.message });
    }
  }
  return out;
}

/** Turns zod issues into field-path issues with plain sentences; `prefix` is put before each path. */
export function issuesFromZod(error: z.ZodError, input: unknown, prefix = ""): ValidationIssue[] {
  return zodIssues(error, input).map((issue) => ({
    path: escapeControls(prefix + formatPath(issue.segments)) || "(document)",
    message: escapeControls(issue.message),
    code: issue.code,
  }));
}
