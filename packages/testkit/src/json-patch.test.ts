import { describe, expect, it } from "vitest";
import { PatchError, PatchErrorCode, applyJsonPatch, decodeJsonPatch } from "./json-patch";

const doc = { spec: { http: [{ route: [{ weight: 80 }, { weight: 20 }] }] }, metadata: { labels: { "a/b": "1" } } };

function apply(ops: unknown): unknown {
  return applyJsonPatch(doc, decodeJsonPatch(ops));
}

function failure(ops: unknown): PatchError {
  try {
    apply(ops);
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error("the patch applied");
}

describe("JSON patch", () => {
  it("applies a guarded weight change (test, then replace) without touching the input", () => {
    const out = apply([
      { op: "test", path: "/spec/http/0/route/0/weight", value: 80 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 60 },
      { op: "replace", path: "/spec/http/0/route/1/weight", value: 40 },
    ]);
    expect(out).toEqual({ spec: { http: [{ route: [{ weight: 60 }, { weight: 40 }] }] }, metadata: doc.metadata });
    expect(doc.spec.http[0]?.route[0]?.weight).toBe(80);
  });

  it("fails a test op as not applicable, naming the path", () => {
    const e = failure([{ op: "test", path: "/spec/http/0/route/0/weight", value: 50 }]);
    expect(e.code).toBe(PatchErrorCode.NotApplicable);
    expect(e.message).toBe("testing value /spec/http/0/route/0/weight failed: test failed");
    expect(e.path).toBe("/spec/http/0/route/0/weight");
  });

  it("compares objects structurally in test ops", () => {
    expect(() => apply([{ op: "test", path: "/metadata", value: { labels: { "a/b": "1" } } }])).not.toThrow();
  });

  it("adds, appends, removes, moves and copies", () => {
    const out = apply([
      { op: "add", path: "/spec/http/0/route/-", value: { weight: 0 } },
      { op: "add", path: "/spec/http/0/route/0", value: { weight: 1 } },
      { op: "remove", path: "/spec/http/0/route/1" },
      { op: "copy", from: "/metadata/labels/a~1b", path: "/metadata/labels/copy" },
      { op: "move", from: "/metadata/labels/copy", path: "/metadata/moved" },
    ]) as { spec: { http: { route: unknown[] }[] }; metadata: Record<string, unknown> };
    expect(out.spec.http[0]?.route).toEqual([{ weight: 1 }, { weight: 20 }, { weight: 0 }]);
    expect(out.metadata).toEqual({ labels: { "a/b": "1" }, moved: "1" });
  });

  it("follows the API server's library where RFC 6902 is loose or differs", () => {
    // replace of a missing member of an existing object sets it; test of a missing member holds for null.
    expect(apply([{ op: "replace", path: "/spec/missing", value: 1 }])).toMatchObject({ spec: { missing: 1 } });
    expect(() => apply([{ op: "test", path: "/spec/missing", value: null }])).not.toThrow();
    expect(failure([{ op: "test", path: "/spec/missing", value: 1 }]).code).toBe(PatchErrorCode.NotApplicable);
    // Negative indices count from the end.
    expect(apply([{ op: "replace", path: "/spec/http/0/route/-1/weight", value: 5 }])).toMatchObject({ spec: { http: [{ route: [{ weight: 80 }, { weight: 5 }] }] } });
  });

  it("refuses paths that do not exist", () => {
    expect(failure([{ op: "remove", path: "/spec/missing" }]).message).toMatch(/nonexistent key: missing/);
    expect(failure([{ op: "add", path: "/nope/deeper", value: 1 }]).message).toMatch(/missing path/);
    expect(failure([{ op: "replace", path: "/spec/http/5/route", value: 1 }]).message).toMatch(/missing path/);
    expect(failure([{ op: "replace", path: "/spec/http/0/route/2", value: 1 }]).message).toMatch(/invalid index/);
  });

  it("treats a body that is not a list of objects as malformed, in the words of the server's decoder", () => {
    expect(() => decodeJsonPatch({ op: "add" })).toThrow("error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp");
    expect(() => decodeJsonPatch({ op: "add" }, false)).toThrow("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    expect(() => decodeJsonPatch([1])).toThrow(expect.objectContaining({ code: PatchErrorCode.Malformed }));
    // An operation it does not know decodes, then does not apply (422, not 400).
    expect(failure([{ op: "jump", path: "/a" }]).message).toBe("Unexpected kind: jump");
  });
});
