import { describe, expect, it } from "vitest";
import { z } from "zod";
import { StructuralSchemaError, toStructuralSchema, type JsonSchemaNode } from "./structural-schema";
import { QuantitySchema } from "./common";

const convert = (schema: z.ZodType) => toStructuralSchema(z.toJSONSchema(schema, { io: "input", target: "openapi-3.0" }) as JsonSchemaNode);

describe("toStructuralSchema", () => {
  it("leaves closed objects to pruning and marks loose objects to keep unknown fields", () => {
    expect(convert(z.strictObject({ a: z.string() }))).toEqual({ type: "object", properties: { a: { type: "string" } }, required: ["a"] });
    expect(convert(z.looseObject({ a: z.string().optional() }))).toEqual({
      type: "object",
      properties: { a: { type: "string" } },
      "x-kubernetes-preserve-unknown-fields": true,
    });
  });

  it("turns maps into additionalProperties and integers into formats", () => {
    expect(convert(z.record(z.string(), z.int32().min(0)))).toEqual({
      type: "object",
      additionalProperties: { type: "integer", minimum: 0, format: "int32" },
    });
    expect(convert(z.number().int())).toEqual({ type: "integer", format: "int64" });
  });

  it("writes quantities in the int-or-string form with the quantity pattern", () => {
    const out = convert(QuantitySchema.nullish());
    expect(out).toMatchObject({ anyOf: [{ type: "integer" }, { type: "string" }], nullable: true, "x-kubernetes-int-or-string": true });
    expect(new RegExp(out.pattern as string).test("250m")).toBe(true);
    expect(new RegExp(out.pattern as string).test("250 ms")).toBe(false);
  });

  it("keeps descriptions, enums and defaults", () => {
    expect(convert(z.enum(["GET", "POST"]).default("GET").describe("method"))).toEqual({
      type: "string",
      enum: ["GET", "POST"],
      default: "GET",
      description: "method",
    });
  });

  it.each([
    ["a union that is not a quantity", z.union([z.string(), z.boolean()]), '"anyOf" is only allowed for int-or-string quantities'],
    ["an untyped field", z.strictObject({ free: z.unknown() }), "every field needs a type"],
  ])("refuses %s, naming the field", (_, schema, detail) => {
    expect(() => convert(schema)).toThrow(StructuralSchemaError);
    expect(() => convert(schema)).toThrow(detail);
  });

  it("refuses references", () => {
    expect(() => toStructuralSchema({ type: "object", properties: { spec: { $ref: "#/defs/Spec" } } })).toThrow(
      "spec: references ($ref) are not allowed; change the zod schema so that it maps to a structural OpenAPI schema",
    );
  });
});
