// A small kustomize for tests: renders the kustomizations under deploy/ with exactly the features
// they use (resources, components, namespace, commonLabels) and refuses any other field, so a
// manifest change that needs real kustomize fails here instead of being rendered wrongly.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readDocuments } from "@iter8ts/types";

/** A rendered Kubernetes object. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

const SUPPORTED_FIELDS = new Set(["apiVersion", "kind", "namespace", "commonLabels", "resources", "components"]);
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readYaml(path: string): unknown[] {
  const docs = readDocuments(readFileSync(path, "utf8"));
  if (!docs.ok) throw new Error(`${path} is not valid YAML: ${docs.errors.map((e) => e.message).join("; ")}`);
  return docs.value.filter((d) => d !== null && d !== undefined);
}

function asManifest(doc: unknown, path: string): Manifest {
  if (!isRecord(doc) || typeof doc.apiVersion !== "string" || typeof doc.kind !== "string" || !isRecord(doc.metadata) || typeof doc.metadata.name !== "string") {
    throw new Error(`${path} holds a document that is not a Kubernetes object`);
  }
  return doc as Manifest;
}

function addLabels(target: Record<string, unknown>, key: string, labels: Record<string, string>): void {
  const current = isRecord(target[key]) ? (target[key] as Record<string, string>) : {};
  target[key] = { ...current, ...labels };
}

/** commonLabels, as kustomize applies them: metadata, selectors and pod templates. */
function applyCommonLabels(manifest: Manifest, labels: Record<string, string>): void {
  addLabels(manifest.metadata, "labels", labels);
  const spec = manifest.spec;
  if (!isRecord(spec)) return;
  if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(manifest.kind)) {
    if (!isRecord(spec.selector)) spec.selector = {};
    addLabels(spec.selector as Record<string, unknown>, "matchLabels", labels);
  }
  if (manifest.kind === "Service") addLabels(spec, "selector", labels);
  if (isRecord(spec.template)) {
    const template = spec.template as Record<string, unknown>;
    if (!isRecord(template.metadata)) template.metadata = {};
    addLabels(template.metadata as Record<string, unknown>, "labels", labels);
  }
}

function render(dir: string, expectedKind: "Kustomization" | "Component"): Manifest[] {
  const file = join(dir, "kustomization.yaml");
  const [config] = readYaml(file);
  if (!isRecord(config)) throw new Error(`${file} is empty`);
  for (const key of Object.keys(config)) {
    if (!SUPPORTED_FIELDS.has(key)) throw new Error(`${file}: the test renderer does not support "${key}"; extend test/render-kustomization.ts`);
  }
  if (config.kind !== expectedKind) throw new Error(`${file}: expected kind ${expectedKind}, found ${String(config.kind)}`);

  const manifests: Manifest[] = [];
  for (const entry of (config.resources as string[] | undefined) ?? []) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) manifests.push(...render(path, "Kustomization"));
    else manifests.push(...readYaml(path).map((doc) => asManifest(doc, path)));
  }
  for (const entry of (config.components as string[] | undefined) ?? []) manifests.push(...render(join(dir, entry), "Component"));

  if (typeof config.namespace === "string") {
    for (const m of manifests) if (!CLUSTER_SCOPED.has(m.kind)) m.metadata.namespace = config.namespace;
  }
  if (isRecord(config.commonLabels)) {
    for (const m of manifests) applyCommonLabels(m, config.commonLabels as Record<string, string>);
  }
  const seen = new Set<string>();
  for (const m of manifests) {
    const id = `${m.apiVersion}/${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`;
    if (seen.has(id)) throw new Error(`${dir}: ${m.kind} ${m.metadata.name} is declared twice`);
    seen.add(id);
  }
  return manifests;
}

/**
 * Renders the kustomization in `dir` (a folder holding `kustomization.yaml`). `namespace` is the
 * namespace of `kubectl apply -k DIR -n NAMESPACE`: it goes to namespaced objects that name none.
 */
export function renderKustomization(dir: string, namespace?: string): Manifest[] {
  const manifests = render(dir, "Kustomization");
  if (namespace !== undefined) for (const m of manifests) if (!CLUSTER_SCOPED.has(m.kind)) m.metadata.namespace ??= namespace;
  return manifests;
}

/** The group of an `apiVersion` (`""` for the core group). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

/** One API request, as RBAC sees it. */
export interface ApiRequest {
  verb: string;
  group: string;
  /** `plural` or `plural/subresource`. */
  resource: string;
  /** Absent for cluster-scoped objects and requests across all namespaces. */
  namespace?: string;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

function ruleAllows(rule: Rule, request: ApiRequest): boolean {
  const any = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === "*" || v === value);
  return any(rule.apiGroups, request.group) && any(rule.resources, request.resource) && any(rule.verbs, request.verb) && !rule.resourceNames?.length;
}

/**
 * Whether the rendered RBAC lets a service account make a request: a ClusterRoleBinding grants
 * its ClusterRole everywhere, a RoleBinding grants its Role in the binding's namespace only.
 */
export function rbacAllows(manifests: readonly Manifest[], account: { namespace: string; name: string }, request: ApiRequest): boolean {
  const roles = new Map(manifests.filter((m) => m.kind === "ClusterRole" || m.kind === "Role").map((m) => [`${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`, m]));
  for (const binding of manifests.filter((m) => m.kind === "ClusterRoleBinding" || m.kind === "RoleBinding")) {
    const subjects = (binding.subjects as Array<{ kind: string; name: string; namespace?: string }> | undefined) ?? [];
    // A ServiceAccount subject without a namespace means the RoleBinding's own (RBAC's rule).
    const subjectNamespace = (s: { namespace?: string }) => s.namespace ?? (binding.kind === "RoleBinding" ? binding.metadata.namespace : undefined);
    if (!subjects.some((s) => s.kind === "ServiceAccount" && s.name === account.name && subjectNamespace(s) === account.namespace)) continue;
    const ref = binding.roleRef as { kind: string; name: string };
    const roleNamespace = ref.kind === "Role" ? (binding.metadata.namespace ?? "") : "";
    const role = roles.get(`${ref.kind}/${roleNamespace}/${ref.name}`);
    if (!role) continue;
    if (binding.kind === "RoleBinding" && request.namespace !== binding.metadata.namespace) continue;
    if (((role.rules as Rule[] | undefined) ?? []).some((rule) => ruleAllows(rule, request))) return true;
  }
  return false;
}

/** The parts of a Deployment's spec the manifest tests read. */
export interface DeploymentSpec {
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string> };
    spec: {
      serviceAccountName: string;
      terminationGracePeriodSeconds: number;
      securityContext: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number };
      containers: Array<{
        image: string;
        args: string[];
        env: Array<{ name: string; value?: string }>;
        ports: Array<{ name: string; containerPort: number }>;
        livenessProbe: { httpGet: unknown };
        readinessProbe: { httpGet: unknown };
        resources: { requests?: Record<string, string>; limits?: Record<string, string> };
        securityContext: Record<string, unknown>;
      }>;
    };
  };
}
