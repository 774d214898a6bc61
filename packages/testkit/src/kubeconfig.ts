/** A configured @kubernetes/client-node `KubeConfig` for a test server. */
import { writeFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { KUBECONFIG_CONTEXT, kubeconfigYaml } from "./kubeconfig-yaml";

/** Where a client should connect: a test server or its URL. */
export type KubeTarget = { readonly url: string } | string;

function urlOf(target: KubeTarget): string {
  return typeof target === "string" ? target : target.url;
}

/**
 * Returns a `KubeConfig` whose current context talks to the test server over plain HTTP with no
 * credentials, in `namespace` (default `default`).
 */
export function makeKubeConfig(target: KubeTarget, options: { namespace?: string } = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: KUBECONFIG_CONTEXT, server: urlOf(target), skipTLSVerify: true }],
    users: [{ name: KUBECONFIG_CONTEXT }],
    contexts: [{ name: KUBECONFIG_CONTEXT, cluster: KUBECONFIG_CONTEXT, user: KUBECONFIG_CONTEXT, namespace: options.namespace ?? "default" }],
    currentContext: KUBECONFIG_CONTEXT,
  });
  return kc;
}

/** Writes a kubeconfig file for the test server to `path` and returns `path`. */
export function writeKubeconfig(target: KubeTarget, path: string, options: { namespace?: string } = {}): string {
  writeFileSync(path, kubeconfigYaml(urlOf(target), options.namespace));
  return path;
}
