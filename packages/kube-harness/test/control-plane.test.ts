// A real control plane (or the cluster ITER8TS_KUBECONFIG names), started once for this file:
// what the project's CRDs, RBAC and the controllers do on the real thing, through the real kubectl.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repositoryRoot, startControlPlane, waitForCrdsEstablished, writeKubeconfig, type ControlPlane } from "../src/index";
import { ok } from "./kubectl-ok";

const root = repositoryRoot();
const crds = join(root, "packages", "types", "deploy", "crds");
const sampleExperiment = join(root, "samples", "istio", "experiment.yaml");

let plane: ControlPlane;
let scratch: string;
// One namespace per run, so that the file can also run against a shared cluster (kind).
const ns = `harness-${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  plane = await startControlPlane();
  scratch = mkdtempSync(join(tmpdir(), "kube-harness-test-"));
  ok(await plane.kubectl(["create", "namespace", ns]));
});

afterAll(async () => {
  if (plane?.external) await plane.kubectl(["delete", "namespace", ns, "--wait=false"]);
  await plane?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function experiment(name: string): Record<string, unknown> & { spec: { criteria: { objectives: Record<string, unknown>[] } } } {
  const doc = parse(readFileSync(sampleExperiment, "utf8"));
  doc.metadata = { name, namespace: ns };
  return doc;
}

describe("a real control plane", () => {
  it("answers kubectl version with the pinned release on both sides", async () => {
    const version = JSON.parse(ok(await plane.kubectl(["version", "-o", "json"])));
    expect(version.clientVersion.gitVersion).toBe("v1.37.2");
    if (!plane.external) expect(version.serverVersion.gitVersion).toBe("v1.37.2");
    else expect(version.serverVersion.gitVersion).toMatch(/^v1\./);
  });

  it("serves its certificate to @kubernetes/client-node, which verifies it against the kubeconfig's CA", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    expect(kc.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
    const names = (await kc.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(["default", "kube-system", ns]));
  });

  it("installs the project's CRDs and a sample Experiment, and kubectl get shows the printer columns", async () => {
    ok(await plane.kubectl(["apply", "--server-side", "--force-conflicts", "-f", crds]));
    await waitForCrdsEstablished(plane, ["crd/experiments.iter8.tools", "crd/metrics.iter8.tools"]);
    ok(await plane.kubectl(["apply", "-n", ns, "-f", sampleExperiment]));

    const table = ok(await plane.kubectl(["get", "experiments", "-n", ns])).trimEnd().split("\n");
    expect(table[0]).toMatch(/^NAME\s+TYPE\s+TARGET\s+STAGE\s+COMPLETED ITERATIONS\s+MESSAGE$/);
    expect(table[1]).toMatch(/^quickstart-exp\s+A\/B\s+bookinfo-iter8\/productpage(\s|$)/);
  });

  it("rejects a fractional number in an int-or-string quantity with 422 through the CRD's own schema", async () => {
    const bad = experiment("fractional-limit");
    bad.spec.criteria.objectives[0]!.upperLimit = 0.5;

    const r = await plane.kubectl(["create", "-f", "-"], { input: JSON.stringify(bad) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('The Experiment "fractional-limit" is invalid');
    expect(r.stderr).toContain("spec.criteria.objectives[0].upperLimit");

    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    const refused = await kc
      .makeApiClient(CustomObjectsApi)
      .createNamespacedCustomObject({ group: "iter8.tools", version: "v2alpha2", namespace: ns, plural: "experiments", body: bad })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(ApiException);
    expect((refused as ApiException<string>).code).toBe(422);
    expect(String((refused as ApiException<string>).body)).toMatch(/spec\.criteria\.objectives\[0\]\.upperLimit/);
    // The string form of the same quantity is what the schema accepts.
    bad.spec.criteria.objectives[0]!.upperLimit = "0.5";
    ok(await plane.kubectl(["create", "--dry-run=server", "-f", "-"], { input: JSON.stringify(bad) }));
  });

  it("refuses a ServiceAccount without RBAC (token from the TokenRequest API) with 403 when it lists secrets", async () => {
    ok(await plane.kubectl(["create", "serviceaccount", "no-rights", "-n", ns]));
    const token = ok(await plane.kubectl(["create", "token", "no-rights", "-n", ns, "--duration=10m"])).trim();
    expect(token.split(".")).toHaveLength(3);
    const kubeconfig = join(scratch, "no-rights.kubeconfig");
    writeKubeconfig(kubeconfig, { server: plane.server, caData: plane.caData, token }, ns);

    const r = await plane.kubectl(["get", "secrets", "-n", ns, "-v=6"], { kubeconfig });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/403 Forbidden/);
    expect(r.stderr).toContain(`User "system:serviceaccount:${ns}:no-rights" cannot list resource "secrets"`);
    // The same token is accepted for what every authenticated identity may do.
    ok(await plane.kubectl(["auth", "whoami"], { kubeconfig }));
  });

  it("deletes a namespace through Terminating once kube-controller-manager has emptied it", async () => {
    const doomed = `${ns}-doomed`;
    ok(await plane.kubectl(["create", "namespace", doomed]));
    // A finalizer of ours holds the namespace in Terminating until the test lets it go.
    const held = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", namespace: doomed, finalizers: ["iter8.tools/test-hold"] } };
    ok(await plane.kubectl(["create", "-f", "-"], { input: JSON.stringify(held) }));
    ok(await plane.kubectl(["delete", "namespace", doomed, "--wait=false"]));

    expect(ok(await plane.kubectl(["get", "namespace", doomed, "-o", "jsonpath={.status.phase}"]))).toBe("Terminating");
    // The namespace controller deletes what the namespace holds: the ConfigMap is marked for deletion.
    ok(await plane.kubectl(["wait", "-n", doomed, "--for=jsonpath={.metadata.deletionTimestamp}", "--timeout=30s", "configmap/held"]));
    ok(await plane.kubectl(["patch", "-n", doomed, "configmap/held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}']));
    ok(await plane.kubectl(["wait", "--for=delete", "--timeout=30s", `namespace/${doomed}`]));
    const gone = await plane.kubectl(["get", "namespace", doomed]);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain("NotFound");
  });

  it("garbage-collects a Job whose owner was deleted", async () => {
    ok(await plane.kubectl(["create", "configmap", "job-owner", "-n", ns]));
    const uid = ok(await plane.kubectl(["get", "configmap", "job-owner", "-n", ns, "-o", "jsonpath={.metadata.uid}"]));
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "owned", namespace: ns, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "job-owner", uid }] },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } },
    };
    ok(await plane.kubectl(["create", "-f", "-"], { input: JSON.stringify(job) }));
    ok(await plane.kubectl(["delete", "configmap", "job-owner", "-n", ns]));
    ok(await plane.kubectl(["wait", "-n", ns, "--for=delete", "--timeout=40s", "job/owned"]));
  });
});
