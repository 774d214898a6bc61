import { randomBytes } from "node:crypto";
import type { EngineEvent, EventSink, ExperimentKey } from "@iter8ts/engine";
import type { KubeObject } from "@iter8ts/resources";
import type { KubeClients } from "./create-kube-clients";
import { isKubeError, KubeErrorCode, type KubeError } from "./kube-error";
import { EXPERIMENT_RESOURCE } from "./iter8-resources";
import { toKubeError } from "./to-kube-error";

/** Settings of {@link KubeEventSink}. */
export interface KubeEventSinkOptions {
  /** `source.component` and `reportingComponent` of the events (default `iter8ts`). */
  component?: string;
  /** `source.host` and `reportingInstance`: which controller replica spoke (e.g. the pod name). */
  instance?: string;
  /** Finds the experiment's uid, so `kubectl describe` lists the events under the object. */
  experiments?: { get(namespace: string, name: string): KubeObject | undefined };
  /** Receives failed writes; events are best effort and never fail the engine. */
  onError?: (error: KubeError, event: EngineEvent) => void;
  /** Repeated events remembered for aggregation (default 1000; the oldest are forgotten first). */
  maxTracked?: number;
  /**
   * Attempts of a write that failed with an error worth retrying (the API server unreachable,
   * restarting or overloaded), first included. Default 3.
   */
  attempts?: number;
  /** Wait before the second attempt; doubles each time. Default 250 ms. */
  retryDelayMs?: number;
  /**
   * Reasons whose events are aggregated whatever their message (e.g. `IterationUpdate`): one Event
   * per experiment and reason, whose `count`, `lastTimestamp` and `message` (the latest) are updated.
   */
  aggregateReasons?: ReadonlySet<string>;
}

interface Tracked {
  name: string;
  namespace: string;
  count: number;
}

/** Kubernetes accepts long messages, but `kubectl describe` and event exporters do not show them whole. */
const MAX_MESSAGE = 1024;

function truncated(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
}

/** RFC 3339 without fractions, the format of core/v1 Event timestamps. */
function eventTime(time: string): string {
  const parsed = new Date(time);
  return (Number.isNaN(parsed.getTime()) ? new Date() : parsed).toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * The engine's event port as core/v1 Events on the experiment: `involvedObject` is the
 * Experiment, `type` Normal or Warning, `reason` and `message` as the engine recorded them,
 * `source.component` `iter8ts`. A repeat of the same event (same experiment, type, reason and
 * message) increments `count` and `lastTimestamp` of the existing Event instead of creating
 * another, as the kubelet's event recorder does.
 *
 * `emit` never throws and never waits: writes happen in the background, in order per repeated
 * event; `flush()` waits for them (tests, shutdown).
 */
export class KubeEventSink implements EventSink {
  readonly #clients: KubeClients;
  readonly #component: string;
  readonly #instance: string | undefined;
  readonly #options: KubeEventSinkOptions;
  readonly #maxTracked: number;
  readonly #tracked = new Map<string, Tracked>();
  readonly #chains = new Map<string, Promise<void>>();

  constructor(clients: KubeClients, options: KubeEventSinkOptions = {}) {
    this.#clients = clients;
    this.#component = options.component ?? "iter8ts";
    this.#instance = options.instance;
    this.#options = options;
    this.#maxTracked = options.maxTracked ?? 1000;
  }

  emit(event: EngineEvent): void {
    const uid = this.#options.experiments?.get(event.experiment.namespace, event.experiment.name)?.metadata.uid;
    const aggregated = this.#options.aggregateReasons?.has(event.reason) ?? false;
    const key = JSON.stringify([event.experiment.namespace, event.experiment.name, uid ?? "", event.type, event.reason, aggregated ? "" : event.message]);
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.#writeWithRetries(key, event, typeof uid === "string" ? uid : undefined))
      .catch((error: unknown) => this.#options.onError?.(toKubeError(error, `Event for Experiment ${event.experiment.namespace}/${event.experiment.name}`), event))
      .finally(() => {
        if (this.#chains.get(key) === next) this.#chains.delete(key);
      });
    this.#chains.set(key, next);
  }

  /** Resolves when every event emitted so far has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all([...this.#chains.values()]);
  }

  /** An Event is worth a few tries: a lost one leaves a gap in what `kubectl describe` shows. */
  async #writeWithRetries(key: string, event: EngineEvent, uid: string | undefined): Promise<void> {
    const attempts = Math.max(1, this.#options.attempts ?? 3);
    let delay = this.#options.retryDelayMs ?? 250;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#write(key, event, uid);
      } catch (error) {
        if (attempt >= attempts || !isKubeError(error) || !error.retryable) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
  }

  async #write(key: string, event: EngineEvent, uid: string | undefined): Promise<void> {
    const time = eventTime(event.time);
    const tracked = this.#tracked.get(key);
    if (tracked) {
      try {
        await this.#clients.api.request({
          method: "PATCH",
          path: `/api/v1/namespaces/${encodeURIComponent(tracked.namespace)}/events/${encodeURIComponent(tracked.name)}`,
          body: { count: tracked.count + 1, lastTimestamp: time, ...(this.#options.aggregateReasons?.has(event.reason) ? { message: truncated(event.message) } : {}) },
          contentType: "application/merge-patch+json",
          subject: `Event ${tracked.namespace}/${tracked.name}`,
        });
        tracked.count++;
        // Most recently repeated last, so the oldest are forgotten first.
        this.#tracked.delete(key);
        this.#tracked.set(key, tracked);
        return;
      } catch (error) {
        // The Event expired (the API server keeps them for an hour) or was deleted: start over.
        if (!isKubeError(error, KubeErrorCode.NotFound)) throw error;
        this.#tracked.delete(key);
      }
    }
    await this.#create(key, event, uid, time);
  }

  async #create(key: string, event: EngineEvent, uid: string | undefined, time: string): Promise<void> {
    const { namespace, name } = event.experiment;
    const eventName = `${name.slice(0, 200)}.${Date.now().toString(16)}${randomBytes(4).toString("hex")}`;
    const involvedObject: Record<string, string> = { apiVersion: EXPERIMENT_RESOURCE.apiVersion, kind: EXPERIMENT_RESOURCE.kind, namespace, name };
    if (uid) involvedObject.uid = uid;
    const source: Record<string, string> = { component: this.#component };
    if (this.#instance) source.host = this.#instance;
    await this.#clients.api.request({
      method: "POST",
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      body: {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: eventName, namespace },
        involvedObject,
        reason: event.reason,
        message: truncated(event.message),
        type: event.type,
        source,
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
        reportingComponent: this.#component,
        reportingInstance: this.#instance ?? this.#component,
      },
      subject: `Event for Experiment ${namespace}/${name}`,
    });
    this.#tracked.set(key, { name: eventName, namespace, count: 1 });
    while (this.#tracked.size > this.#maxTracked) {
      const oldest = this.#tracked.keys().next().value;
      if (oldest === undefined) break;
      this.#tracked.delete(oldest);
    }
  }

  /** Forgets what was emitted for an experiment (it was deleted), so memory stays bounded. */
  forget(experiment: ExperimentKey): void {
    const prefix = JSON.stringify([experiment.namespace, experiment.name]).slice(0, -1) + ",";
    for (const key of [...this.#tracked.keys()]) if (key.startsWith(prefix)) this.#tracked.delete(key);
  }
}
