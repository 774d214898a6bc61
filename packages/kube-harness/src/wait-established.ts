import { KubeHarnessError, KubeHarnessErrorCode } from "./kube-harness-error";
import type { KubectlOptions, KubectlResult } from "./kubectl";

/** Something that runs kubectl against a cluster (a ControlPlane). */
export interface KubectlRunner {
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
}

/**
 * Waits until CustomResourceDefinitions are Established (`crds` as kubectl names them:
 * `crd/<name>`, or `crd --all`). `kubectl wait` fails outright, instead of waiting, on a CRD the
 * API server has created but not yet given any condition (`.status.conditions accessor error:
 * <nil>`), which happens right after an apply; that answer is waited out here.
 */
export async function waitForCrdsEstablished(cluster: KubectlRunner, crds: readonly string[] = ["crd", "--all"], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seconds = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    const result = await cluster.kubectl(["wait", "--for=condition=Established", `--timeout=${seconds}s`, ...crds]);
    if (result.exitCode === 0) return;
    if (!result.stderr.includes("accessor error") || Date.now() >= deadline) {
      throw new KubeHarnessError(KubeHarnessErrorCode.NotReady, `the CustomResourceDefinitions ${crds.join(" ")} did not become Established: ${result.stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
