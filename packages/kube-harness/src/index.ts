export { startControlPlane, stopControlPlane, runningState } from "./control-plane";
export type { ControlPlane, StartOptions } from "./control-plane";
export { ensureBuilt, repositoryRoot } from "./ensure-built";
export type { EnsureBuiltOptions } from "./ensure-built";
export { readKubeconfig, writeKubeconfig } from "./cluster-access";
export type { ClusterAccess } from "./cluster-access";
export type { KubectlOptions, KubectlResult } from "./kubectl";
export { KubeHarnessError, KubeHarnessErrorCode } from "./kube-harness-error";
