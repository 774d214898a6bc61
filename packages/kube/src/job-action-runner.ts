import type { ActionRequest, ActionRunner, ActionRunState, ExperimentKey } from "@iter8ts/engine";
import type { Experiment } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/weights";
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
  /** Service account of the action pods (default `iter8-handlers`); it needs the RBAC the tasks use. */
  serviceAccountName?: string;
  /**
   * Namespace of the Jobs. By default the experiment's own, where an ownerReference to the
   * Experiment makes Kubernetes delete the Jobs with it. A fixed namespace (like the original's
   * `iter8-system`) cannot carry that reference — Kubernetes ignores owners in other namespaces —
   * so call {@link JobActionRunner.deleteJobsOf} when an experiment is deleted.
   */
  namespace?: string;
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
  /** Container resources, as in a pod spec. */
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
    const env = [
      { name: "EXPERIMENT_NAME", value: key.name },
      { name: "EXPERIMENT_NAMESPACE", value: key.namespace },
      { name: "ACTION", value: action },
      { name: "RUN_ID", value: runId },
      ...Object.entries(this.#options.env ?? {}).map(([n, value]) => ({ name: n, value })),
    ];
    const container: Record<string, unknown> = { name: CONTAINER, image: this.#options.image, command: [...this.#options.command], env };
    const args = typeof this.#options.args === "function" ? this.#options.args(request) : this.#options.args;
    if (args) container.args = [...args];
    if (this.#options.imagePullPolicy) container.imagePullPolicy = this.#options.imagePullPolicy;
    if (this.#options.resources) container.resources = this.#options.resources;
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
        spec: { serviceAccountName: this.#options.serviceAccountName ?? "iter8-handlers", restartPolicy: "Never", containers: [container] },
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
