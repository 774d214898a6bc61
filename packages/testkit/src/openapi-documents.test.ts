import { describe, expect, it } from "vitest";
import { builtinResourceTypes } from "./builtin-resources";
import { defaultCustomResourceDefinitions, resourceTypesFromCrd } from "./custom-resources";
import { openApiV2Document, openApiV3Document, openApiV3Index } from "./openapi-documents";
import { ResourceRegistry } from "./resource-registry";

function registry() {
  const r = new ResourceRegistry();
  for (const t of builtinResourceTypes()) r.add(t);
  for (const crd of defaultCustomResourceDefinitions()) for (const t of resourceTypesFromCrd(crd, () => undefined)) r.add(t);
  return r;
}

describe("OpenAPI documents", () => {
  it("indexes every group version with a hash kubectl can cache by", () => {
    const paths = openApiV3Index(registry()).paths as Record<string, { serverRelativeURL: string }>;
    expect(paths["api/v1"]?.serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(["apis/iter8.tools/v2alpha2", "apis/networking.istio.io/v1beta1", "apis/batch/v1"]));
  });

  it("says which kind each PATCH is for, that it takes fieldValidation and dryRun, and which patch types", () => {
    const doc = openApiV3Document(registry(), "iter8.tools", "v2alpha2") as { paths: Record<string, { patch?: Record<string, unknown> }>; components: { schemas: Record<string, Record<string, unknown>> } };
    const patch = doc.paths["/apis/iter8.tools/v2alpha2/namespaces/{namespace}/experiments/{name}"]?.patch;
    expect(patch?.["x-kubernetes-group-version-kind"]).toEqual({ group: "iter8.tools", version: "v2alpha2", kind: "Experiment" });
    expect((patch?.parameters as { name: string }[]).map((p) => p.name)).toEqual(expect.arrayContaining(["fieldValidation", "dryRun", "fieldManager", "force"]));
    expect(Object.keys((patch?.requestBody as { content: object }).content)).not.toContain("application/strategic-merge-patch+json");
    const schema = doc.components.schemas["tools.iter8.v2alpha2.Experiment"];
    expect(schema?.["x-kubernetes-group-version-kind"]).toEqual([{ group: "iter8.tools", version: "v2alpha2", kind: "Experiment" }]);
    expect(Object.keys(schema?.properties as object)).toEqual(expect.arrayContaining(["apiVersion", "kind", "metadata", "spec", "status"]));
    expect(openApiV3Document(registry(), "nope.example.com", "v1")).toBeUndefined();
  });

  it("serves the same schemas as Swagger 2.0 definitions", () => {
    const v2 = openApiV2Document(registry()) as { swagger: string; definitions: Record<string, { properties?: Record<string, { allOf?: { $ref: string }[] }> }> };
    expect(v2.swagger).toBe("2.0");
    expect(v2.definitions["io.k8s.api.core.v1.ConfigMap"]?.properties?.metadata?.allOf?.[0]?.$ref).toBe("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  });
});
