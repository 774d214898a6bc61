/**
 * A small kubelet plus Job controller: when a batch/v1 Job is created, it creates Pods for it, runs
 * each container's command as a local process (or whatever a mapping hook turns it into), keeps
 * the logs, and writes Pod and Job status the way the real controllers do — `Complete` with
 * `succeeded`, or `Failed` with `BackoffLimitExceeded` / `DeadlineExceeded` — honouring
 * backoffLimit, activeDeadlineSeconds, completions and suspend.
 */
import { randomInt } from "node:crypto";
import { JOB_STORAGE, POD_STORAGE } from "./builtin-resources";
import { EnvSourceKind } from "./container-env";
import { launchContainer, type ContainerProcess, type ProcessMapper } from "./container-process";
import { JobEnd, jobEndConditions } from "./job-conditions";
import { deepClone, isJsonObject, type JsonObject } from "./json-value";
import { metaString } from "./kube-object";
import { ChangeType, type ObjectStore, type StoredChange } from "./object-store";
import type { ResourceApi } from "./resource-api";
import type { ResourceRegistry } from "./resource-registry";
import type { ResourceType } from "./resource-type";

/** Settings of the Job executor. */
export interface JobExecutorOptions {
  /** Maps containers to local processes (default: run `argv` as given). */
  mapProcess?: ProcessMapper;
  /** Environment every container starts from, like an image's ENV (default: none). */
  baseEnv?: Record<string, string>;
  /** Working directory of the processes (default: the test's). */
  cwd?: string;
  /** Wait before a failed pod is replaced, in ms (the real controller starts at 10 s; default 0). */
  backoffDelayMs?: number;
  /** How long a killed container gets between SIGTERM and SIGKILL, in ms (default 1000). */
  killGraceMs?: number;
  /** Bytes of output kept per container (default 1 MiB); older output is dropped first. */
  logLimitBytes?: number;
}

interface PodRun {
  namespace: string;
  name: string;
  /** Undefined for a container that was not started because the pod was killed first. */
  containers: Map<string, ContainerProcess | undefined>;
  killed: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function podSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let out = "";
  for (let i = 0; i < 5; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** Runs Jobs created in a {@link ResourceApi}. */
export class JobExecutor {
  private readonly runs = new Map<string, PodRun>();
  private readonly logs = new Map<string, Map<string, string>>();
  private readonly started = new Set<string>();
  private readonly deadlines = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Set<Promise<void>>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly api: ResourceApi,
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly options: JobExecutorOptions,
    private readonly clusterEnv: () => Record<string, string>,
  ) {}

  /** Starts reacting to Job and Pod changes. */
  start(): void {
    this.unsubscribe ??= this.store.subscribe((c) => this.onChange(c));
  }

  private type(apiVersion: string, kind: string): ResourceType {
    const t = this.registry.findKind(apiVersion, kind);
    if (!t) throw new Error(`${kind} (${apiVersion}) is not served`);
    return t;
  }

  private onChange(change: StoredChange): void {
    if (change.storage === JOB_STORAGE) {
      const key = `${metaString(change.object, "namespace")}/${metaString(change.object, "name")}#${metaString(change.object, "uid")}`;
      if (change.type === ChangeType.Deleted) {
        this.clearDeadline(key);
        return;
      }
      const spec = isJsonObject(change.object.spec) ? change.object.spec : {};
      if (spec.suspend === true || this.started.has(key)) return;
      this.started.add(key);
      this.track(this.runJob(metaString(change.object, "namespace"), metaString(change.object, "name"), metaString(change.object, "uid"), key));
    } else if (change.storage === POD_STORAGE && change.type === ChangeType.Deleted) {
      const run = this.runs.get(`${metaString(change.object, "namespace")}/${metaString(change.object, "name")}`);
      if (run) this.kill(run);
    }
  }

  private track(p: Promise<void>): void {
    const guarded = p.catch(() => undefined);
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  /** The current Job, if it still exists and is the same object (same uid). */
  private currentJob(namespace: string, name: string, uid: string): JsonObject | undefined {
    const job = this.store.get(JOB_STORAGE, namespace, name);
    return job && metaString(job, "uid") === uid ? job : undefined;
  }

  private writeJobStatus(namespace: string, name: string, uid: string, mutate: (status: JsonObject) => void): void {
    const job = this.currentJob(namespace, name, uid);
    if (!job) return;
    const status = isJsonObject(job.status) ? deepClone(job.status) : {};
    mutate(status);
    const jobType = this.type("batch/v1", "Job");
    this.api.update(jobType, namespace, name, { ...this.api.present(jobType, job), status }, {}, "status");
  }

  private writePodStatus(namespace: string, name: string, mutate: (status: JsonObject) => void): void {
    const pod = this.store.get(POD_STORAGE, namespace, name);
    if (!pod) return;
    const status = isJsonObject(pod.status) ? deepClone(pod.status) : {};
    mutate(status);
    const podType = this.type("v1", "Pod");
    this.api.update(podType, namespace, name, { ...this.api.present(podType, pod), status }, {}, "status");
  }

  private clearDeadline(key: string): void {
    const t = this.deadlines.get(key);
    if (t) clearTimeout(t);
    this.deadlines.delete(key);
  }

  private async runJob(namespace: string, name: string, uid: string, key: string): Promise<void> {
    const job = this.currentJob(namespace, name, uid);
    if (!job) return;
    const spec = isJsonObject(job.spec) ? job.spec : {};
    const backoffLimit = numberOr(spec.backoffLimit, 6);
    const completions = numberOr(spec.completions, 1);
    const startTime = this.api.now();
    this.writeJobStatus(namespace, name, uid, (s) => {
      s.startTime = startTime;
      s.active = 1;
      s.ready = 0;
      s.terminating = 0;
      s.uncountedTerminatedPods = {};
    });
    let deadlineHit = false;
    let current: PodRun | undefined;
    const deadline = spec.activeDeadlineSeconds;
    if (typeof deadline === "number" && deadline > 0) {
      this.deadlines.set(
        key,
        setTimeout(() => {
          deadlineHit = true;
          if (current) this.kill(current);
        }, deadline * 1000),
      );
    }
    let succeeded = 0;
    let failed = 0;
    let attempt = 0;
    try {
      while (succeeded < completions) {
        attempt += 1;
        const latest = this.currentJob(namespace, name, uid);
        if (!latest || deadlineHit) break;
        const podName = this.createPod(latest);
        current = { namespace, name: podName, containers: new Map(), killed: false };
        this.runs.set(`${namespace}/${podName}`, current);
        const ok = await this.runPod(latest, current, attempt);
        this.runs.delete(`${namespace}/${podName}`);
        if (ok) succeeded += 1;
        else failed += 1;
        if (deadlineHit) break;
        this.writeJobStatus(namespace, name, uid, (s) => {
          if (succeeded > 0) s.succeeded = succeeded;
          if (failed > 0) s.failed = failed;
        });
        if (!ok && failed > backoffLimit) break;
        if (!ok && (this.options.backoffDelayMs ?? 0) > 0) await sleep(this.options.backoffDelayMs ?? 0);
      }
    } finally {
      this.clearDeadline(key);
    }
    const now = this.api.now();
    this.writeJobStatus(namespace, name, uid, (s) => {
      // A finished Job has no active pods, and the API omits zero counts.
      delete s.active;
      s.ready = 0;
      if (succeeded > 0) s.succeeded = succeeded;
      if (failed > 0) s.failed = failed;
      if (deadlineHit) {
        s.conditions = jobEndConditions(JobEnd.DeadlineExceeded, now);
      } else if (succeeded >= completions) {
        s.conditions = jobEndConditions(JobEnd.CompletionsReached, now);
        s.completionTime = now;
      } else if (failed > backoffLimit) {
        s.conditions = jobEndConditions(JobEnd.BackoffLimitExceeded, now);
      }
    });
  }

  private createPod(job: JsonObject): string {
    const spec = isJsonObject(job.spec) ? job.spec : {};
    const template = isJsonObject(spec.template) ? deepClone(spec.template) : {};
    const templateMeta = isJsonObject(template.metadata) ? template.metadata : {};
    const namespace = metaString(job, "namespace");
    const jobName = metaString(job, "name");
    const podType = this.type("v1", "Pod");
    for (let tries = 0; ; tries++) {
      const name = `${jobName}-${podSuffix()}`;
      if (this.store.get(POD_STORAGE, namespace, name) && tries < 10) continue;
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          ...templateMeta,
          name,
          namespace,
          labels: isJsonObject(templateMeta.labels) ? templateMeta.labels : {},
          ownerReferences: [
            { apiVersion: "batch/v1", kind: "Job", name: jobName, uid: metaString(job, "uid"), controller: true, blockOwnerDeletion: true },
          ],
        },
        spec: isJsonObject(template.spec) ? template.spec : {},
      };
      this.api.create(podType, namespace, pod);
      return name;
    }
  }

  private runContainer(job: JsonObject, pod: JsonObject, container: JsonObject, run: PodRun, attempt: number): Promise<{ exitCode: number; startedAt: string; finishedAt: string }> {
    const name = String(container.name ?? "");
    const startedAt = this.api.now();
    const namespace = metaString(pod, "namespace");
    const process = run.killed
      ? undefined
      : launchContainer(
          { job, pod, container, attempt },
          {
            base: this.clusterEnv(),
            nodeName: "testkit-node",
            lookup: (kind, objectName) => this.store.get(kind === EnvSourceKind.Secret ? "/secrets" : "/configmaps", namespace, objectName),
          },
          this.options,
        );
    run.containers.set(name, process);
    const finish = (exitCode: number) => {
      this.saveLog(run, name, process?.log ?? "");
      return { exitCode, startedAt, finishedAt: this.api.now() };
    };
    return process ? process.exited.then(finish) : Promise.resolve(finish(137));
  }

  private saveLog(run: PodRun, container: string, log: string): void {
    const key = `${run.namespace}/${run.name}`;
    let byContainer = this.logs.get(key);
    if (!byContainer) {
      byContainer = new Map();
      this.logs.set(key, byContainer);
    }
    byContainer.set(container, log);
  }

  private async runPod(job: JsonObject, run: PodRun, attempt: number): Promise<boolean> {
    const pod = this.store.get(POD_STORAGE, run.namespace, run.name);
    if (!pod) return false;
    const spec = isJsonObject(pod.spec) ? pod.spec : {};
    const list = (v: unknown) => (Array.isArray(v) ? v.filter(isJsonObject) : []);
    const startTime = this.api.now();
    this.writePodStatus(run.namespace, run.name, (s) => {
      s.phase = "Running";
      s.startTime = startTime;
      s.podIP = "127.0.0.1";
      s.hostIP = "127.0.0.1";
      s.containerStatuses = list(spec.containers).map((c) => ({
        name: c.name,
        image: c.image,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: startTime } },
      }));
    });
    const statuses: JsonObject[] = [];
    let ok = true;
    for (const c of list(spec.initContainers)) {
      const r = await this.runContainer(job, pod, c, run, attempt);
      statuses.push(this.terminatedStatus(c, r));
      if (r.exitCode !== 0) {
        ok = false;
        break;
      }
    }
    const mainStatuses: JsonObject[] = [];
    if (ok) {
      const results = await Promise.all(list(spec.containers).map((c) => this.runContainer(job, pod, c, run, attempt).then((r) => ({ c, r }))));
      for (const { c, r } of results) {
        mainStatuses.push(this.terminatedStatus(c, r));
        if (r.exitCode !== 0) ok = false;
      }
    }
    if (run.killed) ok = false;
    this.writePodStatus(run.namespace, run.name, (s) => {
      s.phase = ok ? "Succeeded" : "Failed";
      if (statuses.length) s.initContainerStatuses = statuses;
      s.containerStatuses = mainStatuses;
    });
    return ok;
  }

  private terminatedStatus(container: JsonObject, r: { exitCode: number; startedAt: string; finishedAt: string }): JsonObject {
    return {
      name: container.name,
      image: container.image,
      ready: false,
      started: false,
      restartCount: 0,
      state: { terminated: { exitCode: r.exitCode, reason: r.exitCode === 0 ? "Completed" : "Error", startedAt: r.startedAt, finishedAt: r.finishedAt } },
    };
  }

  private kill(run: PodRun): void {
    run.killed = true;
    for (const c of run.containers.values()) c?.kill(this.options.killGraceMs ?? 1000);
  }

  /**
   * The log of a pod's container, or undefined when the pod never ran here. `container` may be
   * left out for single-container pods.
   */
  logsOf(namespace: string, pod: string, container?: string): { log: string } | { choices: string[] } | undefined {
    const key = `${namespace}/${pod}`;
    const live = this.runs.get(key);
    const saved = this.logs.get(key);
    const names = new Set([...(live ? live.containers.keys() : []), ...(saved ? saved.keys() : [])]);
    if (names.size === 0) return undefined;
    const pick = container ?? (names.size === 1 ? [...names][0] : undefined);
    if (pick === undefined) return { choices: [...names] };
    return { log: live?.containers.get(pick)?.log ?? saved?.get(pick) ?? "" };
  }

  /** Kills every running container (the cluster lost its state). */
  killAll(): void {
    for (const run of this.runs.values()) this.kill(run);
    for (const t of this.deadlines.values()) clearTimeout(t);
    this.deadlines.clear();
    this.started.clear();
    this.logs.clear();
  }

  /** Stops reacting to changes, kills what runs and waits for the Job loops to end. */
  async shutdown(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.killAll();
    await Promise.all([...this.pending]);
  }
}
