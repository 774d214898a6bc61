import { QUANTITY_PATTERN } from "./quantity";

/** A JSON Schema / OpenAPI v3 schema node, as plain data. */
export type JsonSchemaNode = { [key: string]: unknown };

/** Thrown when a schema uses a construct a Kubernetes structural schema cannot express. */
export class StructuralSchemaError extends Error {
  override readonly name = "StructuralSchemaError";
  readonly code = "unsupported_schema" as const;
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path || "(root)"}: ${detail}; change the zod schema so that it maps to a structural OpenAPI schema`);
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// Keys a structural schema may carry; anything else means the zod schema grew a construct this
// converter has not been taught, which must fail loudly rather than produce a CRD the API
// server rejects.
const ALLOWED_KEYS = new Set([
  "type",
  "format",
  "description",
  "properties",
  "required",
  "items",
  "additionalProperties",
  "enum",
  "default",
  "nullable",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "pattern",
  "x-kubernetes-int-or-string",
  "x-kubernetes-preserve-unknown-fields",
]);

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/**
 * Converts an OpenAPI 3.0 schema produced by `z.toJSONSchema(…, { target: "openapi-3.0" })` into a
 * Kubernetes structural schema: every node typed, no `$ref`, `anyOf` only in the int-or-string
 * form of quantities, loose objects marked `x-kubernetes-preserve-unknown-fields`, and closed
 * objects left to the API server's pruning (structural schemas may not say
 * `additionalProperties: false`).
 * @throws StructuralSchemaError on a construct that has no structural equivalent.
 */
export function toStructuralSchema(node: JsonSchemaNode, path = ""): JsonSchemaNode {
  if ("$ref" in node) throw new StructuralSchemaError(path, "references ($ref) are not allowed");

  if (node["x-kubernetes-int-or-string"] === true) {
    const out: JsonSchemaNode = {};
    if (typeof node.description === "string") out.description = node.description;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
    out.pattern = QUANTITY_PATTERN.source;
    if (node.nullable === true) out.nullable = true;
    out["x-kubernetes-int-or-string"] = true;
    return out;
  }

  const out: JsonSchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case "$schema":
      case "propertyNames":
        // Map keys are always strings in Kubernetes objects; nothing to carry over.
        continue;
      case "anyOf":
      case "oneOf":
      case "allOf":
      case "not":
        throw new StructuralSchemaError(path, `"${key}" is only allowed for int-or-string quantities`);
      case "properties": {
        const props: JsonSchemaNode = {};
        for (const [name, child] of Object.entries(value as Record<string, JsonSchemaNode>)) {
          props[name] = toStructuralSchema(child, path ? `${path}.${name}` : name);
        }
        out.properties = props;
        continue;
      }
      case "items":
        out.items = toStructuralSchema(value as JsonSchemaNode, `${path}[]`);
        continue;
      case "additionalProperties":
        if (value === false) continue;
        if (value === true || isEmptyObject(value)) {
          out["x-kubernetes-preserve-unknown-fields"] = true;
          continue;
        }
        if ("properties" in node) {
          throw new StructuralSchemaError(path, "an object cannot have both fixed properties and a value schema for other keys");
        }
        out.additionalProperties = toStructuralSchema(value as JsonSchemaNode, `${path}.*`);
        continue;
      case "const":
        out.enum = [value];
        continue;
      default:
        if (!ALLOWED_KEYS.has(key)) throw new StructuralSchemaError(path, `"${key}" has no structural equivalent`);
        out[key] = value;
    }
  }

  if (out.type === "integer") {
    // zod spells integer widths as bounds; Kubernetes spells them as a format.
    const wide = out.minimum === Number.MIN_SAFE_INTEGER || out.maximum === Number.MAX_SAFE_INTEGER;
    for (const bound of wide ? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] : [INT32_MIN, INT32_MAX]) {
      if (out.minimum === bound) delete out.minimum;
      if (out.maximum === bound) delete out.maximum;
    }
    out.format = wide ? "int64" : "int32";
  }
  if (out.type === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) {
    throw new StructuralSchemaError(path, "every field needs a type");
  }
  return out;
}
