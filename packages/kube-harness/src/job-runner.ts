/**
 * A stand-in for the Job controller and the kubelet on a control plane that has neither: each new
 * batch/v1 Job's first container runs as a local process (through the same hook as
 * @iter8ts/testkit's Job executor) with a kubeconfig holding a token of the Job's ServiceAccount,
 * and the Job's status is written through `/status` the way the Job controller writes it, so that
 * kube-apiserver's Job status validation accepts it and `kubectl wait --for=condition=complete`
 * works. No Pods are created.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnvSourceKind, JobEnd, containerEnvSources, jobEndConditions, launchContainer, type ContainerProcess, type ProcessDefaults } from "@iter8ts/testkit";
import { apiRequest } from "./api-request";
import { writeKubeconfig, type ClusterAccess } from "./cluster-access";
import { KubeHarnessError } from "./kube-harness-error";
import { listWatch, type ApiObject, type ChangeType } from "./list-watch";
import { requestServiceAccountToken, tokenAccess } from "./service-account-kubeconfig";

/** Options of {@link startJobRunner}. */
export interface JobRunnerOptions extends ProcessDefaults {
  /** Run only the Jobs of these namespaces (default: all). */
  readonly namespaces?: readonly string[];
  /** The server the containers' kubeconfigs name; default the control plane's; a fault proxy's URL, say. */
  readonly server?: string;
  /** Wait before a failed container is run again, in ms (the real controller starts at 10 s; default 0). */
  readonly backoffDelayMs?: number;
  /** How long a killed container gets between SIGTERM and SIGKILL, in ms (default 1000). */
  readonly killGraceMs?: number;
  /** Bytes of output kept per run (default 1 MiB); older output is dropped first. */
  readonly logLimitBytes?: number;
  /** Lifetime of the containers' ServiceAccount tokens (default 3600 s). */
  readonly tokenExpirationSeconds?: number;
}

/** One run of a Job's container: `attempt` 1 first, 2 for the first retry, ... */
export interface JobRun {
  readonly namespace: string;
  readonly name: string;
  readonly attempt: number;
  /** 128 + n after signal n (143 for a container stopped by its deadline or deletion). */
  readonly exitCode: number;
}

/** A running Job runner. */
export interface JobRunner {
  /** The runs that have ended, oldest first. */
  readonly runs: readonly JobRun[];
  /** What went wrong on the runner's side: a status write refused, a ServiceAccount missing. */
  readonly warnings: readonly string[];
  /**
   * The output (stdout and stderr) of a Job's run, live while it runs: the latest attempt, or the
   * one named. Undefined when the Job has not run here.
   */
  logsOf(namespace: string, name: string, attempt?: number): string | undefined;
  /** Stops watching, kills every running container and waits for the Jobs' loops to end. */
  stop(): Promise<void>;
}

interface JobState {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  process: ContainerProcess | undefined;
  gone: boolean;
  deadlineHit: boolean;
  /** Status writes go one after another, in order. */
  writes: Promise<void>;
}

type Status = Record<string, unknown>;

const JOB_CONTROLLER = "kubernetes.io/job-controller";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const numberOr = (value: unknown, fallback: number) => (typeof value === "number" && Number.isFinite(value) ? value : fallback);
const objectOr = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
// Second precision, as the API server stores times.
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

function isFinished(job: ApiObject): boolean {
  const conditions = objectOr(job.status).conditions;
  return Array.isArray(conditions) && conditions.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
}

/**
 * Starts running the Jobs of `plane` (all namespaces, or `options.namespaces`) and resolves once
 * the Jobs that already exist have been seen. Jobs that are finished, suspended or managed by
 * another controller (`spec.managedBy`) are left alone.
 */
export async function startJobRunner(plane: ClusterAccess, options: JobRunnerOptions = {}): Promise<JobRunner> {
  const runs: JobRun[] = [];
  const warnings: string[] = [];
  const jobs = new Map<string, JobState>();
  const started = new Set<string>();
  const logs = new Map<string, { uid: string; attempts: ContainerProcess[] }>();
  const loops = new Set<Promise<void>>();
  const abort = new AbortController();
  const dir = mkdtempSync(join(tmpdir(), "iter8ts-job-runner-"));
  const server = options.server ?? plane.server;
  const serverUrl = new URL(server);
  const killGraceMs = options.killGraceMs ?? 1000;
  let stopped = false;

  const track = (p: Promise<void>) => {
    const guarded = p.catch((err: unknown) => void warnings.push(`the Job runner failed: ${String((err as Error)?.stack ?? err)}`));
    loops.add(guarded);
    void guarded.finally(() => loops.delete(guarded));
  };

  const jobPath = (job: JobState) => `/apis/batch/v1/namespaces/${encodeURIComponent(job.namespace)}/jobs/${encodeURIComponent(job.name)}`;

  /**
   * Queues a merge patch of the Job's status; a Job that is gone is not written again. A write
   * the API server could not take (no answer, 429 or 5xx: restarting, its storage initializing)
   * is tried again, as the Job controller requeues it, else a Job whose container ended while
   * kube-apiserver restarted would stay active for good.
   */
  const writeStatus = (job: JobState, status: Status): Promise<void> => {
    job.writes = job.writes.then(async () => {
      for (let delayMs = 100; !job.gone && !stopped; delayMs = Math.min(2 * delayMs, 2_000)) {
        const r = await apiRequest(plane, "PATCH", `${jobPath(job)}/status`, { body: { status }, contentType: "application/merge-patch+json", timeoutMs: 10_000 });
        if (r.status === 0 || r.status === 429 || r.status >= 500) {
          await sleep(delayMs);
          continue;
        }
        if (r.status === 404) job.gone = true;
        else if (r.status !== 200) warnings.push(`status write to Job ${job.namespace}/${job.name} refused (${r.status}): ${r.body.trim()}`);
        return;
      }
    });
    return job.writes;
  };

  const getObject = async (namespace: string, kind: EnvSourceKind, name: string) => {
    const plural = kind === EnvSourceKind.Secret ? "secrets" : "configmaps";
    const r = await apiRequest(plane, "GET", `/api/v1/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}`);
    return r.status === 200 ? (JSON.parse(r.body) as Record<string, unknown>) : undefined;
  };

  /** A token of the Job's ServiceAccount; waits for the ServiceAccount to exist, as Pod creation does. */
  const tokenFor = async (job: JobState, serviceAccount: string): Promise<string | undefined> => {
    let warned = false;
    while (!job.gone && !job.deadlineHit && !stopped) {
      try {
        return await requestServiceAccountToken(plane, { namespace: job.namespace, serviceAccount, expirationSeconds: options.tokenExpirationSeconds });
      } catch (err) {
        if (!warned) warnings.push(`Job ${job.namespace}/${job.name} waits: ${err instanceof KubeHarnessError ? err.message : String(err)}`);
        warned = true;
        await sleep(500);
      }
    }
    return undefined;
  };

  const runJob = async (object: ApiObject, job: JobState) => {
    const spec = objectOr(object.spec);
    const template = objectOr(spec.template);
    const podSpec = objectOr(template.spec);
    const container = objectOr(Array.isArray(podSpec.containers) ? podSpec.containers[0] : undefined);
    const serviceAccount = typeof podSpec.serviceAccountName === "string" && podSpec.serviceAccountName ? podSpec.serviceAccountName : "default";
    const backoffLimit = numberOr(spec.backoffLimit, 6);
    const completions = numberOr(spec.completions, 1);
    const status = objectOr(object.status);
    const conditions = Array.isArray(status.conditions) ? (status.conditions as Status[]) : [];
    // startTime may not change once set (unless the Job is suspended), so a Job seen again keeps it.
    const startTime = typeof status.startTime === "string" ? status.startTime : now();
    let succeeded = numberOr(status.succeeded, 0);
    let failed = numberOr(status.failed, 0);
    const key = `${job.namespace}/${job.name}`;
    const attempts: ContainerProcess[] = [];
    logs.set(key, { uid: job.uid, attempts });

    let deadline: NodeJS.Timeout | undefined;
    let deadlineConditions: [Status, Status] | undefined;
    const activeDeadlineSeconds = spec.activeDeadlineSeconds;
    if (typeof activeDeadlineSeconds === "number") {
      deadline = setTimeout(
        () => {
          job.deadlineHit = true;
          job.process?.kill(killGraceMs);
          // As the Job controller does: FailureTarget at once, Failed once the container is gone.
          deadlineConditions = jobEndConditions(JobEnd.DeadlineExceeded, now());
          void writeStatus(job, { active: 0, ready: 0, terminating: job.process ? 1 : 0, conditions: [...conditions, deadlineConditions[0]] });
        },
        Math.max(0, Date.parse(startTime) + activeDeadlineSeconds * 1000 - Date.now()),
      );
    }

    await writeStatus(job, { startTime, active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    for (let attempt = 1; !job.gone && !job.deadlineHit && !stopped; attempt++) {
      const token = await tokenFor(job, serviceAccount);
      if (token === undefined) break;
      const kubeconfig = join(dir, `${job.namespace}.${job.name}.${attempt}.kubeconfig`);
      writeKubeconfig(kubeconfig, tokenAccess(plane, server, token), job.namespace);
      const sources = new Map<string, Record<string, unknown> | undefined>();
      for (const ref of containerEnvSources(container)) sources.set(`${ref.kind}/${ref.name}`, await getObject(job.namespace, ref.kind, ref.name));
      const templateMeta = objectOr(template.metadata);
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { ...templateMeta, name: `${job.name}-${randomBytes(3).toString("hex").slice(0, 5)}`, namespace: job.namespace, uid: randomUUID() },
        spec: podSpec,
      };
      if (attempt > 1) await writeStatus(job, { active: 1, ready: 0 });
      if (job.gone || job.deadlineHit || stopped) break;

      const process = launchContainer(
        { job: object, pod, container, attempt },
        {
          base: { KUBERNETES_SERVICE_HOST: serverUrl.hostname, KUBERNETES_SERVICE_PORT: serverUrl.port || "443", KUBECONFIG: kubeconfig },
          nodeName: "kube-harness",
          lookup: (kind, name) => sources.get(`${kind}/${name}`),
        },
        options,
      );
      job.process = process;
      attempts.push(process);
      // Ready, as a Pod without a readiness probe is once its container runs.
      const exitedAtOnce = await Promise.race([process.exited.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
      if (!exitedAtOnce) await writeStatus(job, { ready: 1 });
      const exitCode = await process.exited;
      job.process = undefined;
      runs.push({ namespace: job.namespace, name: job.name, attempt, exitCode });
      if (job.gone || stopped) break;
      if (exitCode === 0 && !job.deadlineHit) succeeded++;
      else failed++;
      if (job.deadlineHit || succeeded >= completions || failed > backoffLimit) break;
      await writeStatus(job, { active: 0, ready: 0, succeeded, failed });
      if (options.backoffDelayMs) await sleep(options.backoffDelayMs);
    }
    clearTimeout(deadline);
    if (job.gone || stopped) return;

    const end = job.deadlineHit
      ? JobEnd.DeadlineExceeded
      : succeeded >= completions
        ? JobEnd.CompletionsReached
        : failed > backoffLimit
          ? JobEnd.BackoffLimitExceeded
          : undefined;
    if (end === undefined) return;
    const at = now();
    const [interim, terminal] = deadlineConditions ?? jobEndConditions(end, at);
    const counts = { active: 0, ready: 0, terminating: 0, succeeded, failed };
    // The interim condition first, then the terminal one, in two writes as the Job controller does;
    // after a deadline the interim one is already written.
    if (end !== JobEnd.DeadlineExceeded) await writeStatus(job, { ...counts, conditions: [...conditions, interim] });
    await writeStatus(job, { ...counts, conditions: [...conditions, interim, terminal], ...(end === JobEnd.CompletionsReached ? { completionTime: at } : {}) });
  };

  const onChange = (type: ChangeType, object: ApiObject) => {
    const uid = object.metadata?.uid ?? "";
    if (type === "DELETED") {
      const job = jobs.get(uid);
      if (job) {
        job.gone = true;
        job.process?.kill(killGraceMs);
      }
      return;
    }
    const spec = objectOr(object.spec);
    if (started.has(uid) || isFinished(object) || spec.suspend === true) return;
    if (typeof spec.managedBy === "string" && spec.managedBy !== JOB_CONTROLLER) return;
    started.add(uid);
    const job: JobState = { namespace: object.metadata?.namespace ?? "", name: object.metadata?.name ?? "", uid, process: undefined, gone: false, deadlineHit: false, writes: Promise.resolve() };
    jobs.set(uid, job);
    track(runJob(object, job).finally(() => jobs.delete(uid)));
  };

  const paths = options.namespaces?.length ? options.namespaces.map((ns) => `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/jobs`) : ["/apis/batch/v1/jobs"];
  await Promise.all(
    paths.map(
      (path) =>
        new Promise<void>((synced) => {
          const loop = listWatch(plane, path, onChange, { signal: abort.signal, onSynced: synced });
          track(loop.finally(synced));
        }),
    ),
  );

  return {
    runs,
    warnings,
    logsOf(namespace, name, attempt) {
      const attempts = logs.get(`${namespace}/${name}`)?.attempts ?? [];
      return (attempt === undefined ? attempts.at(-1) : attempts[attempt - 1])?.log;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      for (const job of jobs.values()) job.process?.kill(killGraceMs);
      while (loops.size) await Promise.all([...loops]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
