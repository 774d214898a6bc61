import type { Experiment, VersionWeight } from "@iter8ts/types";
import { describeObject, type KubeObject, type ObjectKey, type ResourceClient } from "@iter8ts/resources";
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
  /**
   * Objects remembered from the answers to patches, so the next `apply` plans against them
   * instead of reading first (its `test` operations catch a change made since). Default 10,000;
   * 0 reads before every patch.
   */
  rememberObjects?: number;
}

/**
 * Reads and writes weights through a {@link ResourceClient}, in the shape the engine's weight
 * port asks for: `observe` returns `status.currentWeightDistribution`, `apply` writes recommended
 * weights and throws when any object could not be written.
 */
export class ResourceWeightWriter {
  /** describeObject(key) → the object as the last patch (or read) left it, oldest first. */
  readonly #seen = new Map<string, KubeObject>();

  constructor(
    private readonly client: ResourceClient,
    private readonly options: ResourceWeightWriterOptions = {},
  ) {}

  #remember(key: ObjectKey, object: KubeObject): void {
    const limit = this.options.rememberObjects ?? 10_000;
    if (limit <= 0) return;
    const id = describeObject(key);
    this.#seen.delete(id);
    this.#seen.set(id, object);
    if (this.#seen.size > limit) this.#seen.delete(this.#seen.keys().next().value as string);
  }

  /** @throws WeightsError naming the version, object and field (see `readObservedWeights`). */
  observe(experiment: Experiment, options: { signal?: AbortSignal; objects?: ReadonlyMap<string, KubeObject> } = {}): Promise<VersionWeight[]> {
    return readObservedWeights(this.client, experiment, this.options.policy ? { ...options, policy: this.options.policy } : options);
  }

  /**
   * Resolves to a function reading the observed weights from the objects the patches answered
   * with (objects nothing was patched in are confirmed by a `test`-only patch), so an iteration
   * needs no read after its write; it throws like {@link observe}.
   *
   * @throws WeightsError for unusable references or recommendations, and, after every object was
   *   tried, for the first object that failed (its message; the others are listed after it).
   */
  async apply(experiment: Experiment, weights: VersionWeight[], options: { signal?: AbortSignal } = {}): Promise<() => Promise<VersionWeight[]>> {
    const remembering = (this.options.rememberObjects ?? 10_000) > 0;
    const applyOptions: ApplyWeightsOptions = remembering ? { known: (key) => this.#seen.get(describeObject(key)), confirmUnchanged: true } : {};
    if (this.options.maxAttempts !== undefined) applyOptions.maxAttempts = this.options.maxAttempts;
    if (options.signal) applyOptions.signal = options.signal;
    if (this.options.policy) applyOptions.policy = this.options.policy;
    const result = await applyWeights(this.client, experiment, weights, applyOptions);
    this.options.onApplied?.(result);
    const objects = new Map<string, KubeObject>();
    for (const outcome of result.outcomes) {
      if (outcome.status === "failed") {
        this.#seen.delete(describeObject(outcome.target));
        continue;
      }
      this.#remember(outcome.target, outcome.object);
      // Only answers of this call's patches are fresh enough to stand for a read.
      if (remembering) objects.set(describeObject(outcome.target), outcome.object);
    }
    const failures = result.outcomes.flatMap((o) => (o.status === "failed" ? [o.error] : []));
    const [first, ...rest] = failures;
    if (!first) return () => this.observe(experiment, { ...options, objects });
    const more = rest.length ? `; also: ${rest.map((e) => e.message).join("; ")}` : "";
    throw new WeightsError(first.code, `${first.message}${more}`, { cause: first.cause });
  }
}
