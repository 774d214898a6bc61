import type { MetricValues } from "@iter8ts/analytics";
import type { Experiment } from "@iter8ts/types";
import type { MetricsSource } from "../ports";
import { Faults } from "./faults";

/** What a script sees on each query. */
export interface MetricsQueryContext {
  experiment: Experiment;
  now: Date;
  /** The iteration being run (1-based), from `status.completedIterations`. */
  iteration: number;
}

/**
 * Metric values computed by a function of the iteration, so that a test can say "the candidate
 * breaks its latency objective from iteration 3" without a backend.
 */
export class ScriptedMetricsSource implements MetricsSource {
  readonly faults = new Faults<"query">();
  /** How many queries were answered or failed. */
  calls = 0;
  readonly #script: (context: MetricsQueryContext) => MetricValues;

  constructor(script: (context: MetricsQueryContext) => MetricValues) {
    this.#script = script;
  }

  async query(experiment: Experiment, context: { now: Date }): Promise<MetricValues> {
    this.calls++;
    this.faults.check("query");
    return this.#script({ experiment, now: context.now, iteration: (experiment.status?.completedIterations ?? 0) + 1 });
  }
}
