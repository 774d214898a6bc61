// Types of kubectl-apply.mjs for the TypeScript tests.
import type { KubeConfig } from "@kubernetes/client-node";

/** A Kubernetes object as written in a manifest. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** The annotation in which kubectl keeps what it applied. */
export declare const LAST_APPLIED: "kubectl.kubernetes.io/last-applied-configuration";

/** Why an apply stopped, in kubectl's words. */
export declare class KubectlApplyError extends Error {
  constructor(message: string, options?: { cause?: unknown });
}

/** The objects of a manifest's text: every document, the items of a `List`, empty ones skipped. */
export declare function readManifests(text: string, source: string): ManifestObject[];

/** A kind's plural and scope, from the API server's discovery documents. */
export declare function findResource(kubeConfig: KubeConfig, apiVersion: string, kind: string): Promise<{ path: string; plural: string; namespaced: boolean }>;

/** kubectl's three-way JSON merge patch from `current` to `modified`, `original` being what was applied last. */
export declare function threeWayMergePatch(original: Record<string, unknown>, modified: Record<string, unknown>, current: Record<string, unknown>): Record<string, unknown>;

/** `kubectl apply [-n namespace] -f`: creates or three-way patches each object; returns kubectl's output lines. */
export declare function kubectlApply(
  kubeConfig: KubeConfig,
  objects: readonly ManifestObject[],
  options?: { namespace?: string; onApplied?: (line: string) => void },
): Promise<string[]>;
