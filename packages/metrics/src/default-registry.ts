import { createBuiltinProvider } from "./builtin-provider";
import { MetricProviderRegistry } from "./metric-provider-registry";
import { createMockProvider } from "./mock-provider";
import { createRestProvider, type RetryPolicy } from "./rest-provider";
import { REST_PRESETS } from "./rest-preset";
import { ValueExtractor } from "./value-extractor";

/** Options of {@link createDefaultRegistry}. */
export interface DefaultRegistryOptions {
  /** Evaluators shared by every REST provider (default: one new pair, so jq loads once). */
  extractor?: ValueExtractor;
  retry?: RetryPolicy;
}

/**
 * A registry with every provider this package ships: the REST presets `prometheus`, `newrelic`,
 * `sysdig` and `elastic`, the generic `rest` provider (any metric with a `urlTemplate`), the
 * builtin `iter8` provider and the `mock` provider. Register more on the result.
 */
export function createDefaultRegistry(options: DefaultRegistryOptions = {}): MetricProviderRegistry {
  const extractor = options.extractor ?? new ValueExtractor();
  const registry = new MetricProviderRegistry();
  registry.register(createRestProvider({ extractor, retry: options.retry }));
  for (const preset of REST_PRESETS) registry.register(createRestProvider({ preset, extractor, retry: options.retry }));
  registry.register(createBuiltinProvider());
  registry.register(createMockProvider());
  return registry;
}
