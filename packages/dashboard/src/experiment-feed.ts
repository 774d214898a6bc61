import type { Experiment } from "@iter8ts/types";

/** Something that happened to an experiment: a Kubernetes Event, or a line of a local run's action log. */
export interface FeedEvent {
  /** When it happened (RFC 3339), or null when the record has no time. */
  time: string | null;
  /** `Normal` or `Warning` for Events; the log priority for action-log lines. */
  type: string;
  reason: string;
  message: string;
  /** How many times it happened (Events aggregate repeats). */
  count: number;
}

/** An experiment document that could not be read, shown instead of silently dropped. */
export interface FeedProblem {
  /** `namespace/name`, or the file, of the document at fault. */
  subject: string;
  message: string;
}

/** What the dashboard shows at one moment. */
export interface FeedSnapshot {
  experiments: readonly Experiment[];
  /** Problems with the source itself (cannot list, a document does not parse); empty when all is well. */
  problems: readonly FeedProblem[];
}

/**
 * Where the dashboard's experiments come from: a cluster (watched read-only) or the folder of a
 * local run (its files watched). A feed keeps the latest state in memory and says when it changed;
 * the server renders pages from {@link ExperimentFeed.snapshot} and never asks the source itself.
 */
export interface ExperimentFeed {
  /** What the pages say they show, e.g. `cluster, namespace shop` or `folder ./samples/local/ab`. */
  readonly description: string;
  /** The title of the Events column: `Events` in a cluster, `Action log` for a local run. */
  readonly eventsTitle: string;
  /** Starts watching; resolves once the first state is known (or the first attempt failed, named in `problems`). */
  start(): Promise<void>;
  /** Stops watching; the last snapshot stays readable. */
  stop(): Promise<void>;
  snapshot(): FeedSnapshot;
  /** The newest events of one experiment, oldest first (at most 50). */
  events(namespace: string, name: string): readonly FeedEvent[];
  /** Calls `listener` after every change; returns the function that unsubscribes it. */
  onChange(listener: () => void): () => void;
}

/** How many events of one experiment a page shows. */
export const MAX_EVENTS = 50;
