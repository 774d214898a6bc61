import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemoryResourceClient } from "@iter8ts/resources/testing";
import { startKubectlStandIn, type KubectlStandIn } from "./kubectl-stand-in";

function bash(script: string, env: Readonly<Record<string, string>>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("/bin/bash", ["-c", script], { env: { ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const vs = (weight: number) => `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: bookinfo
spec:
  http:
  - route:
    - destination: { host: productpage, subset: v2 }
      weight: ${weight}
`;

describe("the kubectl stand-in", () => {
  let dir: string;
  let client: InMemoryResourceClient;
  let standIn: KubectlStandIn;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "stand-in-test-"));
    await writeFile(join(dir, "vs.yaml"), vs(100));
    await writeFile(join(dir, "both.yaml"), `${vs(100)}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: bookinfo-iter8\n  namespace: ignored\n`);
    await writeFile(join(dir, "gateway.yaml"), "apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata:\n  name: gw\n");
    await writeFile(join(dir, "other-ns.yaml"), vs(100).replace("name: bookinfo", "name: bookinfo\n  namespace: other"));
    client = new InMemoryResourceClient([
      { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", metadata: { name: "bookinfo", namespace: "bookinfo-iter8" }, spec: { http: [] } },
    ]);
    standIn = await startKubectlStandIn(client, [{ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService" }]);
  });

  afterAll(async () => {
    await standIn.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("applies a manifest from a shell that finds it on PATH, into the -n namespace", async () => {
    const out = await bash(`kubectl -n bookinfo-iter8 apply -f ${dir}/vs.yaml`, standIn.env);
    expect(out).toMatchObject({ code: 0, stdout: "virtualservice.networking.istio.io/bookinfo configured\n" });
    expect(client.peek({ kind: "VirtualService", namespace: "bookinfo-iter8", name: "bookinfo" })?.spec).toEqual({
      http: [{ route: [{ destination: { host: "productpage", subset: "v2" }, weight: 100 }] }],
    });
    const again = await bash(`kubectl apply --namespace=bookinfo-iter8 --filename=${dir}/vs.yaml`, standIn.env);
    expect(again.stdout).toBe("virtualservice.networking.istio.io/bookinfo unchanged\n");
    await bash(`kubectl apply -n bookinfo-iter8 -f ${dir}/vs.yaml`, standIn.env);
    expect(standIn.applied).toEqual([
      { object: "VirtualService bookinfo-iter8/bookinfo", outcome: "configured" },
      { object: "VirtualService bookinfo-iter8/bookinfo", outcome: "unchanged" },
      { object: "VirtualService bookinfo-iter8/bookinfo", outcome: "unchanged" },
    ]);
  });

  it("creates what is new and keeps cluster-scoped objects out of namespaces", async () => {
    const out = await bash(`kubectl apply -n bookinfo-iter8 -f ${dir}/both.yaml`, standIn.env);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("namespace/bookinfo-iter8 created");
    expect(client.peek({ kind: "Namespace", name: "bookinfo-iter8" })?.metadata.namespace).toBeUndefined();
  });

  it("refuses what kubectl refuses, changing nothing, with kubectl's wording", async () => {
    const before = client.peek({ kind: "VirtualService", namespace: "bookinfo-iter8", name: "bookinfo" });
    const applied = structuredClone(standIn.applied);
    const mismatch = await bash(`kubectl apply -n bookinfo-iter8 -f ${dir}/other-ns.yaml`, standIn.env);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain(`the namespace from the provided object "other" does not match the namespace "bookinfo-iter8"`);
    const missing = await bash(`kubectl apply -f ${dir}/nope.yaml`, standIn.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: the path "${dir}/nope.yaml" does not exist\n`);
    const url = await bash("kubectl apply -f https://example.com/vs.yaml", standIn.env);
    expect(url.stderr).toContain("cannot download https://example.com/vs.yaml");
    const verb = await bash("kubectl delete -f x.yaml", standIn.env);
    expect(verb.stderr).toContain("runs only kubectl apply");
    const unserved = await bash(`kubectl apply -f ${dir}/gateway.yaml`, standIn.env);
    expect(unserved.code).toBe(1);
    expect(unserved.stderr).toContain('resource mapping not found for kind "Gateway" in version "networking.istio.io/v1beta1"');
    expect(client.peek({ kind: "VirtualService", namespace: "bookinfo-iter8", name: "bookinfo" })).toEqual(before);
    expect(standIn.applied).toEqual(applied);
  });
});
