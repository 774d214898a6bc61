import { describe, expect, it } from "vitest";
import { crdSchemaCheck, ratchet } from "./crd-schema-check";

const quantity = { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }], pattern: "^[0-9.]+[kM]?$" };

const schema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["name"],
      properties: {
        name: { type: "string", maxLength: 5 },
        mode: { type: "string", enum: ["fast", "slow"], default: "slow" },
        limit: quantity,
        at: { type: "string", format: "date-time" },
        count: { type: "integer", minimum: 1, format: "int32" },
        tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set", maxItems: 2 },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        labels: { type: "object", additionalProperties: { type: "string" } },
      },
    },
  },
};

const check = crdSchemaCheck(schema);
const obj = (spec: Record<string, unknown>) => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec });

describe("crdSchemaCheck", () => {
  it("prunes undeclared fields (keeping preserved ones), drops nulls and fills defaults", () => {
    const result = check(obj({ name: "a", extra: 1, free: { anything: { deep: true } }, labels: { a: "b" }, limit: null }));
    expect(result.unknownFields).toEqual(["spec.extra"]);
    expect(result.value.spec).toEqual({ name: "a", mode: "slow", free: { anything: { deep: true } }, labels: { a: "b" } });
    expect(result.errors).toEqual([]);
  });

  it("refuses a fractional number in an int-or-string field in kube-apiserver's words", () => {
    expect(check(obj({ name: "a", limit: 0.5 })).errors).toEqual([
      {
        type: "FieldValueTypeInvalid",
        field: "spec.limit",
        message: 'Invalid value: "number": spec.limit in body must be of type integer,string: "number"',
      },
      { type: "FieldValueInvalid", field: "<nil>", message: 'Invalid value: "": "spec.limit" must validate at least one schema (anyOf)' },
      { type: "FieldValueTypeInvalid", field: "spec.limit", message: 'Invalid value: "number": spec.limit in body must be of type integer: "number"' },
      { type: "FieldValueInvalid", field: "<nil>", message: 'Invalid value: "": Checked value must be of type integer (default format) in spec.limit' },
    ]);
    expect(check(obj({ name: "a", limit: 5 })).errors).toEqual([]);
    expect(check(obj({ name: "a", limit: "1.5k" })).errors).toEqual([]);
    expect(check(obj({ name: "a", limit: "lots" })).errors).toEqual([
      { type: "FieldValueInvalid", field: "spec.limit", message: `Invalid value: "lots": spec.limit in body should match '^[0-9.]+[kM]?$'` },
    ]);
  });

  it("checks formats, enums, required fields, bounds, lengths and list types", () => {
    const errors = check(obj({ at: "yesterday", mode: "medium", count: 0, tags: ["a", "a", "b"] })).errors;
    expect(errors).toEqual([
      { type: "FieldValueTypeInvalid", field: "spec.at", message: 'Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"' },
      { type: "FieldValueInvalid", field: "spec.count", message: "Invalid value: 0: spec.count in body should be greater than or equal to 1" },
      { type: "FieldValueNotSupported", field: "spec.mode", message: 'Unsupported value: "medium": supported values: "fast", "slow"' },
      { type: "FieldValueTooMany", field: "spec.tags", message: "Too many: 3: must have at most 2 items" },
      { type: "FieldValueDuplicate", field: "spec.tags[1]", message: 'Duplicate value: "a"' },
      { type: "FieldValueRequired", field: "spec.name", message: "Required value" },
    ]);
    expect(check(obj({ name: "toolong", at: "2024-02-29T10:00:00Z" })).errors).toEqual([
      { type: "FieldValueTooLong", field: "spec.name", message: "Too long: may not be more than 5 bytes" },
    ]);
    expect(check(obj({ name: "a", count: 2 ** 31 })).errors).toEqual([
      { type: "FieldValueInvalid", field: "<nil>", message: 'Invalid value: "": Checked value must be of type integer with format int32 in spec.count' },
    ]);
    expect(check(obj({ name: "a", count: 1.5 })).errors).toEqual([
      { type: "FieldValueTypeInvalid", field: "spec.count", message: 'Invalid value: "float64": spec.count in body must be of type int32: "float64"' },
      { type: "FieldValueInvalid", field: "<nil>", message: 'Invalid value: "": Checked value must be of type integer with format int32 in spec.count' },
    ]);
    expect(check(obj({ name: "a", labels: { a: 1 } })).errors).toEqual([
      { type: "FieldValueTypeInvalid", field: "spec.labels.a", message: 'Invalid value: "integer": spec.labels.a in body must be of type string: "integer"' },
    ]);
  });

  it("lets an update keep a value that no longer validates as long as it leaves it unchanged", () => {
    const old = obj({ name: "toolong" });
    const updated = obj({ name: "toolong", mode: "fast" });
    expect(ratchet(check(updated).errors, updated, old)).toEqual([]);
    const changed = obj({ name: "longer" });
    expect(ratchet(check(changed).errors, changed, old)).toHaveLength(1);
  });
});
