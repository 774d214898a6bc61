/**
 * The cluster a controller suite runs on, behind one interface, so that every suite runs twice:
 * on testkit's loopback API server (fast, with faults built in) and on a real kube-apiserver
 * with etcd and kube-controller-manager from @iter8ts/kube-harness (or the cluster
 * ITER8TS_KUBECONFIG names). On the real server the install overlay is applied with the real
 * `kubectl apply -k`, the controller authenticates with a token of its own service account, the
 * action Jobs with a token of theirs, and conflicts, dropped watches and restarts come from a
 * fault-injecting proxy in front of the server.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CustomObjectsApi, KubeConfig, KubernetesObjectApi, type KubernetesObject } from "@kubernetes/client-node";
import {
  startControlPlane,
  startFaultProxy,
  startJobRunner,
  waitForCrdsEstablished,
  serviceAccountKubeconfig,
  type FaultProxy,
  type JobRunner,
  type KubectlResult,
} from "@iter8ts/kube-harness";
import {
  KubeTestServer,
  defaultCustomResourceDefinitions,
  type FaultInjector,
  type JsonObject,
  type ProcessMapper,
  type RequestRecord,
} from "@iter8ts/testkit";
import { groupOf, rbacAllows, renderKustomization, type Manifest } from "../render-kustomization";

export const APP_ROOT = join(import.meta.dirname, "..", "..");
export const REPO_ROOT = join(APP_ROOT, "..", "..");
/** The CLI the action image runs (`iter8ctl action run`), as built from this repository. */
export const CLI_PATH = join(REPO_ROOT, "apps", "cli", "dist", "iter8ctl.js");

/** Which API server a suite runs on. */
export const ClusterKind = {
  Testkit: "testkit",
  KubeApiserver: "kube-apiserver",
} as const;
export type ClusterKind = (typeof ClusterKind)[keyof typeof ClusterKind];

/** Both kinds, for `describe.each`. */
export const CLUSTER_KINDS: readonly ClusterKind[] = [ClusterKind.Testkit, ClusterKind.KubeApiserver];

/** The service account the install gives the controller. */
export const Iter8Accounts = {
  controller: { namespace: "iter8-system", name: "iter8-controller" },
} as const;

/** The service account action Jobs of experiments in `namespace` run as (deploy/tenant). */
export function actionAccount(namespace: string): { namespace: string; name: string } {
  return { namespace, name: "iter8-action" };
}

/** Settings of {@link startTestCluster}. */
export interface TestClusterOptions {
  /** Namespaces to create besides `default` and `iter8-system`. */
  namespaces?: readonly string[];
  /**
   * Namespaces set up for actions as an admin does, with `kubectl apply -k
   * deploy/tenant/<overlay> -n NS` (default: every namespace of {@link namespaces}; the overlay
   * sets up `default` itself).
   */
  tenants?: readonly string[];
  /** The overlay of `deploy/overlays` to install (default `istio`). */
  overlay?: string;
  /** Maps an action Job's container to a local process (default: `iter8ctl …` runs the built CLI). */
  mapProcess?: ProcessMapper;
  /** Environment of every action container, like the image's ENV (default PATH and HOME). */
  baseEnv?: Record<string, string>;
  /** Seed of the fault injector. */
  seed?: number;
  /** CRDs the suite's stack adds besides the routing kinds both servers have (an Istio Gateway, say). */
  customResourceDefinitions?: readonly JsonObject[];
  /**
   * Action Jobs call `kubectl`, as Iter8's handler image let them: on kube-apiserver the
   * harness's kubectl comes first on their PATH, and the fault proxy speaks TLS, because kubectl
   * (like every Go client) sends no token over plain HTTP. On testkit, put a kubectl on
   * `baseEnv.PATH` yourself: the real one needs the OpenAPI documents testkit does not serve.
   */
  kubectlInJobs?: boolean;
}

/** A Kubernetes object as the tests read it. */
export type ClusterObject = KubernetesObject & JsonObject & { metadata: { name: string; namespace?: string } };

/** The cluster a suite runs on. */
export interface TestCluster {
  readonly kind: ClusterKind;
  /** The kubeconfig the controller runs with: its own service account on the real server. */
  readonly controllerKubeconfigPath: string;
  /** Full rights, for setting up and reading. */
  readonly adminKubeconfigPath: string;
  /** The rendered install overlay, and the tenant setup of each of {@link TestClusterOptions.tenants}. */
  readonly install: readonly Manifest[];
  /** Faults of requests to the server (through the proxy on the real server). */
  readonly faults: FaultInjector;
  /** A client with the controller's kubeconfig. */
  controllerKubeConfig(): KubeConfig;
  /** A client with the admin kubeconfig. */
  adminKubeConfig(): KubeConfig;
  create(object: JsonObject): Promise<ClusterObject>;
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<ClusterObject | undefined>;
  list(apiVersion: string, kind: string, namespace?: string): Promise<ClusterObject[]>;
  /** Replaces a custom resource's status through its status subresource, as the resource's own controller does. */
  replaceStatus(object: JsonObject): Promise<ClusterObject>;
  /**
   * Runs the real kubectl with the admin kubeconfig (kube-apiserver only: testkit serves no
   * OpenAPI documents, which `kubectl apply` reads). A refusal is a result, not an exception.
   */
  readonly kubectl?: (args: readonly string[], options?: { input?: string; timeoutMs?: number }) => Promise<KubectlResult>;
  /** What the containers of a Job printed (its latest attempt). */
  jobLog(namespace: string, jobName: string): Promise<string>;
  /** Forgets the requests seen so far: {@link requests} and {@link refusedRequests} look only at later ones. */
  markRequests(): void;
  /** The requests the controller and the action Jobs made since {@link markRequests} (the admin's are not seen). */
  requests(): readonly RequestRecord[];
  /**
   * The requests made since {@link markRequests} that the install's RBAC does not allow the
   * controller or the action Jobs: judged against the rendered Roles on testkit, answered 403 on
   * the real server (where they authenticate as those service accounts).
   */
  refusedRequests(): Promise<string[]>;
  /**
   * Ends the open watches of the controller and the action Jobs, as a server or a load balancer
   * may: cleanly, or with `abort` by resetting the connection. Returns how many.
   */
  dropWatches(options?: { abort?: boolean }): number;
  /**
   * Restarts the API server (the real process on kube-apiserver, over the same etcd), down for
   * `downtimeMs`; clients see connections cut and, on kube-apiserver, their watches' resourceVersions
   * expire (410), since its watch cache starts afresh. Resolves once it serves again.
   */
  restart(options?: { downtimeMs?: number }): Promise<void>;
  /**
   * Cuts the connections of the controller and the action Jobs and refuses new ones for
   * `downtimeMs`, as a restart looks to a client, but in seconds less: a restart of testkit's
   * server, the fault proxy's on kube-apiserver (whose watch cache stays, so watches resume).
   */
  cutConnections(options?: { downtimeMs?: number }): Promise<void>;
  close(): Promise<void>;
}

const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC_KINDS = (
  [
    ["Role", "roles", "Namespaced"],
    ["RoleBinding", "rolebindings", "Namespaced"],
    ["ClusterRole", "clusterroles", "Cluster"],
    ["ClusterRoleBinding", "clusterrolebindings", "Cluster"],
  ] as const
).map(([kind, plural, scope]) => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${plural}.${RBAC_GROUP}` },
  spec: {
    group: RBAC_GROUP,
    scope,
    names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
    versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
  },
}));

const DEFAULT_ENV = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" };
// Enough for any suite: requests()/refusedRequests() count from a mark, which a log that drops
// its oldest entries would shift.
const REQUEST_LOG_LIMIT = 100_000;

/** The action image's `iter8ctl` is the CLI built from this repository. */
export const runBuiltCli: ProcessMapper = ({ argv, env }) =>
  argv[0] === "iter8ctl" ? { command: process.execPath, args: [CLI_PATH, ...argv.slice(1)], env } : undefined;

function objectApi(kc: KubeConfig): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(kc);
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: number } | undefined)?.code === 404;
}

/**
 * Reads and writes any kind through the API with the admin kubeconfig. Kinds of an API group go
 * through CustomObjectsApi as plain JSON: KubernetesObjectApi converts what it reads to the model
 * named by version and kind alone, so a Knative `serving.knative.dev/v1` Service came back as a
 * core Service without its `traffic` and `template`.
 */
function objectAccess(admin: KubeConfig) {
  const api = objectApi(admin);
  const custom = admin.makeApiClient(CustomObjectsApi);
  const found = new Map<string, { group: string; version: string; plural: string; namespaced: boolean }>();
  const resourceOf = async (apiVersion: string, kind: string) => {
    const known = found.get(`${apiVersion} ${kind}`);
    if (known) return known;
    const [group = "", version = ""] = apiVersion.split("/");
    const { resources } = await custom.getAPIResources({ group, version });
    const resource = resources.find((r) => r.kind === kind && !r.name.includes("/"));
    if (!resource) throw new Error(`${kind} in ${apiVersion} is not served; install its CRD first`);
    const served = { group, version, plural: resource.name, namespaced: resource.namespaced };
    found.set(`${apiVersion} ${kind}`, served);
    return served;
  };
  return {
    async create(object: JsonObject): Promise<ClusterObject> {
      const apiVersion = String(object.apiVersion);
      if (!apiVersion.includes("/")) return (await api.create(object as KubernetesObject)) as ClusterObject;
      const r = await resourceOf(apiVersion, String(object.kind));
      const namespace = String((object.metadata as { namespace?: string } | undefined)?.namespace ?? "default");
      return (r.namespaced ? await custom.createNamespacedCustomObject({ ...r, namespace, body: object }) : await custom.createClusterCustomObject({ ...r, body: object })) as ClusterObject;
    },
    async get(apiVersion: string, kind: string, name: string, namespace = "default"): Promise<ClusterObject | undefined> {
      try {
        if (!apiVersion.includes("/")) return (await api.read({ apiVersion, kind, metadata: { name, namespace } })) as ClusterObject;
        const r = await resourceOf(apiVersion, kind);
        return (r.namespaced ? await custom.getNamespacedCustomObject({ ...r, namespace, name }) : await custom.getClusterCustomObject({ ...r, name })) as ClusterObject;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async list(apiVersion: string, kind: string, namespace?: string): Promise<ClusterObject[]> {
      if (!apiVersion.includes("/")) return (await api.list(apiVersion, kind, namespace)).items as ClusterObject[];
      const r = await resourceOf(apiVersion, kind);
      const list = (r.namespaced && namespace !== undefined ? await custom.listNamespacedCustomObject({ ...r, namespace }) : await custom.listClusterCustomObject(r)) as { items: ClusterObject[] };
      return list.items.map((item) => ({ ...item, apiVersion, kind }));
    },
    async replaceStatus(object: JsonObject): Promise<ClusterObject> {
      const metadata = object.metadata as { name: string; namespace?: string };
      const r = await resourceOf(String(object.apiVersion), String(object.kind));
      return (r.namespaced
        ? await custom.replaceNamespacedCustomObjectStatus({ ...r, namespace: metadata.namespace ?? "default", name: metadata.name, body: object })
        : await custom.replaceClusterCustomObjectStatus({ ...r, name: metadata.name, body: object })) as ClusterObject;
    },
  };
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

async function startOnTestkit(options: TestClusterOptions, install: Manifest[]): Promise<TestCluster> {
  const server = await KubeTestServer.start({
    namespaces: ["default", "iter8-system", ...(options.namespaces ?? [])],
    jobs: { mapProcess: options.mapProcess ?? runBuiltCli, baseEnv: options.baseEnv ?? DEFAULT_ENV },
    requestLogLimit: REQUEST_LOG_LIMIT,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  for (const crd of options.customResourceDefinitions ?? []) server.create(structuredClone(crd));
  // testkit serves no RBAC API; these let it store the RBAC objects a suite applies (a sample's
  // RoleBinding, say), which refusedRequests() judges together with the install's.
  for (const crd of RBAC_KINDS) server.create(crd);
  // testkit serves the CRDs from the start; what the install adds in namespaces is the builtin
  // Metrics, the tenants' ServiceAccounts and the controller's ConfigMap.
  for (const manifest of install.filter((m) => ["Metric", "ServiceAccount", "ConfigMap"].includes(m.kind) && m.metadata.namespace !== undefined)) {
    if (!server.find(manifest.apiVersion, manifest.kind, manifest.metadata.name, manifest.metadata.namespace)) server.create(structuredClone(manifest) as unknown as JsonObject);
  }
  // The install's ReferenceGrants, and the namespaces they live in, as `kubectl apply -k` creates them.
  for (const manifest of install.filter((m) => m.kind === "Namespace")) {
    if (!server.find("v1", "Namespace", manifest.metadata.name)) server.create(structuredClone(manifest) as unknown as JsonObject);
  }
  for (const manifest of install.filter((m) => m.kind === "ReferenceGrant")) server.create(structuredClone(manifest) as unknown as JsonObject);
  let since = 0;
  return {
    kind: ClusterKind.Testkit,
    controllerKubeconfigPath: server.kubeconfigPath,
    adminKubeconfigPath: server.kubeconfigPath,
    install,
    faults: server.faults,
    controllerKubeConfig: () => loadKubeConfig(server.kubeconfigPath),
    adminKubeConfig: () => loadKubeConfig(server.kubeconfigPath),
    // Straight to the store, as the real server's admin goes around the proxy: the request log
    // holds only what the controller and its Jobs asked.
    create: async (object) => server.create(object) as ClusterObject,
    get: async (apiVersion, kind, name, namespace = "default") => server.find(apiVersion, kind, name, namespace) as ClusterObject | undefined,
    list: async (apiVersion, kind, namespace) => server.list(apiVersion, kind, namespace) as ClusterObject[],
    replaceStatus: async (object) => server.replaceStatus(object) as ClusterObject,
    async jobLog(namespace, jobName) {
      const pods = server.list("v1", "Pod", namespace) as Array<{ metadata: { name: string; labels?: Record<string, string> } }>;
      return pods
        .filter((p) => p.metadata.labels?.["job-name"] === jobName)
        .map((p) => server.podLog(namespace, p.metadata.name) ?? "")
        .join("");
    },
    markRequests() {
      since = server.requests().length;
    },
    requests: () => server.requests().slice(since),
    async refusedRequests() {
      const rbac = [...install, ...RBAC_KINDS.flatMap((crd) => server.list(`${RBAC_GROUP}/v1`, crd.spec.names.kind) as unknown as Manifest[])];
      // testkit cannot tell who asked: a request passes when the controller or some tenant's action account may make it.
      const accounts = [Iter8Accounts.controller, ...install.filter((m) => m.kind === "ServiceAccount" && m.metadata.name === "iter8-action").map((m) => actionAccount(m.metadata.namespace ?? "default"))];
      return server
        .requests()
        .slice(since)
        .filter((r) => r.verb !== undefined && r.resource !== undefined)
        .filter((r) => {
          const [, root, group, version] = r.path.split("/");
          const request = {
            verb: r.verb!,
            group: root === "api" ? "" : groupOf(`${group}/${version}`),
            resource: r.subresource ? `${r.resource}/${r.subresource}` : r.resource!,
            ...(r.namespace ? { namespace: r.namespace } : {}),
          };
          return !accounts.some((account) => rbacAllows(rbac, account, request));
        })
        .map((r) => `${r.method} ${r.path}`);
    },
    dropWatches: (options) => server.dropWatches(options),
    restart: (options) => server.restart({ keepState: true, ...options }),
    cutConnections: (options) => server.restart({ keepState: true, ...options }),
    close: () => server.close(),
  };
}

async function startOnKubeApiserver(options: TestClusterOptions, install: Manifest[], overlay: string): Promise<TestCluster> {
  const plane = await startControlPlane();
  const work = await mkdtemp(join(tmpdir(), "iter8ts-cluster-"));
  let proxy: FaultProxy | undefined;
  let jobs: JobRunner | undefined;
  const close = async () => {
    await jobs?.stop();
    await proxy?.close();
    await plane.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    const kubectl = async (args: string[], input?: string) => {
      const result = await plane.kubectl(args, input === undefined ? {} : { input });
      if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${result.exitCode}): ${result.stderr}`);
      return result.stdout;
    };
    // The routing kinds the samples and suites move traffic in (Istio, Knative, KServe, Seldon);
    // there is no mesh, so only their CRDs.
    const routing = [
      ...defaultCustomResourceDefinitions().filter((crd) => !String((crd.metadata as { name: string }).name).endsWith(".iter8.tools")),
      ...(options.customResourceDefinitions ?? []),
    ];
    const crdFile = join(work, "routing-crds.json");
    await writeFile(crdFile, JSON.stringify({ apiVersion: "v1", kind: "List", items: routing }));
    await kubectl(["apply", "-f", crdFile]);
    // The CRDs first, so that the builtin Metrics in the same install find their kind.
    await kubectl(["apply", "-f", join(APP_ROOT, "deploy", "base", "crds")]);
    await waitForCrdsEstablished(plane);
    await kubectl(["apply", "-k", join(APP_ROOT, "deploy", "overlays", overlay)]);
    for (const namespace of options.namespaces ?? []) await kubectl(["create", "namespace", namespace]);
    for (const namespace of tenantsOf(options)) await kubectl(["apply", "-k", tenantDir(overlay), "-n", namespace]);

    proxy = await startFaultProxy(plane, { requestLogLimit: REQUEST_LOG_LIMIT, ...(options.kubectlInJobs ? { tls: true } : {}), ...(options.seed === undefined ? {} : { seed: options.seed }) });
    const baseEnv = options.baseEnv ?? DEFAULT_ENV;
    const controller = await serviceAccountKubeconfig(plane, { namespace: Iter8Accounts.controller.namespace, serviceAccount: Iter8Accounts.controller.name, server: proxy.url });
    // Every namespace: each Job runs as the ServiceAccount it names, of its own namespace.
    jobs = await startJobRunner(plane, {
      mapProcess: options.mapProcess ?? runBuiltCli,
      baseEnv: options.kubectlInJobs && plane.binDir ? { ...baseEnv, PATH: [plane.binDir, baseEnv.PATH].filter(Boolean).join(":") } : baseEnv,
      server: proxy.url,
    });
    const admin = loadKubeConfig(plane.kubeconfigPath);
    const access = objectAccess(admin);
    const runningProxy = proxy;
    const runner = jobs;
    let since = 0;
    return {
      kind: ClusterKind.KubeApiserver,
      controllerKubeconfigPath: controller.path,
      adminKubeconfigPath: plane.kubeconfigPath,
      install,
      faults: runningProxy.faults,
      controllerKubeConfig: () => loadKubeConfig(controller.path),
      adminKubeConfig: () => loadKubeConfig(plane.kubeconfigPath),
      ...access,
      kubectl: (args, kubectlOptions) => plane.kubectl(args, kubectlOptions),
      jobLog: async (namespace, jobName) => runner.logsOf(namespace, jobName) ?? "",
      markRequests() {
        since = runningProxy.requests().length;
      },
      requests: () => runningProxy.requests().slice(since),
      async refusedRequests() {
        return runningProxy
          .requests()
          .slice(since)
          .filter((r) => r.status === 403)
          .map((r) => `${r.method} ${r.path}`);
      },
      dropWatches: (options) => runningProxy.dropWatches(options),
      restart: (options) => plane.restartApiServer(options),
      cutConnections: (options) => runningProxy.restart(options),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function tenantsOf(options: TestClusterOptions): readonly string[] {
  return options.tenants ?? options.namespaces ?? [];
}

/** The tenant setup of an overlay's stack (deploy/tenant/<stack>), or the bare one. */
function tenantDir(overlay: string): string {
  const stack = join(APP_ROOT, "deploy", "tenant", overlay);
  return existsSync(join(stack, "kustomization.yaml")) ? stack : join(APP_ROOT, "deploy", "tenant");
}

/** Starts a cluster of `kind` with the install overlay and the namespaces a suite needs. */
export async function startTestCluster(kind: ClusterKind, options: TestClusterOptions = {}): Promise<TestCluster> {
  const overlay = options.overlay ?? "istio";
  const install = [
    ...renderKustomization(join(APP_ROOT, "deploy", "overlays", overlay)),
    ...tenantsOf(options).flatMap((namespace) => renderKustomization(tenantDir(overlay), namespace)),
  ];
  return kind === ClusterKind.Testkit ? startOnTestkit(options, install) : startOnKubeApiserver(options, install, overlay);
}
