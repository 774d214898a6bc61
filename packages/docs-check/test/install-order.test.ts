// The documented install order on a fresh real kube-apiserver: one `kubectl apply -k` of an overlay
// fails (its builtin Metrics reach the server before the Metric kind is served), while the CRDs
// first, `kubectl wait --for=condition=Established`, then the overlay — as the READMEs and
// scripts/kind-e2e.sh's install_manifests do it — installs everything in one go.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startControlPlane, type ControlPlane } from "@iter8ts/kube-harness";
import { afterEach, describe, expect, it } from "vitest";
import { runProcess } from "./run-shell";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
let plane: ControlPlane | undefined;
afterEach(async () => {
  await plane?.stop();
  plane = undefined;
});

function bash(script: string, cluster: ControlPlane) {
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfigPath, PATH: [cluster.binDir, process.env.PATH].filter(Boolean).join(":") };
  return runProcess("bash", ["-c", script], { cwd: root, env, timeoutMs: 180_000 });
}

describe("installing the controller on a fresh cluster", () => {
  it("fails as one apply of the overlay, naming the missing Metric kind", async () => {
    plane = await startControlPlane();
    const r = await bash("kubectl apply -k apps/controller/deploy/overlays/istio", plane);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/no matches for kind "Metric"/);
  }, 240_000);

  it("succeeds with scripts/kind-e2e.sh's install_manifests: CRDs, Established, then the overlay", async () => {
    plane = await startControlPlane();
    const r = await bash('source scripts/kind-e2e.sh --stack istio && set -euo pipefail && install_manifests', plane);
    expect(r.exitCode, r.stderr).toBe(0);
    const metrics = await plane.kubectl(["-n", "iter8-system", "get", "metrics.iter8.tools", "-o", "name"]);
    expect(metrics.stdout.trim().split("\n")).toHaveLength(9);
    const image = await plane.kubectl(["-n", "iter8-system", "get", "deployment", "iter8-controller", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]);
    expect(image.stdout).toBe("iter8ts/controller:e2e");
  }, 240_000);
});
