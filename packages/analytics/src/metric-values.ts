/**
 * The metric values queried in one iteration, as a metrics source hands them to analytics:
 * keyed by metric (`namespace/name`), then by version name.
 */

/** What the metrics source learned about one metric for one version in this iteration. */
export interface MetricValue {
  /** The value; `null` or absent when the backend gave no number. */
  value?: number | null;
  /** How many observations the value summarises, when the source knows it. */
  sampleSize?: number;
  /** Why no value could be obtained (backend error, extraction error, missing mock level). */
  error?: string;
}

/**
 * Values of one iteration: metric key (`namespace/name`; an unqualified name is read in the
 * experiment's namespace) → version name → value.
 */
export type MetricValues = Record<string, Record<string, MetricValue>>;
