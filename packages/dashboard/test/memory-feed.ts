import type { Experiment } from "@iter8ts/types";
import type { ExperimentFeed, FeedEvent, FeedProblem } from "../src/experiment-feed";

/** A feed whose experiments a test sets: the dashboard's port, filled by hand. */
export class MemoryFeed implements ExperimentFeed {
  readonly description = "memory";
  readonly eventsTitle = "Events";
  experiments: Experiment[] = [];
  problems: FeedProblem[] = [];
  eventsOf = new Map<string, FeedEvent[]>();
  started = 0;
  stopped = 0;
  readonly #listeners = new Set<() => void>();

  constructor(experiments: Experiment[] = []) {
    this.experiments = experiments;
  }
  async start() {
    this.started++;
  }
  async stop() {
    this.stopped++;
  }
  snapshot() {
    return { experiments: this.experiments, problems: this.problems };
  }
  events(namespace: string, name: string) {
    return this.eventsOf.get(`${namespace}/${name}`) ?? [];
  }
  onChange(listener: () => void) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  /** Replaces the experiments and tells the listeners. */
  set(experiments: Experiment[]) {
    this.experiments = experiments;
    for (const l of [...this.#listeners]) l();
  }
}
