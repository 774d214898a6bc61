import type { MetricSpec } from "@iter8ts/types";
import { METRIC_PROVIDER_V1, type MetricProviderV1 } from "./metric-provider";

/** The names the registry gives special meaning to. */
export const ReservedProvider = {
  /** Answers every metric that has `spec.mock`, whatever its `provider` says. */
  Mock: "mock",
  /** Builtin metrics from the load generator's histograms (`provider: iter8`). */
  Builtin: "iter8",
  /** The generic REST provider: any metric with a `urlTemplate` and no registered provider. */
  Rest: "rest",
} as const;
export type ReservedProvider = (typeof ReservedProvider)[keyof typeof ReservedProvider];

/** How the registry chose a provider for a metric, or why it found none. */
export type ProviderResolution = { ok: true; provider: MetricProviderV1 } | { ok: false; reason: string };

/**
 * Maps a Metric's `spec.provider` to an implementation. In Iter8 `provider` was informational:
 * any metric with a `urlTemplate` was queried over REST. That stays true here: a registered name
 * wins, otherwise a metric with a `urlTemplate` goes to the generic REST provider. Metrics with
 * `mock` levels are always answered by the mock provider, as in Iter8.
 */
export class MetricProviderRegistry {
  private readonly providers = new Map<string, MetricProviderV1>();

  /**
   * Registers a provider under its name (case-insensitive), replacing any earlier one of that
   * name — so a package can override a builtin provider.
   * @throws TypeError when the object is not a provider of a known interface version.
   */
  register(provider: MetricProviderV1): this {
    if (!provider || provider.apiVersion !== METRIC_PROVIDER_V1 || typeof provider.query !== "function") {
      throw new TypeError(
        `cannot register metric provider ${JSON.stringify(provider?.name)}: it must have apiVersion "${METRIC_PROVIDER_V1}" and a query function`,
      );
    }
    if (typeof provider.name !== "string" || provider.name.trim() === "") {
      throw new TypeError("cannot register a metric provider without a name");
    }
    this.providers.set(provider.name.trim().toLowerCase(), provider);
    return this;
  }

  /** The provider registered under a name, if any. */
  get(name: string): MetricProviderV1 | undefined {
    return this.providers.get(name.trim().toLowerCase());
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.providers.keys()].sort();
  }

  /** Chooses the provider for a metric spec. */
  resolve(spec: MetricSpec): ProviderResolution {
    if (spec.mock && spec.mock.length > 0) {
      const mock = this.get(ReservedProvider.Mock);
      return mock ? { ok: true, provider: mock } : { ok: false, reason: "the metric has mock levels but no mock provider is registered" };
    }
    const named = spec.provider ? this.get(spec.provider) : undefined;
    if (named) return { ok: true, provider: named };
    if (spec.urlTemplate) {
      const rest = this.get(ReservedProvider.Rest);
      if (rest) return { ok: true, provider: rest };
    }
    const known = this.names().join(", ");
    return {
      ok: false,
      reason: spec.provider
        ? `no provider is registered for provider "${spec.provider}" and the metric has no urlTemplate; registered providers: ${known}`
        : `the metric has neither a provider nor a urlTemplate; add a urlTemplate, mock levels, or a provider (registered: ${known})`,
    };
  }
}
