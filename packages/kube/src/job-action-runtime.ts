import type { ExperimentKey } from "@iter8ts/engine";
import { apiServerAddresses } from "./api-server-addresses";
import type { KubeClients } from "./create-kube-clients";
import { experimentPath, parseStoredExperiment } from "./iter8-resources";
import { isKubeError, KubeErrorCode } from "./kube-error";
import { KubeResourceClient } from "./kube-resource-client";
import { createEgressPolicy, fetchOverHttpClient, nodeHttpClient, parseEgressAllow } from "@iter8ts/metrics";
import { createTaskRunner, LogPriority, logPrecedence, taskEventMessage, type Iter8Log, type SecretSource, type StatusUpdate } from "@iter8ts/tasks";
import { ACTION_NAMES, secretValues, type Experiment, type ExperimentStatus } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";

/** What an action Job (`iter8ctl action run`) needs to run one action of one experiment in a cluster. */
export interface ClusterActionRequest {
  clients: KubeClients;
  experiment: ExperimentKey;
  /** The key in `spec.strategy.actions`: start, loop, finish, failure. */
  action: string;
  /** The engine's run id, echoed in every log line. */
  runId?: string;
  /** The environment of the processes tasks start (inside a Job: the container's). */
  env: Readonly<Record<string, string>>;
  /**
   * Whether exec-type tasks (`run`, `common/exec`, `common/bash`, `common/promote-kubectl`) may
   * run: the controller decides per namespace and tells the Job with `ITER8_ALLOW_EXEC`.
   */
  allowExec: boolean;
  /** HTTP of the notification tasks (see {@link jobFetch}); default: the global fetch. */
  fetch?: typeof fetch;
  /** Receives each Iter8Log line (without newline). */
  log: (line: string) => void;
  /** Reads of the experiment before giving up on a cluster that does not answer (default 4). */
  readAttempts?: number;
  /** Status writes retried after conflicts (default 10). */
  conflictRetries?: number;
  /** Waiting between read attempts (default: timers, 2 s doubling). */
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

/** How the action ended. */
export interface ClusterActionResult {
  ok: boolean;
  /** What went wrong, when not ok. */
  error?: string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads Secrets from the cluster for tasks that name one (`with.secret`). */
export function clusterSecretSource(clients: KubeClients): SecretSource {
  return {
    async get(namespace, name) {
      try {
        const secret = await clients.api.request<{ data?: Record<string, string>; stringData?: Record<string, string> }>({
          method: "GET",
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
          subject: `Secret ${namespace}/${name}`,
        });
        return secretValues(secret);
      } catch (error) {
        if (isKubeError(error, KubeErrorCode.NotFound)) return undefined;
        throw error;
      }
    },
  };
}

async function readExperiment(request: ClusterActionRequest): Promise<Experiment> {
  const { clients, experiment: key } = request;
  const attempts = Math.max(1, request.readAttempts ?? 4);
  const sleep = request.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      const object = await clients.api.request<KubeObject>({ method: "GET", path: experimentPath(key), subject: `Experiment ${key.namespace}/${key.name}`, ...(request.signal ? { signal: request.signal } : {}) });
      return parseStoredExperiment(object);
    } catch (error) {
      const retryable = isKubeError(error) && error.retryable;
      if (!retryable || attempt >= attempts) throw error;
      await sleep(2_000 * 2 ** (attempt - 1));
    }
  }
}

/**
 * Applies a task's status change to the stored experiment through the status subresource. The
 * change is a function of the status, so after a conflict (the controller wrote meanwhile) it is
 * applied again to the fresh status instead of overwriting the controller's write.
 */
export async function updateStatusWithRetry(clients: KubeClients, key: ExperimentKey, update: StatusUpdate, conflictRetries = 10): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const stored = await clients.api.request<KubeObject & { status?: ExperimentStatus }>({ method: "GET", path: experimentPath(key), subject: `Experiment ${key.namespace}/${key.name}` });
    const status = update(structuredClone(stored.status ?? {}));
    try {
      await clients.api.request({
        method: "PUT",
        path: experimentPath(key, "status"),
        body: { apiVersion: stored.apiVersion, kind: stored.kind, metadata: { name: key.name, namespace: key.namespace, resourceVersion: stored.metadata.resourceVersion }, status },
        subject: `status of Experiment ${key.namespace}/${key.name}`,
      });
      return;
    } catch (error) {
      if (!isKubeError(error, KubeErrorCode.Conflict) || attempt >= conflictRetries) throw error;
    }
  }
}

/** The largest answer a notification task reads. */
const NOTIFICATION_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * The `fetch` of notification tasks in an action Job: loopback, link-local (the cloud metadata
 * address) and the API server's addresses are refused, at every redirect and on the address
 * actually connected to, unless the controller's `--egress-allow` (passed to the Job as
 * `ITER8_EGRESS_ALLOW`) allows them.
 * @throws EgressAllowError when `ITER8_EGRESS_ALLOW` is not a valid allow-list.
 */
export async function jobFetch(clients: KubeClients, env: { ITER8_EGRESS_ALLOW?: string | undefined; KUBERNETES_SERVICE_HOST?: string | undefined }): Promise<typeof fetch> {
  const allow = parseEgressAllow(env.ITER8_EGRESS_ALLOW ?? "");
  const egress = createEgressPolicy({ allow, apiServerAddresses: await apiServerAddresses(clients.kubeConfig, env.KUBERNETES_SERVICE_HOST), flag: "the controller's --egress-allow" });
  return fetchOverHttpClient(nodeHttpClient({ egress, maxResponseBytes: NOTIFICATION_MAX_RESPONSE_BYTES }));
}

/** How `action run` refuses an exec-type task the controller did not allow in `namespace`. */
export function jobExecRefusal(namespace: string): string {
  return `which the controller does not allow for experiments in namespace ${namespace} (ITER8_ALLOW_EXEC is not true); an admin allows them with the controller flag --allow-exec`;
}

/**
 * Runs one action of an experiment stored in the cluster, as the action Job does: reads the
 * experiment, runs the action's tasks (processes only where the controller allows them: the
 * Job's ITER8_ALLOW_EXEC, checked again here in case the Job was made by hand), writes status
 * changes such as builtin metrics as they happen, and reports everything as Iter8Log lines. An
 * action the experiment does not define succeeds with nothing to do, as in Iter8; a name that is
 * no action at all (a typo such as `--action finsh`) fails before the experiment is read.
 */
export async function runClusterAction(request: ClusterActionRequest): Promise<ClusterActionResult> {
  const { experiment: key, action } = request;
  let experiment: Experiment | undefined;
  const emit = (priority: LogPriority, message: string) => {
    const line: Iter8Log = {
      isIter8Log: true,
      experimentName: key.name,
      experimentNamespace: key.namespace,
      source: "task-runner",
      priority,
      message,
      precedence: logPrecedence(action, experiment),
      action,
      ...(request.runId ? { runId: request.runId } : {}),
    };
    request.log(JSON.stringify(line));
  };

  if (!(ACTION_NAMES as readonly string[]).includes(action)) {
    const error = `"${action}" is not an action: the actions of an experiment are ${ACTION_NAMES.join(", ")} (--action or ACTION)`;
    emit(LogPriority.Error, error);
    return { ok: false, error };
  }

  try {
    experiment = await readExperiment(request);
  } catch (error) {
    const reason = isKubeError(error, KubeErrorCode.NotFound)
      ? `experiment ${key.namespace}/${key.name} does not exist; it may have been deleted`
      : `cannot read experiment ${key.namespace}/${key.name}: ${error instanceof Error ? error.message : String(error)}`;
    emit(LogPriority.Error, reason);
    return { ok: false, error: reason };
  }

  const tasks = experiment.spec.strategy.actions?.[action];
  if (tasks === undefined) {
    emit(LogPriority.Warning, `experiment ${key.namespace}/${key.name} defines no ${action} action; nothing to run`);
    return { ok: true };
  }

  const runner = createTaskRunner({
    allowExec: request.allowExec,
    execDisabledReason: jobExecRefusal(key.namespace),
    ...(request.fetch ? { fetch: request.fetch } : {}),
    env: request.env,
    resources: new KubeResourceClient(request.clients),
    secrets: clusterSecretSource(request.clients),
    writeStatus: (update) => updateStatusWithRetry(request.clients, key, update, request.conflictRetries),
    events: (event) => {
      const entry = taskEventMessage(event);
      if (entry) emit(entry.priority, entry.message);
    },
  });
  const result = await runner.runTasks(experiment, action, tasks, request.signal ? { signal: request.signal } : {});
  if (result.ok) return { ok: true };
  const error = result.error?.message ?? `action ${action} failed`;
  return { ok: false, error };
}
