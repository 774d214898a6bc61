import { experimentNamespace, type Experiment, type ExperimentStatus, type Metric } from "@iter8ts/types";
import type { ExperimentKey, ExperimentStore, StatusWriteResult } from "../ports";
import type { Clock } from "../ports";
import { Faults } from "./faults";

/** Store operations that can be made to fail. */
export type StoreOp = "getExperiment" | "listExperiments" | "writeStatus" | "getMetric";

/** A deep copy, the way data crosses a real API: as JSON. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function id(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** A stored experiment: the status apart, kept as JSON, because it is what changes most. */
interface Entry {
  head: Experiment;
  status: string | undefined;
}

/**
 * Experiments and metrics in memory, with the API server's guarantees that matter to the
 * engine: every write bumps `resourceVersion`, a status write with a stale `resourceVersion`
 * is a conflict, and readers get copies (made through JSON, as data crosses a real API).
 */
export class MemoryExperimentStore implements ExperimentStore {
  readonly faults = new Faults<StoreOp>();
  /** Every status written, oldest first, per experiment `namespace/name`. */
  readonly statusHistory = new Map<string, ExperimentStatus[]>();
  readonly #experiments = new Map<string, Entry>();
  readonly #metrics = new Map<string, Metric>();
  readonly #clock: Clock | undefined;
  readonly #keepHistory: boolean;
  #version = 0;

  /** `keepHistory: false` skips `statusHistory`, for benchmarks. */
  constructor(options: { clock?: Clock; keepHistory?: boolean } = {}) {
    this.#clock = options.clock;
    this.#keepHistory = options.keepHistory ?? true;
  }

  #entry(key: ExperimentKey): Entry {
    const entry = this.#experiments.get(id(key.namespace, key.name));
    if (!entry) throw new Error(`experiment ${id(key.namespace, key.name)} is not in the store`);
    return entry;
  }

  #read(entry: Entry): Experiment {
    const experiment = copy(entry.head);
    if (entry.status !== undefined) experiment.status = JSON.parse(entry.status) as ExperimentStatus;
    return experiment;
  }

  #bump(entry: Entry): void {
    entry.head.metadata.resourceVersion = String(++this.#version);
  }

  /** Creates or replaces an experiment (spec and status as given); returns the stored copy. */
  putExperiment(experiment: Experiment): Experiment {
    const { status, ...rest } = copy(experiment);
    const head = rest as Experiment;
    head.metadata.namespace = experimentNamespace(head);
    head.metadata.creationTimestamp ??= (this.#clock?.now() ?? new Date()).toISOString();
    const entry: Entry = { head, status: status === undefined ? undefined : JSON.stringify(status) };
    this.#bump(entry);
    this.#experiments.set(id(head.metadata.namespace, head.metadata.name ?? ""), entry);
    return this.#read(entry);
  }

  /** Changes the spec of a stored experiment, as `kubectl edit` would. */
  updateSpec(key: ExperimentKey, change: (spec: Experiment["spec"]) => void): void {
    const entry = this.#entry(key);
    change(entry.head.spec);
    this.#bump(entry);
  }

  /** Changes the status without a resourceVersion check, as another writer (a task) would. */
  patchStatus(key: ExperimentKey, change: (status: ExperimentStatus) => void): void {
    const entry = this.#entry(key);
    const status = (entry.status === undefined ? {} : JSON.parse(entry.status)) as ExperimentStatus;
    change(status);
    entry.status = JSON.stringify(status);
    this.#bump(entry);
  }

  deleteExperiment(key: ExperimentKey): void {
    this.#experiments.delete(id(key.namespace, key.name));
  }

  putMetric(metric: Metric): void {
    const stored = copy(metric);
    stored.metadata ??= {};
    stored.metadata.namespace ??= "default";
    this.#metrics.set(id(stored.metadata.namespace, stored.metadata.name ?? ""), stored);
  }

  /** The stored experiment (a copy), for assertions. */
  peek(key: ExperimentKey): Experiment | undefined {
    const entry = this.#experiments.get(id(key.namespace, key.name));
    return entry && this.#read(entry);
  }

  async getExperiment(key: ExperimentKey): Promise<Experiment | undefined> {
    this.faults.check("getExperiment");
    return this.peek(key);
  }

  async listExperiments(filter: { target?: string } = {}): Promise<Experiment[]> {
    this.faults.check("listExperiments");
    return [...this.#experiments.values()]
      .filter((e) => filter.target === undefined || e.head.spec.target === filter.target)
      .map((e) => this.#read(e));
  }

  async writeStatus(key: ExperimentKey, status: ExperimentStatus, resourceVersion: string | undefined): Promise<StatusWriteResult> {
    this.faults.check("writeStatus");
    const entry = this.#experiments.get(id(key.namespace, key.name));
    if (!entry) return { kind: "notFound" };
    if (resourceVersion !== undefined && entry.head.metadata.resourceVersion !== resourceVersion) return { kind: "conflict" };
    entry.status = JSON.stringify(status);
    this.#bump(entry);
    if (this.#keepHistory) {
      const history = this.statusHistory.get(id(key.namespace, key.name)) ?? [];
      history.push(JSON.parse(entry.status) as ExperimentStatus);
      this.statusHistory.set(id(key.namespace, key.name), history);
    }
    return { kind: "written", resourceVersion: entry.head.metadata.resourceVersion ?? "" };
  }

  async getMetric(namespace: string, name: string): Promise<Metric | undefined> {
    this.faults.check("getMetric");
    const metric = this.#metrics.get(id(namespace, name));
    return metric && copy(metric);
  }
}
