import { describe, expect, it } from "vitest";
import { formatFieldPath, parseFieldPath, readFieldPath, toJsonPointer } from "./field-path";
import { FieldPathError } from "./field-path-error";

function pointer(text: string): string {
  return toJsonPointer(parseFieldPath(text));
}

describe("parseFieldPath", () => {
  it("reads the field paths of the Istio, Knative, KFServing and Seldon samples", () => {
    expect(parseFieldPath(".spec.http[0].route[1].weight").segments).toEqual(["spec", "http", 0, "route", 1, "weight"]);
    expect(parseFieldPath(".spec.traffic[1].percent").segments).toEqual(["spec", "traffic", 1, "percent"]);
    expect(parseFieldPath(".spec.predictors[0].traffic").segments).toEqual(["spec", "predictors", 0, "traffic"]);
    expect(parseFieldPath(".spec.canaryTrafficPercent").segments).toEqual(["spec", "canaryTrafficPercent"]);
  });

  it("becomes the JSON Pointer the original patched", () => {
    expect(pointer(".spec.http[0].route[1].weight")).toBe("/spec/http/0/route/1/weight");
    expect(pointer(".spec.traffic[0].percent")).toBe("/spec/traffic/0/percent");
    expect(pointer(".spec.canaryTrafficPercent")).toBe("/spec/canaryTrafficPercent");
    expect(pointer(".spec.duration.maxLoops")).toBe("/spec/duration/maxLoops");
  });

  it("reads quoted names in single or double quotes, and escapes / and ~ in the pointer", () => {
    expect(parseFieldPath(".metadata.annotations['iter8.tools/x']").segments).toEqual(["metadata", "annotations", "iter8.tools/x"]);
    expect(parseFieldPath('.data["a.b"]').segments).toEqual(["data", "a.b"]);
    expect(parseFieldPath(".['a.b'].c").segments).toEqual(["a.b", "c"]);
    expect(pointer(".metadata.annotations['iter8.tools/x']")).toBe("/metadata/annotations/iter8.tools~1x");
    expect(pointer(".metadata.annotations['a~b/c']")).toBe("/metadata/annotations/a~0b~1c");
    expect(parseFieldPath(".a['it\\'s']").segments).toEqual(["a", "it's"]);
    expect(parseFieldPath(".a[ 2 ]").segments).toEqual(["a", 2]);
  });

  it("accepts kubectl's backslash-escaped dots", () => {
    expect(parseFieldPath(".metadata.annotations.iter8\\.tools/x").segments).toEqual(["metadata", "annotations", "iter8.tools/x"]);
  });

  it.each([
    ["", 0, "empty"],
    ["spec.traffic[0].percent", 0, "must start with '.'"],
    [".spec.", 6, "ends with '.'"],
    [".spec..weight", 6, "recursive descent"],
    [".spec.*", 6, "wildcard"],
    [".spec.http[x]", 11, "expected an index"],
    [".spec.http[-1]", 11, "negative indices"],
    [".spec.http[*]", 11, "wildcards"],
    [".spec.http[0", 12, "expected ']'"],
    [".spec.http[0]weight", 13, "expected '.' or '['"],
    [".a['b", 2, "not closed"],
    [".a b", 2, "unexpected"],
  ])("rejects %j, naming the path and position %i", (text, position, problem) => {
    let error: unknown;
    try {
      parseFieldPath(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FieldPathError);
    expect((error as FieldPathError).code).toBe("invalid_field_path");
    expect((error as FieldPathError).message).toContain(`field path ${JSON.stringify(text)}`);
    expect((error as FieldPathError).message).toContain(`position ${position}`);
    expect((error as FieldPathError).message).toContain(problem);
  });

  it("refuses a path too long or nested too deep without quoting it back", () => {
    expect(() => parseFieldPath(`.spec${"['a']".repeat(300)}`)).toThrow(
      expect.objectContaining({ code: "invalid_field_path", message: "field path is 1,505 characters long, more than the 1,024 allowed; shorten it" }),
    );
    expect(() => parseFieldPath(`.${"[".repeat(50_000)}`)).toThrow(
      expect.objectContaining({ code: "invalid_field_path", message: expect.stringMatching(/^field path nests deeper than 100 levels; /) }),
    );
  });
});

describe("formatFieldPath", () => {
  it("round-trips through parseFieldPath, quoting names that need it", () => {
    for (const text of [".spec.http[0].route[1].weight", ".metadata.annotations['iter8.tools/x']", ".a['it\\'s'][3]"]) {
      const segments = parseFieldPath(text).segments;
      expect(parseFieldPath(formatFieldPath(segments)).segments).toEqual(segments);
    }
    expect(formatFieldPath(["metadata", "annotations", "iter8.tools/x"])).toBe(".metadata.annotations['iter8.tools/x']");
  });
});

describe("readFieldPath", () => {
  const object = { spec: { http: [{ route: [{ weight: 70 }, { weight: 30 }] }] } };

  it("reads the value at the path", () => {
    expect(readFieldPath(object, parseFieldPath(".spec.http[0].route[1].weight"))).toEqual({ found: true, value: 30 });
  });

  it("says which part is missing", () => {
    expect(readFieldPath(object, parseFieldPath(".spec.http[0].route[2].weight"))).toEqual({ found: false, existingPrefix: ".spec.http[0].route", missing: 2 });
    expect(readFieldPath(object, parseFieldPath(".spec.traffic[0].percent"))).toEqual({ found: false, existingPrefix: ".spec", missing: "traffic" });
  });

  it("does not read inherited properties", () => {
    expect(readFieldPath({}, ["constructor"]).found).toBe(false);
  });
});
