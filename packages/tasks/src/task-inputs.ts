import { IssueCode, issuesFromZod, type ValidationIssue } from "@iter8ts/types";
import type { z } from "zod";

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    if (!inner) return current;
    current = inner;
  }
}

/**
 * Renames keys to the schema's spelling where they differ only in case (`url` → `URL`), at
 * every level of nested objects and lists, as Go's JSON decoding matched them. Keys of free
 * maps (records) stay as written.
 */
function canonicalize(schema: z.ZodType, value: unknown, path: string, issues: ValidationIssue[]): unknown {
  const def = defOf(unwrap(schema));
  if (def.type === "array" && def.element && Array.isArray(value)) {
    return value.map((v, i) => canonicalize(def.element as z.ZodType, v, `${path}[${i}]`, issues));
  }
  if (def.type === "record" && def.valueType && value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonicalize(def.valueType as z.ZodType, v, `${path}.${k}`, issues)]));
  }
  if (def.type !== "object" || !def.shape || value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const shape = def.shape;
  const out: Record<string, unknown> = {};
  // Own keys only: a key such as `constructor` or `__proto__` must meet no inherited property.
  const from = new Map<string, string>();
  for (const [key, v] of Object.entries(value)) {
    const canonical = Object.hasOwn(shape, key) ? key : (Object.keys(shape).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key);
    const earlier = from.get(canonical);
    if (earlier !== undefined) {
      issues.push({ path: `${path}.${key}`, code: IssueCode.InvalidValue, message: `repeats ${path}.${earlier} (keys are matched ignoring case); keep one` });
      continue;
    }
    from.set(canonical, key);
    const field = Object.hasOwn(shape, canonical) ? shape[canonical] : undefined;
    const converted = field ? canonicalize(field, v, `${path}.${canonical}`, issues) : v;
    // defineProperty keeps `__proto__` an ordinary key (reported as unknown) instead of a prototype.
    Object.defineProperty(out, canonical, { value: converted, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The result of {@link parseTaskInputs}. */
export type TaskInputsResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/**
 * Validates a task's `with` inputs against its schema, matching keys case-insensitively. Issues
 * carry field paths such as `with.headers[0].name`.
 */
export function parseTaskInputs<T>(schema: z.ZodType<T>, raw: unknown): TaskInputsResult<T> {
  const issues: ValidationIssue[] = [];
  const value = canonicalize(schema, raw ?? {}, "with", issues);
  if (issues.length) return { ok: false, issues };
  const result = schema.safeParse(value);
  if (!result.success) return { ok: false, issues: issuesFromZod(result.error, value, "with.") };
  return { ok: true, value: result.data };
}
