import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { editDocumentText, rewriteJsonDocument } from "./edit-document-text";

const style = { indent: 2, indentSeq: false, flowCollectionPadding: false, lineWidth: 0 };

/** The text with document `index` changed to `after`, checked to read back as `after`. */
function edit(text: string, after: unknown, index = 0): string | undefined {
  const document = parseAllDocuments(text)[index]!;
  const edited = editDocumentText(text, document, document.toJS(), after, style);
  if (edited !== undefined) expect(parseAllDocuments(edited)[index]?.toJS()).toEqual(after);
  return edited;
}

describe("editDocumentText", () => {
  it("adds keys to inner and outer maps at the end of their blocks, and drops a key's lines", () => {
    expect(edit("a: 1\nb:\n  c: 2\n  d: 3 # old\n", { a: 1, b: { c: 2, x: [1] }, e: 1 })).toBe("a: 1\nb:\n  c: 2\n  x:\n  - 1\ne: 1\n");
  });

  it("keeps a missing final newline missing", () => {
    expect(edit("a: 1\nb: 2", { a: 1 })).toBe("a: 1");
    expect(edit("a: 1", { a: 1, b: 2 })).toBe("a: 1\nb: 2");
  });

  it("reprints a sequence item's map when its first key goes, since the key shares the line with `- `", () => {
    expect(edit("items:\n- a: 1\n  b: 2\n- a: 3\n", { items: [{ b: 2 }, { a: 3 }] })).toBe("items:\n- b: 2\n- a: 3\n");
  });

  it("replaces block scalars, keeps quoting and trailing comments, and keeps flow collections flow with their padding", () => {
    const text = 's: |\n  one\n  two\nt: "quoted"   # why\nm: {a: 1, b: 2}\nn: [ x, y ]\nk:\n';
    const after = { s: "three\n", t: "other", m: { a: 5, b: 2 }, n: ["x", "y", "z"], k: { deep: [1, 2] } };
    expect(edit(text, after)).toBe('s: |\n  three\nt: "other"   # why\nm: {a: 5, b: 2}\nn: [ x, y, z ]\nk:\n  deep:\n  - 1\n  - 2\n');
  });

  it("writes a JSON document's changes as JSON in its indentation, printing afresh an object that was on one line", () => {
    const text = '{\n    "a": {"x": 1},\n    "b": [\n        1,\n        2\n    ]\n}';
    expect(edit(text, { a: { x: 1, y: 2 }, b: [1, { q: 1 }], c: null })).toBe(
      '{\n    "a": {\n        "x": 1,\n        "y": 2\n    },\n    "b": [\n        1,\n        {\n            "q": 1\n        }\n    ],\n    "c": null\n}',
    );
  });

  it("drops JSON keys with their commas, first, middle or last", () => {
    expect(edit('{"a": 1, "b": 2, "c": 3}', { b: 2 })).toBe('{"b": 2}');
    expect(edit('{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n', { a: 1, c: 3, d: {} })).toBe('{\n  "a": 1,\n  "c": 3,\n  "d": {}\n}\n');
  });

  it("edits one JSON document of a YAML stream, leaving the comments around it", () => {
    expect(edit('# head\nkind: X\n---\n{"kind":"Y"}\n# tail\n', { kind: "Y", status: { s: 1 } }, 1)).toBe('# head\nkind: X\n---\n{"kind":"Y","status":{"s":1}}\n# tail\n');
  });
});

describe("rewriteJsonDocument", () => {
  it("prints a JSON document afresh in its own indentation, leaving the rest of the file", () => {
    const text = 'kind: X\n---\n{\n\t"kind": "Y"\n}\n';
    const document = parseAllDocuments(text)[1]!;
    expect(rewriteJsonDocument(text, document, { kind: "Z", n: [1] })).toBe('kind: X\n---\n{\n\t"kind": "Z",\n\t"n": [\n\t\t1\n\t]\n}\n');
  });
});
