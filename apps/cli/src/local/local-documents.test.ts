import { describe, expect, it } from "vitest";
import { MemoryDocumentFiles } from "./document-files";
import { LocalDocuments } from "./local-documents";
import { LocalRunError } from "./local-run-error";

const ROUTES = `# routes of the shop
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: cart
  namespace: shop
spec:
  http:
  - route:
    - destination:
        host: cart-v1 # today's version
      weight: 100
    - destination:
        host: cart-v2
      weight: 0
---
# left alone
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  flags: "a,b"   # odd spacing kept
`;

const cart = { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "shop", name: "cart" };

function setWeights(v1: number, v2: number) {
  return (value: Record<string, unknown>) => {
    const next = structuredClone(value) as { spec: { http: { route: { weight: number }[] }[] } };
    next.spec.http[0]!.route[0]!.weight = v1;
    next.spec.http[0]!.route[1]!.weight = v2;
    return next as unknown as Record<string, unknown>;
  };
}

describe("LocalDocuments", () => {
  it("finds objects by kind, namespace and name, with `default` for documents without a namespace", async () => {
    const files = new MemoryDocumentFiles({ "a.yaml": ROUTES, "b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n" });
    const docs = await LocalDocuments.open(files, ["a.yaml", "b.yaml"]);
    expect((await docs.find(cart)).map((o) => [o.file, o.line])).toEqual([["a.yaml", 2]]);
    expect((await docs.find({ kind: "ConfigMap", name: "plain" }))[0]?.namespace).toBe("default");
    expect(await docs.find({ ...cart, apiVersion: "networking.istio.io/v1alpha3" })).toEqual([]);
  });

  it("reports every invalid document with its file and line before anything runs", async () => {
    const files = new MemoryDocumentFiles({
      "bad.yaml": "apiVersion: iter8.tools/v2alpha2\nkind: Metric\nmetadata:\n  name: m\nspec:\n  method: PUT\n---\nkind: [unclosed\n",
    });
    const error = await LocalDocuments.open(files, ["bad.yaml"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalRunError);
    const problems = (error as LocalRunError).problems.join("\n");
    expect(problems).toMatch(/bad\.yaml:6: Metric m: spec\.method: /);
    expect(problems).toMatch(/bad\.yaml:9: .*is not valid YAML/);
  });

  it("takes an object defined twice from its last definition, as kubectl apply -f would, and says so", async () => {
    const later = ROUTES.replace("weight: 100", "weight: 30").replace("weight: 0", "weight: 70");
    const files = new MemoryDocumentFiles({ "a.yaml": ROUTES, "b.yaml": later });
    const docs = await LocalDocuments.open(files, ["a.yaml", "b.yaml"]);
    expect(docs.notes).toContain("VirtualService shop/cart is defined in a.yaml:2 and again in b.yaml:2; the later one is used, as kubectl apply -f would leave it");
    const found = await docs.find(cart);
    expect(found.map((o) => o.file)).toEqual(["b.yaml"]);
    await docs.update(cart, setWeights(20, 80));
    expect(files.peek("a.yaml")).toBe(ROUTES);
    expect(files.peek("b.yaml")).toContain("weight: 80");
  });

  it("writes one object back and keeps the comments and layout of the rest of the file", async () => {
    const files = new MemoryDocumentFiles({ "a.yaml": ROUTES });
    const docs = await LocalDocuments.open(files, ["a.yaml"]);
    const result = await docs.update(cart, setWeights(90, 10));
    expect(result.kind).toBe("written");
    const text = files.peek("a.yaml")!;
    expect(text).toContain("# routes of the shop\n");
    expect(text).toContain("host: cart-v1 # today's version\n      weight: 90\n");
    expect(text).toContain("      weight: 10\n");
    // The other document is copied as it was, odd spacing included.
    expect(text.slice(text.indexOf("---"))).toBe(ROUTES.slice(ROUTES.indexOf("---")));
  });

  it("sees changes another program made to the files", async () => {
    const files = new MemoryDocumentFiles({ "a.yaml": ROUTES });
    const docs = await LocalDocuments.open(files, ["a.yaml"]);
    await files.write("a.yaml", ROUTES.replace("weight: 100", "weight: 40").replace("weight: 0", "weight: 60"));
    const [object] = await docs.find(cart);
    expect((object?.value as { spec: { http: { route: { weight: number }[] }[] } }).spec.http[0]!.route.map((r) => r.weight)).toEqual([40, 60]);
  });

  it("refuses a write guarded by a version that an edit made stale, and changes nothing", async () => {
    const files = new MemoryDocumentFiles({ "a.yaml": ROUTES });
    const docs = await LocalDocuments.open(files, ["a.yaml"]);
    const [before] = await docs.find(cart);
    await files.write("a.yaml", ROUTES.replace("host: cart-v2", "host: cart-v2-hotfix"));
    const edited = files.peek("a.yaml");
    expect(await docs.update(cart, setWeights(90, 10), before!.version)).toEqual({ kind: "conflict" });
    expect(files.peek("a.yaml")).toBe(edited);
    const [now] = await docs.find(cart);
    expect((await docs.update(cart, setWeights(90, 10), now!.version)).kind).toBe("written");
  });

  it("gives an object a new version whenever its content changes, and the same one otherwise", async () => {
    const files = new MemoryDocumentFiles({ "a.yaml": ROUTES });
    const docs = await LocalDocuments.open(files, ["a.yaml"]);
    const [first] = await docs.find(cart);
    const [again] = await docs.find(cart);
    expect(again!.version).toBe(first!.version);
    const written = await docs.update(cart, setWeights(90, 10));
    expect(written.kind === "written" && written.object.version).not.toBe(first!.version);
  });

  it("answers notFound for an object that is not in the files", async () => {
    const docs = await LocalDocuments.open(new MemoryDocumentFiles({ "a.yaml": ROUTES }), ["a.yaml"]);
    expect(await docs.update({ ...cart, name: "checkout" }, (v) => v)).toEqual({ kind: "notFound" });
  });

  it("writes an item of a List (kubectl get -o yaml output) in place", async () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: one
  data:
    x: "1"
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: two
  data:
    x: "2"
`;
    const files = new MemoryDocumentFiles({ "list.yaml": list });
    const docs = await LocalDocuments.open(files, ["list.yaml"]);
    await docs.update({ kind: "ConfigMap", name: "two" }, (v) => ({ ...v, data: { x: "3" } }));
    expect(files.peek("list.yaml")).toBe(list.replace('x: "2"', 'x: "3"'));
  });

  it("serialises concurrent writes to one file so that none is lost", async () => {
    const files = new MemoryDocumentFiles({ "a.yaml": ROUTES });
    const docs = await LocalDocuments.open(files, ["a.yaml"]);
    await Promise.all(
      ["a", "b", "c", "d"].map((label) =>
        docs.update({ kind: "ConfigMap", namespace: "shop", name: "settings" }, (v) => ({ ...v, data: { ...(v.data as object), [label]: label } })),
      ),
    );
    const [settings] = await docs.find({ kind: "ConfigMap", namespace: "shop", name: "settings" });
    expect(settings?.value.data).toEqual({ flags: "a,b", a: "a", b: "b", c: "c", d: "d" });
  });
});
