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

/**
 * Experiments and metrics in memory, with the API server's guarantees that matter to the
 * engine: every write bumps `resourceVersion`, a status write with a stale `resourceVersion`
 * is a conflict, and readers get copies.
 */
export class MemoryExperimentStore implements ExperimentStore {
  readonly faults = new Faults<StoreOp>();
  /** Every status written, oldest first, per experiment `namespace/name`. */
  readonly statusHistory = new Map<string, ExperimentStatus[]>();
  readonly #experiments = new Map<string, Experiment>();
  readonly #metrics = new Map<string, Metric>();
  readonly #clock: Clock | undefined;
  readonly #keepHistory: boolean;
  #version = 0;

  /** `keepHistory: false` skips `statusHistory`, for benchmarks. */
  constructor(options: { clock?: Clock; keepHistory?: boolean } = {}) {
    this.#clock = options.clock;
    this.#keepHistory = options.keepHistory ?? true;
  }

  /** Creates or replaces an experiment (spec and status as given); returns the stored copy. */
  putExperiment(experiment: Experiment): Experiment {
    const stored = copy(experiment);
    stored.metadata.namespace = experimentNamespace(stored);
    stored.metadata.resourceVersion = String(++this.#version);
    stored.metadata.creationTimestamp ??= (this.#clock?.now() ?? new Date()).toISOString();
    this.#experiments.set(id(stored.metadata.namespace, stored.metadata.name ?? ""), stored);
    return copy(stored);
  }

  /** Changes the spec of a stored experiment, as `kubectl edit` would. */
  updateSpec(key: ExperimentKey, change: (spec: Experiment["spec"]) => void): void {
    const stored = this.#experiments.get(id(key.namespace, key.name));
    if (!stored) throw new Error(`experiment ${id(key.namespace, key.name)} is not in the store`);
    change(stored.spec);
    stored.metadata.resourceVersion = String(++this.#version);
  }

  /** Replaces the status without a resourceVersion check, as another writer (a task) would. */
  patchStatus(key: ExperimentKey, change: (status: ExperimentStatus) => void): void {
    const stored = this.#experiments.get(id(key.namespace, key.name));
    if (!stored) throw new Error(`experiment ${id(key.namespace, key.name)} is not in the store`);
    stored.status ??= {};
    change(stored.status);
    stored.metadata.resourceVersion = String(++this.#version);
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
    const stored = this.#experiments.get(id(key.namespace, key.name));
    return stored && copy(stored);
  }

  async getExperiment(key: ExperimentKey): Promise<Experiment | undefined> {
    this.faults.check("getExperiment");
    return this.peek(key);
  }

  async listExperiments(filter: { target?: string } = {}): Promise<Experiment[]> {
    this.faults.check("listExperiments");
    return [...this.#experiments.values()]
      .filter((e) => filter.target === undefined || e.spec.target === filter.target)
      .map((e) => copy(e));
  }

  async writeStatus(key: ExperimentKey, status: ExperimentStatus, resourceVersion: string | undefined): Promise<StatusWriteResult> {
    this.faults.check("writeStatus");
    const stored = this.#experiments.get(id(key.namespace, key.name));
    if (!stored) return { kind: "notFound" };
    if (resourceVersion !== undefined && stored.metadata.resourceVersion !== resourceVersion) return { kind: "conflict" };
    stored.status = copy(status);
    stored.metadata.resourceVersion = String(++this.#version);
    if (this.#keepHistory) {
      const history = this.statusHistory.get(id(key.namespace, key.name)) ?? [];
      history.push(copy(status));
      this.statusHistory.set(id(key.namespace, key.name), history);
    }
    return { kind: "written", resourceVersion: stored.metadata.resourceVersion };
  }

  async getMetric(namespace: string, name: string): Promise<Metric | undefined> {
    this.faults.check("getMetric");
    const metric = this.#metrics.get(id(namespace, name));
    return metric && copy(metric);
  }
}
