import type { Experiment, VersionWeight } from "@iter8ts/types";
import type { ResourceClient } from "@iter8ts/resources";
import { applyWeights, type ApplyWeightsOptions, type ApplyWeightsResult } from "./apply-weights";
import { readObservedWeights } from "./observed-weights";
import type { WeightRefPolicy } from "./weight-ref-policy";
import { WeightsError } from "./weights-error";

/** Options of {@link ResourceWeightWriter}. */
export interface ResourceWeightWriterOptions {
  /** Read-plan-patch rounds per object on conflicts (default 5). */
  maxAttempts?: number;
  /** Receives each result, e.g. to log rescaling warnings or the patches sent. */
  onApplied?: (result: ApplyWeightsResult) => void;
  /**
   * Which objects and fields may hold weights; a controller shared by teams passes
   * `ROUTING_WEIGHT_POLICY`. Without one, any kind and field is read and written (local mode).
   */
  policy?: WeightRefPolicy;
}

/**
 * Reads and writes weights through a {@link ResourceClient}, in the shape the engine's weight
 * port asks for: `observe` returns `status.currentWeightDistribution`, `apply` writes recommended
 * weights and throws when any object could not be written.
 */
export class ResourceWeightWriter {
  constructor(
    private readonly client: ResourceClient,
    private readonly options: ResourceWeightWriterOptions = {},
  ) {}

  /** @throws WeightsError naming the version, object and field (see `readObservedWeights`). */
  observe(experiment: Experiment, options: { signal?: AbortSignal } = {}): Promise<VersionWeight[]> {
    return readObservedWeights(this.client, experiment, this.options.policy ? { ...options, policy: this.options.policy } : options);
  }

  /**
   * @throws WeightsError for unusable references or recommendations, and, after every object was
   *   tried, for the first object that failed (its message; the others are listed after it).
   */
  async apply(experiment: Experiment, weights: VersionWeight[], options: { signal?: AbortSignal } = {}): Promise<void> {
    const applyOptions: ApplyWeightsOptions = {};
    if (this.options.maxAttempts !== undefined) applyOptions.maxAttempts = this.options.maxAttempts;
    if (options.signal) applyOptions.signal = options.signal;
    if (this.options.policy) applyOptions.policy = this.options.policy;
    const result = await applyWeights(this.client, experiment, weights, applyOptions);
    this.options.onApplied?.(result);
    const failures = result.outcomes.flatMap((o) => (o.status === "failed" ? [o.error] : []));
    const [first, ...rest] = failures;
    if (!first) return;
    const more = rest.length ? `; also: ${rest.map((e) => e.message).join("; ")}` : "";
    throw new WeightsError(first.code, `${first.message}${more}`, { cause: first.cause });
  }
}
