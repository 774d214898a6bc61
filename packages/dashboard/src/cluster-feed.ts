import { createExperimentInformer, KubeErrorCode, parseStoredExperiment, ResourceInformer, type KubeClients, type KubeError } from "@iter8ts/kube";
import type { KubeObject } from "@iter8ts/resources";
import type { Experiment } from "@iter8ts/types";
import { MAX_EVENTS, type ExperimentFeed, type FeedEvent, type FeedProblem, type FeedSnapshot } from "./experiment-feed";

/** Settings of {@link clusterFeed}. */
export interface ClusterFeedOptions {
  clients: KubeClients;
  /** One namespace; without it, every namespace (`-A`). */
  namespace?: string;
  /** How long `start()` waits for the first list of Experiments (default 10 s; the page then names what failed). */
  syncTimeoutMs?: number;
}

/** The fields of a core/v1 Event the dashboard shows. */
interface EventObject extends KubeObject {
  involvedObject?: { kind?: string; namespace?: string; name?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
}

const eventTime = (e: EventObject): string | null => e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? (typeof e.metadata.creationTimestamp === "string" ? e.metadata.creationTimestamp : null);

/**
 * Experiments of a cluster and their Events, kept current by two read-only watches (list and
 * watch, nothing else): Experiments of one namespace or of all, and the core/v1 Events whose
 * involved object is an Experiment. A stored Experiment that does not parse is named in
 * `problems`; an informer that keeps failing (no access, the API server away) is too, with its
 * last error, while it retries.
 */
export function clusterFeed(options: ClusterFeedOptions): ExperimentFeed {
  const scope = options.namespace === undefined ? {} : { namespace: options.namespace };
  const experiments = createExperimentInformer(options.clients, scope);
  const events = new ResourceInformer<EventObject>(options.clients, {
    resource: { apiVersion: "v1", kind: "Event", ...scope },
    fieldSelector: "involvedObject.kind=Experiment",
  });
  const listeners = new Set<() => void>();
  // The informer keeps an object until it changes, so each stored version is parsed once.
  const parsedOf = new WeakMap<KubeObject, Experiment>();
  const failures = new Map<string, string>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const failed = (what: string) => (error: KubeError) => {
    failures.set(what, `${error.message}${error.code === KubeErrorCode.Forbidden ? " (the dashboard needs list and watch on them)" : ""}`);
    notify();
  };
  experiments.onChange(() => {
    failures.delete("Experiments");
    notify();
  });
  events.onChange(() => {
    failures.delete("Events");
    notify();
  });
  experiments.onError(failed("Experiments"));
  events.onError(failed("Events"));

  return {
    description: options.namespace === undefined ? "cluster, all namespaces" : `cluster, namespace ${options.namespace}`,
    eventsTitle: "Events",
    async start() {
      experiments.start();
      events.start();
      try {
        await experiments.waitForSync({ timeoutMs: options.syncTimeoutMs ?? 10_000 });
      } catch (error) {
        failures.set("Experiments", error instanceof Error ? error.message : String(error));
      }
    },
    async stop() {
      await Promise.all([experiments.stop(), events.stop()]);
    },
    snapshot(): FeedSnapshot {
      const parsed: Experiment[] = [];
      const problems: FeedProblem[] = [...failures].map(([what, message]) => ({ subject: what, message }));
      for (const object of experiments.list()) {
        try {
          let experiment = parsedOf.get(object);
          if (!experiment) parsedOf.set(object, (experiment = parseStoredExperiment(object)));
          parsed.push(experiment);
        } catch (error) {
          problems.push({ subject: `${object.metadata.namespace ?? ""}/${object.metadata.name}`, message: error instanceof Error ? error.message : String(error) });
        }
      }
      return { experiments: parsed, problems };
    },
    events(namespace, name): FeedEvent[] {
      return events
        .list(namespace)
        .filter((e) => e.involvedObject?.name === name && (e.involvedObject.namespace ?? namespace) === namespace)
        .map((e) => ({
          time: eventTime(e),
          type: e.type ?? "",
          reason: e.reason ?? "",
          message: e.message ?? "",
          count: e.series?.count ?? e.count ?? 1,
        }))
        .sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""))
        .slice(-MAX_EVENTS);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
