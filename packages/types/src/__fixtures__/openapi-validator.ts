// A small validator for the subset of OpenAPI v3 that structural CRD schemas use, so that tests
// can check what an API server would accept or reject with the generated CRDs.
import type { JsonSchemaNode } from "../structural-schema";

function typeOk(type: unknown, value: unknown): boolean {
  switch (type) {
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    default:
      return false;
  }
}

/** The paths (with a reason) where `value` breaks `schema`; empty when the value is accepted. */
export function openApiViolations(schema: JsonSchemaNode, value: unknown, path = ""): string[] {
  const at = path || "(root)";
  if (value === null) return schema.nullable === true ? [] : [`${at}: null`];
  if (schema["x-kubernetes-int-or-string"] === true) {
    if (typeof value === "string") return new RegExp(schema.pattern as string).test(value) ? [] : [`${at}: pattern`];
    return Number.isInteger(value) ? [] : [`${at}: not an integer or string`];
  }
  if (schema.type === undefined) return [];
  if (!typeOk(schema.type, value)) return [`${at}: not ${String(schema.type)}`];
  const out: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${at}: not in enum`);
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && (value < schema.minimum || (schema.exclusiveMinimum === true && value === schema.minimum))) {
      out.push(`${at}: below minimum`);
    }
    if (typeof schema.maximum === "number" && value > schema.maximum) out.push(`${at}: above maximum`);
  }
  if (typeof value === "string" && typeof schema.minLength === "number" && value.length < schema.minLength) out.push(`${at}: too short`);
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => out.push(...openApiViolations(schema.items as JsonSchemaNode, item, `${path}[${i}]`)));
  }
  if (typeOk("object", value)) {
    const fields = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in fields)) out.push(`${path}.${key}: required`);
    const properties = (schema.properties ?? {}) as Record<string, JsonSchemaNode>;
    for (const [key, child] of Object.entries(fields)) {
      const childSchema = properties[key] ?? (schema.additionalProperties as JsonSchemaNode | undefined);
      // Fields the schema does not know are pruned by the API server, not rejected.
      if (childSchema) out.push(...openApiViolations(childSchema, child, path ? `${path}.${key}` : key));
    }
  }
  return out;
}
