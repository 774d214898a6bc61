import { describe, expect, it } from "vitest";
import { parseDocuments } from "./parse-documents";

const FILE = `# routing for the experiment below
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: bookinfo
  namespace: bookinfo-iter8
spec:
  http:
  - route:
    - destination: {host: productpage, subset: v1}
      weight: 100
---
apiVersion: iter8.tools/v2alpha2
kind: Metric
metadata:
  name: request-count
  namespace: iter8-istio
spec:
  type: Counter
  urlTemplate: http://prometheus:9090/api/v1/query
  jqExpression: .data.result[0].value[1] | tonumber
---
apiVersion: v1
kind: Secret
metadata:
  name: nr-creds
stringData:
  apiKey: t0p-secret
data:
  token: dG9rZW4=
---
---
apiVersion: iter8.tools/v2alpha2
kind: Experiment
metadata:
  name: broken
spec:
  target: bookinfo-iter8/productpage
  strategy:
    testingPattern: Conformance
  versionInfo:
    baseline: {name: v1}
    candidates: [{name: v2}]
---
- just
- a list
`;

describe("parseDocuments", () => {
  const docs = parseDocuments(FILE);

  it("routes each document by kind and remembers where it starts", () => {
    expect(docs.map((d) => [d.index, d.line, d.type, d.kind, d.name])).toEqual([
      [0, 2, "other", "VirtualService", "bookinfo"],
      [1, 13, "metric", "Metric", "request-count"],
      [2, 23, "secret", "Secret", "nr-creds"],
      [4, 33, "experiment", "Experiment", "broken"],
      [5, 45, "invalid", undefined, undefined],
    ]);
  });

  it("passes other kinds through untouched", () => {
    const routing = docs[0]!;
    expect(routing.type === "other" && routing.result.value).toMatchObject({
      apiVersion: "networking.istio.io/v1beta1",
      spec: { http: [{ route: [{ destination: { host: "productpage", subset: "v1" }, weight: 100 }] }] },
    });
    expect(routing.namespace).toBe("bookinfo-iter8");
  });

  it("validates Metrics and Secrets", () => {
    const metric = docs[1]!;
    expect(metric.type === "metric" && metric.result.ok && metric.result.value.spec.method).toBe("GET");
    const secret = docs[2]!;
    expect(secret.type === "secret" && secret.result.ok && secret.result.value.stringData).toEqual({ apiKey: "t0p-secret" });
  });

  it("reports an invalid Experiment with lines in the whole file", () => {
    expect(docs[3]!.result).toEqual({
      ok: false,
      errors: [
        {
          path: "spec.versionInfo.candidates",
          code: "candidate_count",
          message: "must be empty: a Conformance experiment tests only the baseline (got 1 candidate)",
          line: 43,
        },
      ],
    });
  });

  it("reports a document that is not an object", () => {
    expect(docs[4]!.result).toEqual({
      ok: false,
      errors: [{ path: "(document)", code: "invalid_type", message: "must be a Kubernetes object with apiVersion, kind and metadata", line: 45 }],
    });
  });

  it("treats another group's Experiment kind as someone else's object", () => {
    const [doc] = parseDocuments("apiVersion: chaos.example.com/v1\nkind: Experiment\nmetadata: {name: x}\n");
    expect(doc?.type).toBe("other");
  });

  it("reports a wrong iter8 apiVersion on the field", () => {
    const [doc] = parseDocuments("apiVersion: iter8.tools/v2alpha1\nkind: Metric\nmetadata: {name: m}\nspec: {provider: iter8}\n");
    expect(doc?.type).toBe("metric");
    expect(doc?.result).toEqual({
      ok: false,
      errors: [{ path: "apiVersion", code: "invalid_value", message: 'must be "iter8.tools/v2alpha2" (got "iter8.tools/v2alpha1")', line: 1 }],
    });
  });

  it("reports YAML syntax errors per document and goes on with the next", () => {
    const result = parseDocuments("a: [1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    expect(result.map((d) => d.type)).toEqual(["invalid", "other"]);
    expect(result[0]!.result.ok ? [] : result[0]!.result.errors[0]).toMatchObject({ code: "syntax", path: "(document)" });
  });

  it("reports a document whose aliases expand too much, and goes on with the next", () => {
    const bomb = "a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
    const result = parseDocuments(`${bomb}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`);
    expect(result.map((d) => d.type)).toEqual(["invalid", "other"]);
    expect(result[0]!.result.ok ? [] : result[0]!.result.errors[0]).toMatchObject({ code: "syntax", path: "(document)", line: 1 });
  });

  it("returns nothing for an empty text", () => {
    expect(parseDocuments("")).toEqual([]);
    expect(parseDocuments("# only a comment\n")).toEqual([]);
  });
});

describe("parseDocuments on kubectl output", () => {
  it("opens a List and checks each item with lines in the whole text", () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: iter8.tools/v2alpha2
  kind: Metric
  metadata: {name: ok-metric, namespace: iter8-system}
  spec: {provider: iter8}
- apiVersion: iter8.tools/v2alpha2
  kind: Metric
  metadata: {name: bad-metric, namespace: iter8-system}
  spec:
    provider: iter8
    type: Histogram
metadata:
  resourceVersion: ""
`;
    const docs = parseDocuments(list);
    expect(docs.map((d) => [d.index, d.item, d.line, d.type, d.name, d.result.ok])).toEqual([
      [0, 0, 4, "metric", "ok-metric", true],
      [0, 1, 8, "metric", "bad-metric", false],
    ]);
    expect(docs[1]!.result.ok ? [] : docs[1]!.result.errors).toEqual([
      { path: "spec.type", code: "invalid_value", message: 'must be one of Counter, Gauge (got "Histogram")', line: 13 },
    ]);
  });

  it("returns nothing for an empty List", () => {
    expect(parseDocuments("apiVersion: v1\nkind: List\nitems: []\n")).toEqual([]);
  });
});
