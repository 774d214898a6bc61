/**
 * A shared cluster as issue 14 describes it, on a real kube-apiserver with the shipped install:
 * two tenant namespaces, `team-a` and `team-b`, each with the documented per-namespace action setup
 * (deploy/tenant, applied by startTestCluster) and a tenant identity (a ServiceAccount token) whose Role lets it create and read
 * Experiments, Metrics and ReferenceGrants in its own namespace and nothing else. An admin puts a
 * Secret `db-creds` holding a random token and a VirtualService in team-b. Tenants apply their
 * documents with the real kubectl; the built controller runs as a child process (its own service
 * account, through the fault proxy), and action Jobs run the built `iter8ctl action run`.
 */
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt, readKubeconfig, runKubectl, serviceAccountKubeconfig, type KubectlResult } from "@iter8ts/kube-harness";
import { CLI_PATH, ClusterKind, startTestCluster, type TestCluster } from "../cluster/test-cluster";
import { ControllerProcess, requireBuiltController } from "../reliability/controller-process";
import { isCompleted, readExperiment, type StoredExperiment } from "../reliability/experiment-status";
import { sleep, until } from "../reliability/wait-until";
import { findLeaks, type Leak } from "./leak-detector";

export const TEAM_A = "team-a";
export const TEAM_B = "team-b";
/** The tenant identity's ServiceAccount in each team's namespace. */
export const TENANT_ACCOUNT = "tenant";
export const ITER8 = "iter8.tools/v2alpha2";

/** A document as the tests write it. */
export type Document = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** A tenant: its namespace and a kubeconfig holding its ServiceAccount's token. */
export interface Tenant {
  readonly namespace: string;
  readonly kubeconfigPath: string;
  /** Runs the real kubectl as this tenant; a refusal is a result. */
  kubectl(args: readonly string[], input?: string): Promise<KubectlResult>;
  /** `kubectl apply -f -` of the documents, as this tenant; throws with kubectl's stderr when refused. */
  apply(...documents: Document[]): Promise<string>;
}

/** The tenant's Role: the iter8 objects of its own namespace, nothing else (no Secrets, no routing objects). */
function tenantRole(namespace: string): Document[] {
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: TENANT_ACCOUNT, namespace } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "iter8-tenant", namespace },
      rules: [{ apiGroups: ["iter8.tools"], resources: ["experiments", "metrics", "referencegrants"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "iter8-tenant", namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "iter8-tenant" },
      subjects: [{ kind: "ServiceAccount", name: TENANT_ACCOUNT, namespace }],
    },
  ];
}

/** team-b's VirtualService, 100/0 between two routes, with an integer field that is not a weight (retries.attempts). */
export function reviewsVirtualService(): Document {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: { name: "reviews", namespace: TEAM_B },
    spec: {
      hosts: ["reviews"],
      http: [
        {
          route: [
            { destination: { host: "reviews-v1" }, weight: 100 },
            { destination: { host: "reviews-v2" }, weight: 0 },
          ],
          retries: { attempts: 3 },
        },
      ],
    },
  };
}

const list = (items: readonly Document[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items });


/** The cluster, its two tenants, the secret's value, and the controllers started on it. */
export class TwoTenantCluster {
  readonly kube: TestCluster;
  readonly teamA: Tenant;
  readonly teamB: Tenant;
  /** The value of team-b's `db-creds` `token`. */
  readonly secretValue: string;
  /** Every controller process started, running or not (their logs are searched for leaks). */
  readonly controllers: ControllerProcess[] = [];
  readonly #kubectlBinary: string;

  private constructor(kube: TestCluster, teamA: Tenant, teamB: Tenant, secretValue: string, kubectlBinary: string) {
    this.kube = kube;
    this.teamA = teamA;
    this.teamB = teamB;
    this.secretValue = secretValue;
    this.#kubectlBinary = kubectlBinary;
  }

  static async start(): Promise<TwoTenantCluster> {
    requireBuiltController();
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} does not exist: action Jobs run the built CLI; build it with \`pnpm turbo run build --filter=@iter8ts/cli...\``);
    // Both namespaces get the documented action setup (deploy/tenant), as an admin applies it.
    const kube = await startTestCluster(ClusterKind.KubeApiserver, { namespaces: [TEAM_A, TEAM_B], tenants: [TEAM_A, TEAM_B] });
    try {
      const kubectlBinary = join(await ensureBuilt({ printOnly: true }), "kubectl");
      const admin = (args: readonly string[], input?: string) => runKubectl(kubectlBinary, kube.adminKubeconfigPath, args, { input });
      const must = async (args: readonly string[], input?: string) => {
        const r = await admin(args, input);
        if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr.trim()}`);
        return r.stdout;
      };
      const secretValue = `tok-${randomBytes(24).toString("hex")}`;
      for (const namespace of [TEAM_A, TEAM_B]) {
        await must(["apply", "-f", "-"], list(tenantRole(namespace)));
      }
      await must(["create", "secret", "generic", "db-creds", "-n", TEAM_B, `--from-literal=token=${secretValue}`]);
      await must(["apply", "-f", "-"], list([reviewsVirtualService()]));

      const access = readKubeconfig(kube.adminKubeconfigPath);
      const tenant = async (namespace: string): Promise<Tenant> => {
        const { path } = await serviceAccountKubeconfig(access, { namespace, serviceAccount: TENANT_ACCOUNT });
        const kubectl = (args: readonly string[], input?: string) => runKubectl(kubectlBinary, path, args, { input });
        return {
          namespace,
          kubeconfigPath: path,
          kubectl,
          async apply(...documents) {
            const r = await kubectl(["apply", "-f", "-"], list(documents));
            if (r.exitCode !== 0) throw new Error(`kubectl apply as ${namespace}'s tenant failed: ${r.stderr.trim()}`);
            return r.stdout;
          },
        };
      };
      return new TwoTenantCluster(kube, await tenant(TEAM_A), await tenant(TEAM_B), secretValue, kubectlBinary);
    } catch (error) {
      await kube.close();
      throw error;
    }
  }

  /** Runs the real kubectl as the admin. */
  admin(args: readonly string[], input?: string): Promise<KubectlResult> {
    return runKubectl(this.#kubectlBinary, this.kube.adminKubeconfigPath, args, { input });
  }

  /** Starts the built controller with these flags (besides its kubeconfig and loopback endpoints) and waits until it reconciles. */
  async startController(name: string, args: readonly string[]): Promise<ControllerProcess> {
    const controller = ControllerProcess.start({ kubeconfigPath: this.kube.controllerKubeconfigPath, name, args: ["--leader-elect=false", ...args] });
    this.controllers.push(controller);
    await until(
      () => controller.logged("leading: reconciling experiments").length > 0 || !controller.alive,
      `controller ${name} reconciles`,
      60_000,
    );
    if (!controller.alive) throw new Error(`controller ${name} exited: ${controller.stderr.join("\n")} ${controller.logs.map((l) => l.msg).join(" | ")}`);
    return controller;
  }

  /** Stops a controller with SIGTERM, as a rollout does, and with SIGKILL when it has not ended 5 s later (a blocked event loop never runs its SIGTERM handler). */
  async stopController(controller: ControllerProcess | undefined): Promise<void> {
    if (!controller) return;
    const stopped = controller.kill("SIGTERM");
    const late = await Promise.race([stopped.then(() => false), sleep(5_000).then(() => true)]);
    if (late) await controller.kill("SIGKILL");
  }

  experiment(namespace: string, name: string): Promise<StoredExperiment> {
    return readExperiment(this.kube, namespace, name);
  }

  /** Waits until the experiment has ended (Completed=True) and returns it. */
  async ended(namespace: string, name: string, timeoutMs = 60_000): Promise<StoredExperiment> {
    let last: StoredExperiment | undefined;
    await until(
      async () => {
        last = await this.experiment(namespace, name);
        return isCompleted(last);
      },
      `experiment ${namespace}/${name} ended (last status: ${JSON.stringify(last?.status?.conditions ?? [])} ${last?.status?.message ?? ""})`,
      timeoutMs,
      200,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last status: ${JSON.stringify(last?.status ?? {})}`);
    });
    return last!;
  }

  /** Every place the secret's value shows: status, Events, controller logs, Job logs. */
  leaks(): Promise<Leak[]> {
    return findLeaks(this.kube, this.secretValue, this.controllers);
  }

  /** The Jobs of a namespace that ran an action of this experiment. */
  async jobsOf(namespace: string, experiment: string): Promise<Array<Document & { spec: { template: { spec: Record<string, unknown> } } }>> {
    const jobs = (await this.kube.list("batch/v1", "Job", namespace)) as unknown as Array<Document & { metadata: { annotations?: Record<string, string> }; spec: { template: { spec: Record<string, unknown> } } }>;
    return jobs.filter((j) => j.metadata.annotations?.["iter8/experimentName"] === experiment);
  }

  /** Everything the Jobs of this experiment printed, in every namespace. */
  async jobLogs(experiment: string): Promise<string> {
    const jobs = (await this.kube.list("batch/v1", "Job")) as unknown as Array<Document & { metadata: { namespace: string; annotations?: Record<string, string> } }>;
    const mine = jobs.filter((j) => j.metadata.annotations?.["iter8/experimentName"] === experiment);
    return (await Promise.all(mine.map((j) => this.kube.jobLog(j.metadata.namespace, j.metadata.name)))).join("\n");
  }

  async close(): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.kill("SIGKILL")));
    await this.kube.close();
    // The tenants' kubeconfigs hold live tokens; they are written outside the control plane's folder.
    for (const t of [this.teamA, this.teamB]) rmSync(t.kubeconfigPath, { force: true });
  }
}
