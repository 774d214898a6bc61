// The install manifests: CRDs in step with @iter8ts/types and the engine's status, every overlay renders and applies
// cleanly to the loopback API server, the Deployment's flags parse, and the RBAC is least
// privilege (what the controller and the action Jobs need, and not more).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ApiException, KubernetesObjectApi, type KubernetesObject } from "@kubernetes/client-node";
import { BUILTIN_METRICS } from "@iter8ts/analytics";
import { EngineStatusSchema } from "@iter8ts/engine";
import { KubeTestServer, makeKubeConfig } from "@iter8ts/testkit";
import { ReferenceGrantSchema, crdFiles, parseMetric, referenceGranted, type ReferenceGrant } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseControllerConfig } from "../src/controller-config";
import { rbacAllows, renderKustomization, type DeploymentSpec, type Manifest } from "./render-kustomization";

const deployDir = join(import.meta.dirname, "..", "deploy");
const STACKS = ["istio", "knative", "kfserving", "seldon"] as const;
const controllerAccount = { namespace: "iter8-system", name: "iter8-controller" };
/** The account action Jobs of experiments in team-a run as. */
const teamAction = { namespace: "team-a", name: "iter8-action" };

/** `kubectl apply -k deploy/tenant[/<stack>] -n <namespace>`, rendered. */
function tenant(namespace: string, stack?: (typeof STACKS)[number]): Manifest[] {
  return renderKustomization(stack ? join(deployDir, "tenant", stack) : join(deployDir, "tenant"), namespace);
}

const base = renderKustomization(join(deployDir, "base"));
const overlays = Object.fromEntries(STACKS.map((s) => [s, renderKustomization(join(deployDir, "overlays", s))])) as Record<(typeof STACKS)[number], Manifest[]>;

function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is not rendered`);
  return found;
}

describe("CRDs", () => {
  it("are those @iter8ts/types generates with the engine's status (run `pnpm -F @iter8ts/controller generate` when this fails)", () => {
    const copies = readdirSync(join(deployDir, "base", "crds")).sort();
    const generated = crdFiles({ experimentStatus: EngineStatusSchema });
    expect(copies).toEqual(generated.map((f) => f.path.slice(f.path.lastIndexOf("/") + 1)).sort());
    for (const file of generated) {
      const name = file.path.slice(file.path.lastIndexOf("/") + 1);
      const copy = readFileSync(join(deployDir, "base", "crds", name), "utf8");
      const body = (text: string) => text.slice(text.indexOf("\n") + 1);
      expect(copy.startsWith("# Generated from @iter8ts/types with the status of @iter8ts/engine")).toBe(true);
      expect(body(copy), `deploy/base/crds/${name} drifted from @iter8ts/types`).toBe(body(file.text));
    }
  });
});

describe("base", () => {
  it("holds the namespace, CRDs, service accounts, RBAC, Deployment, Service and builtin metrics", () => {
    const ids = base.map((m) => `${m.kind}/${m.metadata.name}`).sort();
    expect(ids).toEqual(
      [
        "ClusterRole/iter8-action",
        "ClusterRole/iter8-controller",
        "ClusterRoleBinding/iter8-controller",
        "CustomResourceDefinition/experiments.iter8.tools",
        "CustomResourceDefinition/metrics.iter8.tools",
        "CustomResourceDefinition/referencegrants.iter8.tools",
        "ClusterRole/iter8-controller-reference-grants",
        "ClusterRoleBinding/iter8-controller-reference-grants",
        "ClusterRole/iter8-reference-grants-edit",
        "ClusterRole/iter8-reference-grants-view",
        "ReferenceGrant/builtin-metrics",
        "Deployment/iter8-controller",
        "Namespace/iter8-system",
        "Role/iter8-controller",
        "RoleBinding/iter8-controller",
        "Service/iter8-controller-metrics",
        "ServiceAccount/iter8-controller",
        ...BUILTIN_METRICS.map((key) => `Metric/${key.slice(key.indexOf("/") + 1)}`),
      ].sort(),
    );
    for (const m of base) {
      if (!["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"].includes(m.kind)) expect(m.metadata.namespace, `${m.kind} ${m.metadata.name}`).toBe("iter8-system");
      expect(m.metadata.labels?.["app.kubernetes.io/part-of"]).toBe("iter8ts");
    }
  });

  it("ships the nine builtin metrics as valid Metrics with provider iter8", () => {
    for (const key of BUILTIN_METRICS) {
      const metric = find(base, "Metric", key.slice(key.indexOf("/") + 1));
      expect(metric.metadata.namespace).toBe("iter8-system");
      const parsed = parseMetric(metric);
      expect(parsed.ok, `${key}: ${JSON.stringify(parsed)}`).toBe(true);
      expect((metric.spec as { provider?: string }).provider).toBe("iter8");
    }
  });

  it("runs the controller non-root on a read-only file system with probes on /healthz and /readyz of --health-addr", () => {
    const deployment = find(base, "Deployment", "iter8-controller");
    const spec = deployment.spec as DeploymentSpec;
    const pod = spec.template.spec;
    const container = pod.containers[0]!;
    expect(spec.selector.matchLabels).toEqual(spec.template.metadata.labels);
    expect(pod.serviceAccountName).toBe("iter8-controller");
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();

    // Values from the optional ConfigMap are absent without one.
    const fromConfigMap = (e: (typeof container.env)[number]) => (e as { valueFrom?: { configMapKeyRef?: unknown } }).valueFrom?.configMapKeyRef !== undefined;
    const env = Object.fromEntries(container.env.filter((e) => e.value !== undefined || !fromConfigMap(e)).map((e) => [e.name, e.value ?? "from-field"]));
    const request = parseControllerConfig(container.args, env);
    expect(request.kind).toBe("run");
    if (request.kind !== "run") return;
    expect(request.config.leaderElect).toBe(true);
    const ports = Object.fromEntries(container.ports.map((p) => [p.name, p.containerPort]));
    expect(ports.health).toBe(request.config.healthAddr?.port);
    expect(ports.metrics).toBe(request.config.metricsAddr?.port);
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "health" });
    // Shutdown waits for reconciles; the kubelet must wait longer before it kills the process.
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(request.config.shutdownTimeoutMs);
    expect(env.ITER8_ACTION_IMAGE).toBe(container.image);
    // Exec-type tasks nowhere, unless a ConfigMap says where.
    expect(request.config.allowExec).toBe(false);
    expect(container.env.find((e) => e.name === "ITER8_ALLOW_EXEC")).toEqual({
      name: "ITER8_ALLOW_EXEC",
      valueFrom: { configMapKeyRef: { name: "iter8-controller", key: "allow-exec", optional: true } },
    });
    // Loopback, link-local and the API server refused as egress, unless a ConfigMap allows them.
    expect(request.config.egressAllow).toEqual({ words: new Set(), cidrs: [] });
    expect(container.env.find((e) => e.name === "ITER8_EGRESS_ALLOW")).toEqual({
      name: "ITER8_EGRESS_ALLOW",
      valueFrom: { configMapKeyRef: { name: "iter8-controller", key: "egress-allow", optional: true } },
    });

    const service = find(base, "Service", "iter8-controller-metrics");
    const serviceSpec = service.spec as { selector: Record<string, string>; ports: Array<{ targetPort: string }> };
    expect(serviceSpec.selector).toEqual(spec.template.metadata.labels);
    expect(serviceSpec.ports[0]?.targetPort).toBe("metrics");
  });
});

describe("RBAC", () => {
  it("binds only roles and service accounts that are rendered", () => {
    const installs = [...Object.entries(overlays), ...STACKS.map((stack) => [`tenant/${stack}`, [...overlays[stack], ...tenant("team-a", stack)]] as const)];
    for (const [name, manifests] of installs) {
      for (const binding of manifests.filter((m) => m.kind.endsWith("RoleBinding"))) {
        const ref = binding.roleRef as { kind: string; name: string };
        expect(() => find(manifests, ref.kind, ref.name), `${name}: ${binding.kind} ${binding.metadata.name}`).not.toThrow();
        for (const subject of binding.subjects as Array<{ kind: string; name: string; namespace?: string }>) {
          const namespace = subject.namespace ?? binding.metadata.namespace;
          expect(
            manifests.some((m) => m.kind === "ServiceAccount" && m.metadata.name === subject.name && m.metadata.namespace === namespace),
            `${name}: ${binding.kind} ${binding.metadata.name} binds ServiceAccount ${namespace}/${subject.name}`,
          ).toBe(true);
        }
      }
    }
  });

  it("lets the controller read experiments and metrics, write only their status, run action Jobs next to them, and keep its Lease in iter8-system", () => {
    const can = (verb: string, group: string, resource: string, namespace?: string) =>
      rbacAllows(base, controllerAccount, namespace === undefined ? { verb, group, resource } : { verb, group, resource, namespace });
    for (const verb of ["get", "list", "watch"]) {
      expect(can(verb, "iter8.tools", "experiments")).toBe(true);
      expect(can(verb, "iter8.tools", "metrics", "team-a")).toBe(true);
      expect(can(verb, "iter8.tools", "referencegrants")).toBe(true);
    }
    expect(can("update", "iter8.tools", "experiments/status", "team-a")).toBe(true);
    expect(can("patch", "iter8.tools", "experiments/status", "team-a")).toBe(true);
    expect(can("create", "", "events", "team-a")).toBe(true);
    expect(can("get", "", "secrets", "team-a")).toBe(true);
    for (const verb of ["create", "get", "delete"]) expect(can(verb, "batch", "jobs", "team-a")).toBe(true);
    expect(can("watch", "batch", "jobs")).toBe(true);
    expect(can("get", "", "pods/log", "team-a")).toBe(true);
    expect(can("get", "", "serviceaccounts", "team-a")).toBe(true);
    expect(can("update", "coordination.k8s.io", "leases", "iter8-system")).toBe(true);
    // --shards lists the member and shard Leases of its group every round.
    expect(can("list", "coordination.k8s.io", "leases", "iter8-system")).toBe(true);

    expect(can("update", "iter8.tools", "experiments", "team-a")).toBe(false);
    expect(can("delete", "iter8.tools", "experiments", "team-a")).toBe(false);
    expect(can("list", "", "secrets", "team-a")).toBe(false);
    expect(can("update", "batch", "jobs", "team-a")).toBe(false);
    expect(can("create", "", "pods", "team-a")).toBe(false);
    expect(can("create", "", "serviceaccounts/token", "team-a")).toBe(false);
    expect(can("update", "coordination.k8s.io", "leases", "kube-system")).toBe(false);
    expect(can("patch", "networking.istio.io", "virtualservices", "team-a")).toBe(false);
  });

  it("ships no action account with cluster-wide rights: ClusterRole iter8-action is bound only per namespace, by deploy/tenant", () => {
    for (const manifests of [base, ...Object.values(overlays)]) {
      for (const binding of manifests.filter((m) => m.kind === "ClusterRoleBinding")) {
        expect((binding.roleRef as { name: string }).name, binding.metadata.name).not.toMatch(/^iter8-action/);
        expect((binding.subjects as Array<{ name: string }>).map((s) => s.name)).toEqual(["iter8-controller"]);
      }
    }
    expect(tenant("team-a").map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual(["RoleBinding/team-a/iter8-action", "ServiceAccount/team-a/iter8-action"]);
  });

  it("gives a tenant's action Jobs its experiments, their status and its Secrets, in its own namespace only, and no Jobs, Leases or weight objects", () => {
    const installed = [...base, ...tenant("team-a")];
    const can = (verb: string, group: string, resource: string, namespace = "team-a") => rbacAllows(installed, teamAction, { verb, group, resource, namespace });
    expect(can("get", "iter8.tools", "experiments")).toBe(true);
    expect(can("update", "iter8.tools", "experiments/status")).toBe(true);
    expect(can("get", "", "secrets")).toBe(true);
    expect(can("get", "apps", "deployments")).toBe(true);
    expect(can("get", "", "services")).toBe(true);
    for (const [verb, group, resource] of [
      ["get", "iter8.tools", "experiments"],
      ["update", "iter8.tools", "experiments/status"],
      ["get", "", "secrets"],
      ["get", "apps", "deployments"],
    ] as const) {
      expect(can(verb, group, resource, "team-b"), `${verb} ${resource} in team-b`).toBe(false);
      expect(rbacAllows(installed, { namespace: "team-b", name: "iter8-action" }, { verb, group, resource, namespace: "team-b" }), `team-b's account, not set up`).toBe(false);
    }
    expect(can("list", "", "secrets")).toBe(false);
    expect(can("create", "batch", "jobs")).toBe(false);
    expect(can("update", "coordination.k8s.io", "leases")).toBe(false);
    expect(can("update", "iter8.tools", "experiments")).toBe(false);
    expect(can("patch", "networking.istio.io", "virtualservices")).toBe(false);
  });

  it("sets up `default` as a tenant of each overlay, for the quickstarts, and lets its experiments (only) run exec-type tasks", () => {
    for (const stack of STACKS) {
      const manifests = overlays[stack];
      expect(find(manifests, "ServiceAccount", "iter8-action").metadata.namespace).toBe("default");
      const account = { namespace: "default", name: "iter8-action" };
      expect(rbacAllows(manifests, account, { verb: "get", group: "", resource: "secrets", namespace: "default" })).toBe(true);
      expect(rbacAllows(manifests, account, { verb: "get", group: "", resource: "secrets", namespace: "team-a" })).toBe(false);
      const config = find(manifests, "ConfigMap", "iter8-controller");
      expect(config.metadata.namespace).toBe("iter8-system");
      const request = parseControllerConfig([], { ITER8_ALLOW_EXEC: (config.data as Record<string, string>)["allow-exec"] });
      expect(request.kind === "run" && request.config.allowExec).toEqual(["default"]);
    }
  });

  it.each([
    ["istio", "networking.istio.io", "virtualservices", ["kfserving", "seldon"]],
    ["knative", "serving.knative.dev", "services", []],
    ["kfserving", "serving.kubeflow.org", "inferenceservices", []],
    ["kfserving", "networking.istio.io", "virtualservices", ["istio", "seldon"]],
    ["seldon", "machinelearning.seldon.io", "seldondeployments", []],
  ] as const)("%s: the controller gets and patches %s %s; a tenant's action Jobs may also create them in its namespace to promote", (stack, group, resource, alsoIn) => {
    const manifests = [...overlays[stack], ...tenant("team-a", stack)];
    const request = { group, resource, namespace: "team-a" };
    expect(rbacAllows(manifests, controllerAccount, { ...request, verb: "get" })).toBe(true);
    expect(rbacAllows(manifests, controllerAccount, { ...request, verb: "patch" })).toBe(true);
    expect(rbacAllows(manifests, controllerAccount, { ...request, verb: "create" })).toBe(false);
    expect(rbacAllows(manifests, controllerAccount, { ...request, verb: "delete" })).toBe(false);
    expect(rbacAllows(manifests, teamAction, { ...request, verb: "create" })).toBe(true);
    expect(rbacAllows(manifests, teamAction, { ...request, verb: "patch" })).toBe(true);
    expect(rbacAllows(manifests, teamAction, { ...request, verb: "delete" })).toBe(false);
    expect(rbacAllows(manifests, teamAction, { ...request, verb: "create", namespace: "team-b" })).toBe(false);
    // A tenant set up without the stack does not promote.
    expect(rbacAllows([...overlays[stack], ...tenant("team-a")], teamAction, { ...request, verb: "create" })).toBe(false);
    for (const other of STACKS.filter((s) => s !== stack && !(alsoIn as readonly string[]).includes(s))) {
      expect(rbacAllows(overlays[other], controllerAccount, { ...request, verb: "patch" }), `${other} overlay`).toBe(false);
      expect(rbacAllows([...overlays[other], ...tenant("team-a", other)], teamAction, { ...request, verb: "create" }), `${other} overlay`).toBe(false);
    }
  });
});

describe("ReferenceGrants", () => {
  const grantsIn = (manifests: readonly Manifest[]): ReferenceGrant[] => manifests.filter((m) => m.kind === "ReferenceGrant").map((m) => ReferenceGrantSchema.parse(m));
  const metric = (namespace: string, name: string) => ({ fromNamespace: "default", group: "iter8.tools", kind: "Metric", namespace, name });

  it("let experiments of every namespace use the builtin metrics, each by name, and nothing else of iter8-system", () => {
    for (const key of BUILTIN_METRICS) {
      const [namespace = "", name = ""] = key.split("/");
      expect(referenceGranted(grantsIn(base), { ...metric(namespace, name), fromNamespace: "team-a" }), key).toBe(true);
    }
    expect(referenceGranted(grantsIn(base), { ...metric("iter8-system", "added-later"), fromNamespace: "team-a" })).toBe(false);
  });

  it("ship what the quickstarts refer to from `default`, and nothing for other namespaces' routing", () => {
    const routing = (namespace: string, group: string, kind: string, name: string, fromNamespace = "default") => ({ fromNamespace, group, kind, namespace, name });
    const istio = grantsIn(overlays.istio);
    expect(referenceGranted(istio, metric("iter8-istio", "request-count"))).toBe(true);
    expect(referenceGranted(istio, routing("bookinfo-iter8", "networking.istio.io", "VirtualService", "bookinfo"))).toBe(true);
    expect(referenceGranted(istio, routing("bookinfo-iter8", "networking.istio.io", "VirtualService", "bookinfo", "team-a"))).toBe(false);
    expect(referenceGranted(istio, routing("bookinfo-iter8", "networking.istio.io", "VirtualService", "reviews"))).toBe(false);
    expect(referenceGranted(grantsIn(overlays.knative), metric("iter8-knative", "mean-latency"))).toBe(true);
    expect(referenceGranted(grantsIn(overlays.kfserving), metric("iter8-kfserving", "error-rate"))).toBe(true);
    const seldon = grantsIn(overlays.seldon);
    expect(referenceGranted(seldon, metric("iter8-seldon", "user-engagement"))).toBe(true);
    expect(referenceGranted(seldon, routing("ns-production", "machinelearning.seldon.io", "SeldonDeployment", "iris"))).toBe(true);
    // The namespaces the grants live in are part of the install.
    for (const manifests of Object.values(overlays)) {
      for (const grant of manifests.filter((m) => m.kind === "ReferenceGrant")) {
        expect(manifests.some((m) => m.kind === "Namespace" && m.metadata.name === grant.metadata.namespace), `${grant.metadata.namespace}/${grant.metadata.name}`).toBe(true);
      }
    }
  });

  it("may be written by a namespace's admins and editors (aggregated), and read by the controller everywhere", () => {
    const edit = base.find((m) => m.kind === "ClusterRole" && m.metadata.name === "iter8-reference-grants-edit");
    expect(edit?.metadata.labels).toMatchObject({ "rbac.authorization.k8s.io/aggregate-to-admin": "true", "rbac.authorization.k8s.io/aggregate-to-edit": "true" });
    expect(rbacAllows(base, controllerAccount, { verb: "watch", group: "iter8.tools", resource: "referencegrants" })).toBe(true);
    expect(rbacAllows(base, controllerAccount, { verb: "create", group: "iter8.tools", resource: "referencegrants", namespace: "team-a" })).toBe(false);
  });
});

describe("applying to a cluster", () => {
  let server: KubeTestServer;
  let client: KubernetesObjectApi;

  // The loopback server serves no RBAC API; these definitions let it store RBAC objects so the
  // manifests can be applied as a whole, in kubectl's order.
  const rbacKinds = [
    { kind: "Role", plural: "roles", scope: "Namespaced" },
    { kind: "RoleBinding", plural: "rolebindings", scope: "Namespaced" },
    { kind: "ClusterRole", plural: "clusterroles", scope: "Cluster" },
    { kind: "ClusterRoleBinding", plural: "clusterrolebindings", scope: "Cluster" },
  ];

  beforeAll(async () => {
    server = await KubeTestServer.start({ installCustomResourceDefinitions: false, jobs: false });
    client = KubernetesObjectApi.makeApiClient(makeKubeConfig(server));
    for (const { kind, plural, scope } of rbacKinds) {
      server.create({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${plural}.rbac.authorization.k8s.io` },
        spec: {
          group: "rbac.authorization.k8s.io",
          scope,
          names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
          versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
        },
      });
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  /** `kubectl apply` for a fresh or repeated install: create, or replace what is there. */
  async function apply(manifest: Manifest): Promise<void> {
    const spec = structuredClone(manifest) as KubernetesObject;
    try {
      await client.create(spec);
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 409) throw error;
      const existing = await client.read({ apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: { name: manifest.metadata.name, namespace: manifest.metadata.namespace ?? "" } });
      spec.metadata = { ...spec.metadata, resourceVersion: existing.metadata?.resourceVersion };
      await client.replace(spec);
    }
  }

  function kubectlOrder(manifests: readonly Manifest[]): Manifest[] {
    const rank = (m: Manifest) => (m.kind === "Namespace" ? 0 : m.kind === "CustomResourceDefinition" ? 1 : 2);
    return [...manifests].sort((a, b) => rank(a) - rank(b));
  }

  it("applies base and every overlay cleanly, and serves Experiments from the applied CRDs", async () => {
    for (const manifests of [base, ...Object.values(overlays)]) {
      for (const manifest of kubectlOrder(manifests)) {
        await expect(apply(manifest), `${manifest.kind} ${manifest.metadata.name}`).resolves.toBeUndefined();
      }
    }
    expect(server.find("apps/v1", "Deployment", "iter8-controller", "iter8-system")).toBeDefined();
    const roles = server.list("rbac.authorization.k8s.io/v1", "ClusterRole");
    expect(roles.map((r) => (r.metadata as { name: string }).name).sort()).toEqual(
      ["iter8-controller-reference-grants", "iter8-reference-grants-edit", "iter8-reference-grants-view", "iter8-controller", "iter8-action", ...STACKS.flatMap((s) => [`iter8-controller-${s}`, `iter8-action-${s}`])].sort(),
    );
    expect(server.find("v1", "ServiceAccount", "iter8-action", "default")).toBeDefined();
    expect(server.list("rbac.authorization.k8s.io/v1", "RoleBinding", "default").map((b) => (b.metadata as { name: string }).name).sort()).toEqual(["iter8-action", ...STACKS.map((s) => `iter8-action-${s}`)].sort());
    const metrics = server.list("iter8.tools/v2alpha2", "Metric", "iter8-system");
    expect(metrics).toHaveLength(BUILTIN_METRICS.length);
    // The CRD applied from deploy/ is what serves Experiments now.
    const created = await client.create({
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Experiment",
      metadata: { name: "smoke", namespace: "default" },
      spec: { target: "default/app", strategy: { testingPattern: "Conformance" }, versionInfo: { baseline: { name: "v1" } } },
    } as KubernetesObject);
    expect(created.metadata?.uid).toBeTruthy();
  });
});
