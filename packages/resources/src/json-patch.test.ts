import { describe, expect, it } from "vitest";
import { applyJsonPatch, JsonPatchError, jsonEqual } from "./json-patch";

describe("applyJsonPatch", () => {
  const doc = { a: { b: [1, 2, 3] }, "x/y": 1, "m~n": 2 };

  it("applies add, replace, remove, move, copy and test, leaving the input untouched", () => {
    const out = applyJsonPatch(doc, [
      { op: "test", path: "/a/b/1", value: 2 },
      { op: "replace", path: "/a/b/1", value: 20 },
      { op: "add", path: "/a/b/-", value: 4 },
      { op: "add", path: "/a/b/0", value: 0 },
      { op: "remove", path: "/x~1y" },
      { op: "copy", from: "/m~0n", path: "/c" },
      { op: "move", from: "/a/b", path: "/b" },
    ]);
    expect(out).toEqual({ a: {}, "m~n": 2, c: 2, b: [0, 1, 20, 3, 4] });
    expect(doc).toEqual({ a: { b: [1, 2, 3] }, "x/y": 1, "m~n": 2 });
  });

  it("replaces the whole document at the empty pointer", () => {
    expect(applyJsonPatch(doc, [{ op: "replace", path: "", value: 7 }])).toBe(7);
  });

  it("fails a test that does not hold, naming the operation, and applies nothing", () => {
    const input = { w: 30 };
    let error: unknown;
    try {
      applyJsonPatch(input, [
        { op: "replace", path: "/w", value: 50 },
        { op: "test", path: "/w", value: 30 },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonPatchError);
    expect((error as JsonPatchError).code).toBe("test_failed");
    expect((error as JsonPatchError).operationIndex).toBe(1);
    expect((error as JsonPatchError).message).toContain("expected 30, found 50");
    expect(input).toEqual({ w: 30 });
  });

  it("reports missing paths and bad indices", () => {
    expect(() => applyJsonPatch(doc, [{ op: "replace", path: "/nope", value: 1 }])).toThrow(/nothing exists at \/nope/);
    expect(() => applyJsonPatch(doc, [{ op: "add", path: "/q/r", value: 1 }])).toThrow(/\/q does not exist/);
    expect(() => applyJsonPatch(doc, [{ op: "add", path: "/a/b/9", value: 1 }])).toThrow(/outside the array/);
    expect(() => applyJsonPatch(doc, [{ op: "remove", path: "a" }])).toThrow(/must start with '\/'/);
    expect(() => applyJsonPatch(doc, [{ op: "move", from: "/a", path: "/a/z" }])).toThrow(/own child/);
  });
});

describe("jsonEqual", () => {
  it("compares objects regardless of member order", () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual(1, "1")).toBe(false);
  });
});
