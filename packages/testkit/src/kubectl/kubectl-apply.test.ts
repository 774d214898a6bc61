// The kubectl the tests apply with: kubectl's three-way merge, and the stand-in executable that
// action Jobs and finish tasks run, against a loopback API server.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeTestServer } from "../kube-test-server";
import { installKubectl, type InstalledKubectl } from "./install-kubectl";
import { LAST_APPLIED, threeWayMergePatch } from "./kubectl-apply.mjs";

describe("threeWayMergePatch", () => {
  it("sets what changed, deletes what the last apply had and this one dropped, and keeps what others own", () => {
    const original = { spec: { template: { name: "v1" }, replicas: 2 } };
    const modified = { spec: { template: { name: "v2" }, traffic: [{ percent: 100 }] } };
    const current = { spec: { template: { name: "v1" }, replicas: 2, traffic: [{ percent: 90 }, { percent: 10 }] }, status: { ready: true } };
    expect(threeWayMergePatch(original, modified, current)).toEqual({ spec: { template: { name: "v2" }, traffic: [{ percent: 100 }], replicas: null } });
  });

  it("is empty when the object already holds what is applied", () => {
    const applied = { spec: { http: [{ route: [{ weight: 100 }] }] } };
    expect(threeWayMergePatch(applied, applied, { ...structuredClone(applied), status: {} })).toEqual({});
  });
});

describe("the kubectl stand-in", () => {
  let server: KubeTestServer;
  let kubectl: InstalledKubectl;
  let dir: string;

  beforeAll(async () => {
    server = await KubeTestServer.start({ namespaces: ["default", "shop"] });
    kubectl = await installKubectl();
    dir = await mkdtemp(join(tmpdir(), "iter8ts-kubectl-test-"));
  });

  afterAll(async () => {
    await server?.close();
    await kubectl?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(join(kubectl.folder, "kubectl"), args, { env: { PATH: "/usr/bin:/bin", KUBECONFIG: server.kubeconfigPath }, encoding: "utf8", timeout: 15_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      });
    });
  }

  it("creates, then configures an object from a manifest, keeping the last applied configuration", async () => {
    const file = join(dir, "vs.yaml");
    const manifest = (weights: number[]) =>
      [
        "apiVersion: networking.istio.io/v1beta1",
        "kind: VirtualService",
        "metadata:",
        "  name: recommender",
        "spec:",
        "  http:",
        "  - route:",
        ...weights.map((w, i) => `    - destination: { host: model-${i} }\n      weight: ${w}`),
      ].join("\n");
    await writeFile(file, manifest([100, 0]));
    expect(await run(["apply", "-n", "shop", "-f", file])).toMatchObject({ code: 0, stdout: "virtualservice.networking.istio.io/recommender created\n" });
    await writeFile(file, manifest([100]));
    expect(await run(["-n", "shop", "apply", "-f", file])).toMatchObject({ code: 0, stdout: "virtualservice.networking.istio.io/recommender configured\n" });
    expect(await run(["apply", "-n", "shop", "-f", file])).toMatchObject({ code: 0, stdout: "virtualservice.networking.istio.io/recommender unchanged\n" });

    const stored = server.get("networking.istio.io/v1beta1", "VirtualService", "recommender", "shop") as { metadata: { annotations: Record<string, string> }; spec: unknown };
    expect(stored.spec).toEqual({ http: [{ route: [{ destination: { host: "model-0" }, weight: 100 }] }] });
    expect(JSON.parse(stored.metadata.annotations[LAST_APPLIED]!)).toMatchObject({ metadata: { name: "recommender", namespace: "shop" }, spec: stored.spec });
  });

  it("refuses URLs, other namespaces and other commands the way kubectl words it, with exit status 1", async () => {
    const url = await run(["apply", "-f", "https://example.com/promote-v2.yaml"]);
    expect(url.code).toBe(1);
    expect(url.stderr).toContain("cannot download https://example.com/promote-v2.yaml");

    const file = join(dir, "elsewhere.yaml");
    await writeFile(file, "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: default }\n");
    const mismatch = await run(["apply", "-n", "shop", "-f", file]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain(`the namespace from the provided object "default" does not match the namespace "shop"`);

    expect((await run(["delete", "-f", file])).code).toBe(1);
    expect(server.find("v1", "ConfigMap", "c", "default")).toBeUndefined();
  });

  it("applies the manifests of a folder, and of its subfolders with -R", async () => {
    const folder = join(dir, "manifests");
    await mkdir(join(folder, "nested"), { recursive: true });
    await writeFile(join(folder, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: { k: v }\n");
    await writeFile(join(folder, "notes.txt"), "not a manifest");
    await writeFile(join(folder, "nested", "b.json"), JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } }));
    expect(await run(["apply", "-n", "shop", "-f", folder])).toMatchObject({ code: 0, stdout: "configmap/a created\n" });
    expect(await run(["apply", "-n", "shop", "-R", "-f", folder])).toMatchObject({ code: 0, stdout: "configmap/a unchanged\nconfigmap/b created\n" });
    expect(server.find("v1", "ConfigMap", "b", "shop")).toBeDefined();
  });
});
