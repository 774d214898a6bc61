import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { MemoryDocumentFiles } from "./document-files";
import { LocalDocuments } from "./local-documents";
import { restoreLineLayout } from "./keep-layout";

describe("restoreLineLayout", () => {
  it("gives untouched lines back their flow padding and the spaces before their comments", () => {
    const original = "spec:\n  hosts: [app, app.shop]     # both names\n  tags: { team: shop }\n  weight: 100   # baseline\n";
    const doc = parseDocument(original);
    doc.setIn(["spec", "weight"], 90);
    const printed = doc.toString({ flowCollectionPadding: true });
    expect(printed).toContain("hosts: [ app, app.shop ] # both names");
    expect(restoreLineLayout(original, printed)).toBe("spec:\n  hosts: [app, app.shop]     # both names\n  tags: { team: shop }\n  weight: 90 # baseline\n");
  });

  it("leaves a line as printed when its value changed, or when two original lines could be its source", () => {
    const original = "a: [x, y]\nb: [x,  y]   # two\nc:  'p  q'\n";
    const printed = "a: [ x, z ]\nb: [ x, y ] # two\nc: 'p q'\n";
    // a changed (y → z); b has a single source; c's quoted spacing is content, not layout.
    expect(restoreLineLayout(original, printed)).toBe("a: [ x, z ]\nb: [x,  y]   # two\nc: 'p q'\n");
    expect(restoreLineLayout("k: [a]\nk: [ a ]\n", "k: [ a ]\n")).toBe("k: [ a ]\n");
  });
});

describe("LocalDocuments.update when the document must be re-printed", () => {
  it("keeps the layout of the lines it did not change (flow padding, comment spacing)", async () => {
    // The anchor shared by a and b makes a splice impossible, so the document is re-printed.
    const original = [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: shared, namespace: shop}   # one line",
      "data:",
      "  a: &value one # shared",
      "  b: *value",
      "  hosts: \"[app, other]\"",
      "  list: [x, y]        # flow, unpadded",
      "  map: { k: v }       # flow, padded",
      "",
    ].join("\n");
    const files = new MemoryDocumentFiles({ "shared.yaml": original });
    const docs = await LocalDocuments.open(files, ["shared.yaml"]);
    const result = await docs.update({ kind: "ConfigMap", namespace: "shop", name: "shared" }, (v) => ({ ...v, data: { ...(v.data as object), a: "two", b: "one" } }));
    expect(result.kind).toBe("written");
    const written = files.peek("shared.yaml")!;
    expect(written).toContain("metadata: {name: shared, namespace: shop}   # one line\n");
    expect(written).toContain("  list: [x, y]        # flow, unpadded\n");
    expect(written).toContain("  map: { k: v }       # flow, padded\n");
    expect(parseDocument(written).toJS()).toMatchObject({ data: { a: "two", b: "one", list: ["x", "y"], map: { k: "v" } } });
  });
});
