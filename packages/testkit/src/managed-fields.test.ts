import { describe, expect, it } from "vitest";
import { afterUpdate, conflictMessage, serverSideApply } from "./managed-fields";
import { applyMergePatch } from "./merge-patch";
import type { JsonObject } from "./json-value";

const scope = { statusSubresource: false, subresource: undefined };
const write = (manager: string, now = "2024-05-01T12:00:00Z") => ({ manager, apiVersion: "v1", now, scope });
const merge = (live: JsonObject, config: JsonObject) => applyMergePatch(live, config) as JsonObject;
const cm = (data: Record<string, string>, managedFields?: unknown): JsonObject => ({ metadata: { name: "c", ...(managedFields ? { managedFields } : {}) }, data });

describe("managedFields", () => {
  it("gives an Update the fields it set or changed, with . for the maps it created, and takes them from others", () => {
    const created = afterUpdate(undefined, cm({ a: "1" }), write("creator"));
    expect(created).toEqual([{ manager: "creator", operation: "Update", apiVersion: "v1", time: "2024-05-01T12:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:data": { ".": {}, "f:a": {} } } }]);
    const edited = afterUpdate(cm({ a: "1" }, created), cm({ a: "2", b: "3" }), write("editor", "2024-05-01T12:00:05Z"));
    expect(edited.map((e) => [e.manager, e.fieldsV1])).toEqual([
      ["creator", { "f:data": { ".": {} } }],
      ["editor", { "f:data": { "f:a": {}, "f:b": {} } }],
    ]);
  });

  it("refuses an apply that changes another manager's field, takes it with force, removes what a manager stops applying", () => {
    const first = serverSideApply(cm({}), { data: { a: "1", b: "2" } }, { ...write("alpha"), force: false }, merge);
    if (!("object" in first)) throw new Error("conflict");
    const live = { ...first.object, metadata: { name: "c", managedFields: first.managedFields } };
    const refused = serverSideApply(live, { data: { a: "x", b: "2" } }, { ...write("beta"), force: false }, merge);
    expect(refused).toEqual({ conflicts: [{ manager: "alpha", operation: "Apply", apiVersion: "v1", field: ".data.a" }] });
    expect(conflictMessage("conflicts" in refused ? refused.conflicts : [])).toBe('Apply failed with 1 conflict: conflict with "alpha": .data.a');
    const forced = serverSideApply(live, { data: { a: "x" } }, { ...write("beta"), force: true }, merge);
    if (!("object" in forced)) throw new Error("conflict");
    expect(forced.object.data).toEqual({ a: "x", b: "2" });
    const next = { ...forced.object, metadata: { name: "c", managedFields: forced.managedFields } };
    const dropped = serverSideApply(next, { data: {} }, { ...write("alpha"), force: false }, merge);
    if (!("object" in dropped)) throw new Error("conflict");
    expect(dropped.object.data).toEqual({ a: "x" });
    expect(dropped.managedFields.map((e) => [e.manager, e.fieldsV1])).toEqual([
      ["alpha", { "f:data": {} }],
      ["beta", { "f:data": { "f:a": {} } }],
    ]);
  });
});
