import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { experimentYaml } from "./__fixtures__/local-files";
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

/** The routing document of ROUTES as `kubectl get -o json` prints it. */
const ROUTES_JSON = `${JSON.stringify(parse(ROUTES.slice(0, ROUTES.indexOf("---"))), null, 4)}\n`;

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

describe("LocalDocuments writes keep the file's format", () => {
  const experiment = parse(experimentYaml()) as Record<string, unknown>;
  const cartAb = { kind: "Experiment", namespace: "shop", name: "cart-ab" };
  const running = {
    stage: "Running",
    completedIterations: 1,
    conditions: [{ type: "Completed", status: "False", reason: "IterationUpdate", message: "Completed Iteration 1" }],
  };
  const completed = {
    stage: "Completed",
    completedIterations: 2,
    conditions: [
      { type: "Completed", status: "True", reason: "ExperimentCompleted", message: "Experiment completed" },
      { type: "Failed", status: "False" },
    ],
    versionRecommendedForPromotion: "cart-v2",
  };
  const withStatus = (status: object) => (value: Record<string, unknown>) => ({ ...value, status });
  const withoutStatus = ({ status: _, ...value }: Record<string, unknown>) => value;

  it.each([
    ["2 spaces", "experiment.json", 2, "\n"],
    ["4 spaces", "experiment.json", 4, "\n"],
    ["tabs", "experiment.json", "\t", "\n"],
    ["nothing (one line)", "experiment.json", undefined, ""],
    ["2 spaces, without a final newline", "experiment.json", 2, ""],
    ["2 spaces, in a .yaml file", "experiment.yaml", 2, "\n"],
  ])("keeps a JSON experiment valid JSON, indented with %s, through every status write", async (_, name, indent, end) => {
    const json = (value: unknown) => JSON.stringify(value, null, indent) + end;
    const files = new MemoryDocumentFiles({ [name]: json(experiment) });
    const docs = await LocalDocuments.open(files, [name]);
    for (const status of [running, completed]) {
      await docs.update(cartAb, withStatus(status));
      const text = files.peek(name)!;
      expect(JSON.parse(text)).toEqual({ ...experiment, status });
      expect(text).toBe(json({ ...experiment, status }));
    }
    await docs.update(cartAb, withoutStatus);
    expect(files.peek(name)).toBe(json(experiment));
  });

  it("keeps a JSON routing file valid JSON, in its indentation, when weights are patched", async () => {
    const original = ROUTES_JSON;
    const files = new MemoryDocumentFiles({ "routes.json": original });
    const docs = await LocalDocuments.open(files, ["routes.json"]);
    await docs.update(cart, setWeights(70, 30));
    const text = files.peek("routes.json")!;
    expect(JSON.parse(text)).toEqual(setWeights(70, 30)(JSON.parse(ROUTES_JSON) as Record<string, unknown>));
    expect(text).toBe(original.replace('"weight": 100', '"weight": 70').replace('"weight": 0', '"weight": 30'));
  });

  it("leaves untouched JSON values exactly as written (kubectl's \\u003c escapes stay escapes)", async () => {
    const original = ROUTES_JSON.replace('"name": "cart",', '"name": "cart",\n        "annotations": {\n            "note": "\\u003cb\\u003ecanary\\u003c/b\\u003e"\n        },');
    const files = new MemoryDocumentFiles({ "routes.json": original });
    const docs = await LocalDocuments.open(files, ["routes.json"]);
    await docs.update(cart, setWeights(70, 30));
    expect(files.peek("routes.json")).toBe(original.replace('"weight": 100', '"weight": 70').replace('"weight": 0', '"weight": 30'));
  });

  it("writes the status of a YAML experiment leaving every other byte as it was, comments and flow sequences included", async () => {
    const actions = "      finish:\n      - task: common/exec   # promotes the winner\n        with:\n          cmd: promote\n          args: [a, b]\n\n";
    const original = experimentYaml({ actions }).replace("  target: shop/cart\n", "  target: shop/cart    # the service under test\n\n");
    const files = new MemoryDocumentFiles({ "experiment.yaml": original });
    const docs = await LocalDocuments.open(files, ["experiment.yaml"]);
    await docs.update(cartAb, withStatus(running));
    expect(files.peek("experiment.yaml")).toBe(
      `${original}status:
  stage: Running
  completedIterations: 1
  conditions:
  - type: Completed
    status: "False"
    reason: IterationUpdate
    message: Completed Iteration 1
`,
    );
    await docs.update(cartAb, withStatus(completed));
    expect(files.peek("experiment.yaml")).toBe(
      `${original}status:
  stage: Completed
  completedIterations: 2
  conditions:
  - type: Completed
    status: "True"
    reason: ExperimentCompleted
    message: Experiment completed
  - type: Failed
    status: "False"
  versionRecommendedForPromotion: cart-v2
`,
    );
    await docs.update(cartAb, withoutStatus);
    expect(files.peek("experiment.yaml")).toBe(original);
  });

  it("changes only the weights of a YAML routing file indented by 4, its flow sequences and comment spacing untouched", async () => {
    const original = `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
    name: cart
    namespace: shop
spec:
    hosts: [cart, cart.shop]    # both names

    http:
        - route:
              - destination: {host: cart-v1}
                weight: 100    # all traffic here at first
              - destination: {host: cart-v2}
                weight: 0
`;
    const files = new MemoryDocumentFiles({ "routes.yaml": original });
    const docs = await LocalDocuments.open(files, ["routes.yaml"]);
    await docs.update(cart, setWeights(60, 40));
    expect(files.peek("routes.yaml")).toBe(original.replace("weight: 100 ", "weight: 60 ").replace("weight: 0\n", "weight: 40\n"));
  });

  it("keeps the other documents of a file mixing YAML routing and a JSON experiment byte for byte", async () => {
    const routing = ROUTES.slice(0, ROUTES.indexOf("---"));
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
    const files = new MemoryDocumentFiles({ "all.yaml": `${routing}---\n${json(experiment)}` });
    const docs = await LocalDocuments.open(files, ["all.yaml"]);
    await docs.update(cartAb, withStatus(running));
    expect(files.peek("all.yaml")).toBe(`${routing}---\n${json({ ...experiment, status: running })}`);
    await docs.update(cart, setWeights(90, 10));
    expect(files.peek("all.yaml")).toBe(`${routing.replace("weight: 100", "weight: 90").replace("weight: 0", "weight: 10")}---\n${json({ ...experiment, status: running })}`);
    const [, experimentText] = files.peek("all.yaml")!.split("---\n");
    expect(JSON.parse(experimentText!)).toEqual({ ...experiment, status: running });
  });

  it("writes what was asked where the layout cannot be kept (a value shared through an anchor)", async () => {
    const original = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  a: &value one # shared\n  b: *value\n";
    const files = new MemoryDocumentFiles({ "shared.yaml": original });
    const docs = await LocalDocuments.open(files, ["shared.yaml"]);
    await docs.update({ kind: "ConfigMap", name: "shared" }, (v) => ({ ...v, data: { a: "two", b: "one" } }));
    expect(parse(files.peek("shared.yaml")!)).toMatchObject({ data: { a: "two", b: "one" } });
    const [object] = await docs.find({ kind: "ConfigMap", name: "shared" });
    expect(object?.value.data).toEqual({ a: "two", b: "one" });
  });
});
