import type { ActionRequest, ActionRunner, ActionRunState, ExperimentKey } from "@iter8ts/engine";
import type { Experiment } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";
import { actionJobName, labelValue } from "./action-job-name";
import type { KubeClients } from "./create-kube-clients";
import { isKubeError, KubeError, KubeErrorCode } from "./kube-error";
import { EXPERIMENT_RESOURCE } from "./iter8-resources";
import { listAll } from "./list-all";
import { ResourceInformer } from "./resource-informer";

/** Labels (values shortened to fit) and annotations (full values) of action Jobs. */
export const ActionJobLabel = {
  ExperimentName: "iter8/experimentName",
  ExperimentNamespace: "iter8/experimentNamespace",
  Action: "iter8/action",
  RunId: "iter8/runId",
} as const;

/** Settings of {@link JobActionRunner}. */
export interface JobActionRunnerOptions {
  /** The container image that runs actions (it holds the task runner, e.g. `iter8ctl`). */
  image: string;
  /** The container's command, e.g. `["iter8ctl"]`. */
  command: string[];
  /**
   * The container's arguments, fixed or per run. Kubernetes expands `$(EXPERIMENT_NAMESPACE)`,
   * `$(EXPERIMENT_NAME)`, `$(ACTION)` and `$(RUN_ID)` from the container's environment.
   */
  args?: string[] | ((request: ActionRequest) => string[]);
  /**
   * Service account of the action pods, in the Jobs' namespace (default `iter8-action`): the
   * tenant's own, so an action can do only what that namespace's RoleBindings let it. It must
   * exist there; {@link JobActionRunner.start} refuses to create a Job that could never start.
   */
  serviceAccountName?: string;
  /**
   * Namespace of the Jobs. By default the experiment's own, where an ownerReference to the
   * Experiment makes Kubernetes delete the Jobs with it. A fixed namespace (like the original's
   * `iter8-system`) cannot carry that reference — Kubernetes ignores owners in other namespaces —
   * so call {@link JobActionRunner.deleteJobsOf} when an experiment is deleted.
   */
  namespace?: string;
  /**
   * Whether the experiment's namespace may run exec-type tasks (`run`, `common/exec`, …); the
   * container gets `ITER8_ALLOW_EXEC=true|false` and `iter8ctl action run` refuses them when
   * false. Default false.
   */
  allowExec?: boolean | ((experiment: ExperimentKey) => boolean);
  /**
   * The kustomization that sets a namespace up for actions, quoted when the service account is
   * missing (default `apps/controller/deploy/tenant`).
   */
  tenantSetupHint?: string;
  /** More environment for the container (added after the four the runner sets). */
  env?: Readonly<Record<string, string>>;
  /** Retries of a failed action pod (default 1: an action runs at most twice). */
  backoffLimit?: number;
  /** An action running longer fails (default 300 s). */
  activeDeadlineSeconds?: number;
  /**
   * Deletes finished Jobs after this long. Off by default: a Job deleted before the engine saw
   * its result reads as `Unknown`, and the engine would start the action again.
   */
  ttlSecondsAfterFinished?: number;
  /** Image pull policy of the container. */
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** Container resources, as in a pod spec (default {@link DEFAULT_ACTION_RESOURCES}). */
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  /** Extra labels for Jobs and their pods. */
  labels?: Readonly<Record<string, string>>;
  /** Lines of a failed pod's log quoted in the failure message (default 20; 0 turns it off). */
  failureLogLines?: number;
}

interface JobCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

interface Job extends KubeObject {
  status?: { conditions?: JobCondition[]; failed?: number; succeeded?: number };
}

interface Pod extends KubeObject {
  status?: { phase?: string };
}

const CONTAINER = "iter8-action";
const SCRATCH_VOLUME = "scratch";

/** The service account action Jobs run as unless told otherwise. */
export const DEFAULT_ACTION_SERVICE_ACCOUNT = "iter8-action";

/**
 * Requests and limits of an action container unless told otherwise: enough for `iter8ctl`,
 * `kubectl` and a shell script, bounded so that a tenant's action cannot take a node's CPU or
 * memory from the other tenants.
 */
export const DEFAULT_ACTION_RESOURCES = {
  requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
  limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "256Mi" },
} as const;

/**
 * The pod's securityContext: no root, no privilege escalation, no capabilities, the runtime's
 * seccomp profile, a read-only root file system (scratch space is an emptyDir on /tmp). uid 1000
 * is the action image's unprivileged user.
 */
const POD_SECURITY_CONTEXT = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } } as const;
const CONTAINER_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } } as const;

/**
 * The engine's action runner on Kubernetes: each action run is a batch/v1 Job that runs the
 * action's tasks in its own pod, under its own service account — never in the controller.
 *
 * - The Job's name comes from the experiment's name and the run id ({@link actionJobName}), so
 *   a re-created experiment (new run id) never reuses an old Job or its result.
 * - `start` is idempotent: a Job that already exists for the same run id is left alone.
 * - `state` maps the Job's conditions: `Complete` → Succeeded, `Failed` → Failed (with the
 *   reason and the last lines of the failed pod's log), otherwise Running; no Job → Unknown.
 */
export class JobActionRunner implements ActionRunner {
  readonly #clients: KubeClients;
  readonly #options: JobActionRunnerOptions;

  constructor(clients: KubeClients, options: JobActionRunnerOptions) {
    if (!options.image) throw new RangeError("JobActionRunner needs an image that runs actions");
    if (options.command.length === 0) throw new RangeError("JobActionRunner needs the command that runs an action");
    this.#clients = clients;
    this.#options = options;
  }

  /** Where the Job of a run lives: its namespace and name. */
  jobOf(request: Pick<ActionRequest, "experiment" | "runId">): { namespace: string; name: string } {
    return { namespace: this.#options.namespace ?? request.experiment.namespace, name: actionJobName(request.experiment.name, request.runId) };
  }

  #jobPath(namespace: string, name?: string): string {
    const base = `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`;
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
  }

  /** The Job for a run, as it would be created. */
  jobFor(request: ActionRequest, experiment: Experiment): KubeObject {
    const { namespace, name } = this.jobOf(request);
    const { experiment: key, action, runId } = request;
    const labels: Record<string, string> = {
      ...this.#options.labels,
      [ActionJobLabel.ExperimentName]: labelValue(key.name),
      [ActionJobLabel.ExperimentNamespace]: labelValue(key.namespace),
      [ActionJobLabel.Action]: labelValue(action),
      [ActionJobLabel.RunId]: labelValue(runId),
    };
    const annotations: Record<string, string> = {
      [ActionJobLabel.ExperimentName]: key.name,
      [ActionJobLabel.ExperimentNamespace]: key.namespace,
      [ActionJobLabel.Action]: action,
      [ActionJobLabel.RunId]: runId,
      "iter8/handler": request.handlerName,
    };
    const allowExec = typeof this.#options.allowExec === "function" ? this.#options.allowExec(key) : (this.#options.allowExec ?? false);
    const fixed: Record<string, string> = {
      EXPERIMENT_NAME: key.name,
      EXPERIMENT_NAMESPACE: key.namespace,
      ACTION: action,
      RUN_ID: runId,
      ITER8_ALLOW_EXEC: String(allowExec),
    };
    // The runner's own variables win over configured ones: a configured ITER8_ALLOW_EXEC cannot
    // widen what the controller decided for this namespace.
    const extra = Object.entries(this.#options.env ?? {}).filter(([n]) => !(n in fixed));
    const env = [...Object.entries(fixed), ...extra].map(([n, value]) => ({ name: n, value }));
    const container: Record<string, unknown> = {
      name: CONTAINER,
      image: this.#options.image,
      command: [...this.#options.command],
      env,
      resources: structuredClone(this.#options.resources ?? DEFAULT_ACTION_RESOURCES),
      securityContext: structuredClone(CONTAINER_SECURITY_CONTEXT),
      volumeMounts: [{ name: SCRATCH_VOLUME, mountPath: "/tmp" }],
    };
    const args = typeof this.#options.args === "function" ? this.#options.args(request) : this.#options.args;
    if (args) container.args = [...args];
    if (this.#options.imagePullPolicy) container.imagePullPolicy = this.#options.imagePullPolicy;
    const metadata: KubeObject["metadata"] = { name, namespace, labels, annotations };
    const uid = experiment.metadata.uid;
    if (namespace === key.namespace && typeof uid === "string" && uid) {
      metadata.ownerReferences = [{ apiVersion: EXPERIMENT_RESOURCE.apiVersion, kind: EXPERIMENT_RESOURCE.kind, name: key.name, uid }];
    }
    const spec: Record<string, unknown> = {
      backoffLimit: this.#options.backoffLimit ?? 1,
      activeDeadlineSeconds: this.#options.activeDeadlineSeconds ?? 300,
      template: {
        metadata: { labels, annotations },
        spec: {
          serviceAccountName: this.#serviceAccount(),
          restartPolicy: "Never",
          securityContext: structuredClone(POD_SECURITY_CONTEXT),
          containers: [container],
          volumes: [{ name: SCRATCH_VOLUME, emptyDir: { sizeLimit: "256Mi" } }],
        },
      },
    };
    if (this.#options.ttlSecondsAfterFinished !== undefined) spec.ttlSecondsAfterFinished = this.#options.ttlSecondsAfterFinished;
    return { apiVersion: "batch/v1", kind: "Job", metadata, spec };
  }

  /**
   * Creates the Job of the run, unless it exists already.
   *
   * @throws KubeError when the Job cannot be created (retryable for conflicts and outages), or
   *   `AlreadyExists` (final) when a Job of another run has the name.
   */
  async start(request: ActionRequest, experiment: Experiment): Promise<void> {
    const job = this.jobFor(request, experiment);
    const { namespace, name } = this.jobOf(request);
    const subject = `Job ${namespace}/${name} for action ${request.action} of Experiment ${request.experiment.namespace}/${request.experiment.name}`;
    await this.#requireServiceAccount(namespace, request);
    try {
      await this.#clients.api.request({ method: "POST", path: this.#jobPath(namespace), body: job, subject });
    } catch (error) {
      if (!isKubeError(error, KubeErrorCode.AlreadyExists)) throw error;
      const existing = await this.#clients.api.request<Job>({ method: "GET", path: this.#jobPath(namespace, name), subject });
      const runId = existing.metadata.annotations?.[ActionJobLabel.RunId];
      if (runId !== request.runId) {
        throw new KubeError(KubeErrorCode.AlreadyExists, `${subject}: a Job of run ${runId ?? "(unknown)"} already has this name; delete it to let the action run`, { cause: error, retryable: false });
      }
    }
  }

  #serviceAccount(): string {
    return this.#options.serviceAccountName ?? DEFAULT_ACTION_SERVICE_ACCOUNT;
  }

  /**
   * A Job whose service account is missing is accepted by the API server but its pod never is,
   * so the action would hang until its deadline with nothing to say why; fail it now instead.
   */
  async #requireServiceAccount(namespace: string, request: ActionRequest): Promise<void> {
    const account = this.#serviceAccount();
    try {
      await this.#clients.api.request({
        method: "GET",
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(account)}`,
        subject: `ServiceAccount ${namespace}/${account}`,
      });
    } catch (error) {
      if (!isKubeError(error, KubeErrorCode.NotFound)) throw error;
      const hint = this.#options.tenantSetupHint ?? "apps/controller/deploy/tenant";
      throw new KubeError(
        KubeErrorCode.NotFound,
        `the ${request.action} action of Experiment ${request.experiment.namespace}/${request.experiment.name} cannot run: ServiceAccount ${account} does not exist in namespace ${namespace}; ` +
          `an admin sets the namespace up for actions with "kubectl apply -k ${hint} -n ${namespace}" (see "Tenant namespaces" in apps/controller/README.md)`,
        { cause: error, retryable: false },
      );
    }
  }

  async state(request: ActionRequest): Promise<ActionRunState> {
    const { namespace, name } = this.jobOf(request);
    let job: Job;
    try {
      job = await this.#clients.api.request<Job>({ method: "GET", path: this.#jobPath(namespace, name), subject: `Job ${namespace}/${name}` });
    } catch (error) {
      if (isKubeError(error, KubeErrorCode.NotFound)) return { state: "Unknown" };
      throw error;
    }
    if (job.metadata.annotations?.[ActionJobLabel.RunId] !== request.runId) return { state: "Unknown" };
    const conditions = job.status?.conditions ?? [];
    const holds = (type: string) => conditions.find((c) => c.type === type && c.status === "True");
    if (holds("Complete")) return { state: "Succeeded" };
    const failed = holds("Failed");
    if (failed) return { state: "Failed", message: await this.#failureMessage(namespace, name, failed) };
    return { state: "Running" };
  }

  async #failureMessage(namespace: string, name: string, condition: JobCondition): Promise<string> {
    const why = [condition.reason, condition.message].filter(Boolean).join(": ") || "failed";
    const base = `Job ${namespace}/${name} failed (${why})`;
    const lines = this.#options.failureLogLines ?? 20;
    if (lines <= 0) return `${base}; see kubectl logs job/${name} -n ${namespace}`;
    try {
      const { items } = await listAll(this.#clients.api, {
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        apiVersion: "v1",
        kind: "Pod",
        labelSelector: `job-name=${name}`,
        subject: `pods of Job ${namespace}/${name}`,
      });
      const pods = (items as Pod[])
        .filter((p) => p.status?.phase === "Failed")
        .sort((a, b) => String(a.metadata.creationTimestamp ?? "").localeCompare(String(b.metadata.creationTimestamp ?? "")));
      const pod = pods.at(-1);
      if (!pod) return base;
      const log = await this.#clients.api.requestText({
        method: "GET",
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod.metadata.name)}/log`,
        query: { container: CONTAINER, tailLines: lines, limitBytes: 65_536 },
        subject: `log of pod ${namespace}/${pod.metadata.name}`,
      });
      const tail = log.trimEnd().split("\n").slice(-lines).join("\n").slice(-4_000);
      return tail ? `${base}; last output of pod ${pod.metadata.name}:\n${tail}` : base;
    } catch {
      // The log is a courtesy; the failure itself is already known.
      return `${base}; see kubectl logs job/${name} -n ${namespace}`;
    }
  }

  /**
   * Deletes every action Job of an experiment (with its pods). Needed only when Jobs live in a
   * fixed namespace; in the experiment's own namespace Kubernetes deletes them with it.
   */
  async deleteJobsOf(experiment: ExperimentKey): Promise<number> {
    const namespace = this.#options.namespace ?? experiment.namespace;
    const selector = `${ActionJobLabel.ExperimentName}=${labelValue(experiment.name)},${ActionJobLabel.ExperimentNamespace}=${labelValue(experiment.namespace)}`;
    const { items } = await listAll(this.#clients.api, {
      path: this.#jobPath(namespace),
      apiVersion: "batch/v1",
      kind: "Job",
      labelSelector: selector,
      subject: `action Jobs of Experiment ${experiment.namespace}/${experiment.name}`,
    });
    let deleted = 0;
    for (const job of items) {
      if (job.metadata.annotations?.[ActionJobLabel.ExperimentName] !== experiment.name || job.metadata.annotations?.[ActionJobLabel.ExperimentNamespace] !== experiment.namespace) continue;
      try {
        // Without a propagation policy, batch/v1 Jobs orphan their pods.
        await this.#clients.api.request({
          method: "DELETE",
          path: this.#jobPath(namespace, job.metadata.name),
          query: { propagationPolicy: "Background" },
          subject: `Job ${namespace}/${job.metadata.name}`,
        });
        deleted++;
      } catch (error) {
        if (!isKubeError(error, KubeErrorCode.NotFound)) throw error;
      }
    }
    return deleted;
  }
}

/** The experiment an action Job belongs to (from its annotations), for work queues fed by a Job informer. */
export function experimentKeyOfJob(job: KubeObject): ExperimentKey | undefined {
  const name = job.metadata.annotations?.[ActionJobLabel.ExperimentName];
  const namespace = job.metadata.annotations?.[ActionJobLabel.ExperimentNamespace];
  return name && namespace ? { namespace, name } : undefined;
}

/**
 * An informer on action Jobs (those labelled with a run id), in one namespace or all, so a
 * controller can reconcile an experiment as soon as its action's Job changes instead of polling.
 */
export function createActionJobInformer(clients: KubeClients, scope: { namespace?: string } = {}): ResourceInformer {
  const resource = scope.namespace === undefined ? { apiVersion: "batch/v1", kind: "Job" } : { apiVersion: "batch/v1", kind: "Job", namespace: scope.namespace };
  return new ResourceInformer(clients, { resource, labelSelector: ActionJobLabel.RunId });
}
