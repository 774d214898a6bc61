import { describe, expect, it } from "vitest";
import { requestInfo } from "./request-info";

const pick = (method: string, url: string) => {
  const { verb, apiGroup, resource, subresource, namespace, name } = requestInfo(method, url);
  return { verb, apiGroup, resource, subresource, namespace, name };
};

describe("requestInfo reads requests as kube-apiserver does", () => {
  it("names the verb, resource, subresource, namespace and name", () => {
    expect(pick("PUT", "/apis/iter8.tools/v2alpha2/namespaces/ns/experiments/exp/status")).toEqual({
      verb: "update",
      apiGroup: "iter8.tools",
      resource: "experiments",
      subresource: "status",
      namespace: "ns",
      name: "exp",
    });
    expect(pick("POST", "/api/v1/namespaces/ns/serviceaccounts/sa/token")).toMatchObject({ verb: "create", resource: "serviceaccounts", subresource: "token", name: "sa" });
    expect(pick("PATCH", "/apis/apps/v1/namespaces/ns/deployments/d")).toMatchObject({ verb: "patch", apiGroup: "apps", resource: "deployments", name: "d" });
  });

  it("tells list from watch from get, and delete from deletecollection", () => {
    expect(pick("GET", "/api/v1/namespaces/ns/configmaps").verb).toBe("list");
    expect(pick("GET", "/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=5").verb).toBe("watch");
    expect(pick("GET", "/api/v1/namespaces/ns/configmaps?watch=1").verb).toBe("watch");
    expect(pick("GET", "/api/v1/namespaces/ns/configmaps?watch=false").verb).toBe("list");
    expect(pick("GET", "/api/v1/configmaps?watch=true")).toMatchObject({ verb: "watch", namespace: "" });
    expect(pick("GET", "/api/v1/watch/namespaces/ns/configmaps")).toMatchObject({ verb: "watch", resource: "configmaps", namespace: "ns" });
    expect(pick("GET", "/api/v1/namespaces/ns/configmaps/c")).toMatchObject({ verb: "get", name: "c" });
    expect(pick("GET", "/api/v1/namespaces/ns/configmaps?watch=true&fieldSelector=metadata.name%3Dc")).toMatchObject({ verb: "watch", name: "c" });
    expect(pick("DELETE", "/api/v1/namespaces/ns/configmaps").verb).toBe("deletecollection");
    expect(pick("DELETE", "/api/v1/namespaces/ns/configmaps/c").verb).toBe("delete");
  });

  it("treats namespaces as a resource with status and finalize subresources", () => {
    expect(pick("GET", "/api/v1/namespaces/ns")).toMatchObject({ verb: "get", resource: "namespaces", name: "ns", namespace: "ns" });
    expect(pick("PUT", "/api/v1/namespaces/ns/finalize")).toMatchObject({ resource: "namespaces", subresource: "finalize", name: "ns" });
    expect(pick("GET", "/api/v1/namespaces")).toMatchObject({ verb: "list", resource: "namespaces", name: "" });
  });

  it("leaves non-resource paths and discovery alone", () => {
    for (const path of ["/healthz", "/version", "/api", "/api/v1", "/apis/iter8.tools/v2alpha2", "/openapi/v3/apis/batch/v1"]) {
      expect(requestInfo("GET", path).isResourceRequest, path).toBe(false);
    }
  });
});
