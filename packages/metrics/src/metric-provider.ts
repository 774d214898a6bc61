import type { Metric } from "@iter8ts/types";
import type { HttpClient } from "./http-client";
import { MetricError, type MetricErrorInit } from "./metric-error";
import type { SecretStore } from "./secret-store";

/** The interface version a provider implements; the registry refuses versions it does not know. */
export const METRIC_PROVIDER_V1 = "metrics.iter8ts/v1";

/** The version a value is asked for. */
export interface MetricVersion {
  name: string;
  /** `versionInfo.*.variables`, as a map. */
  variables: Readonly<Record<string, string>>;
}

/** What a provider may know about the experiment. */
export interface ExperimentContext {
  name: string;
  namespace: string;
  /** `status.startTime`, when the experiment has started. */
  startTime: Date | undefined;
  /** The time of this iteration's queries (from the injected clock). */
  now: Date;
  /** Whole seconds from `startTime` to `now`, at least 1 (Iter8's `$elapsedTime`). */
  elapsedSeconds: number;
  /** `status.analysis.aggregatedBuiltinHists.data`, for the builtin `iter8` provider. */
  builtinHistograms: unknown;
}

/** One (metric, version) question put to a provider. */
export interface MetricQueryV1 {
  /** The metric's key, `namespace/name`; errors name it. */
  key: string;
  metric: Metric;
  version: MetricVersion;
  experiment: ExperimentContext;
  /** Secrets the metric may name in `spec.secret`. */
  secrets: SecretStore;
  /** The HTTP client to use (injected; tests pass an in-memory one). */
  http: HttpClient;
  /** Pauses between retries (injected so tests need not wait). */
  sleep: (ms: number) => Promise<void>;
  /** Cancelled when the caller gives up on the whole iteration. */
  signal: AbortSignal | undefined;
}

/** A provider's answer: a value (with the number of observations behind it, when known) or a typed error. */
export type MetricResultV1 = { ok: true; value: number; sampleSize?: number } | { ok: false; error: MetricError };

/**
 * A metric provider, version 1. `query` should not throw: it returns a {@link MetricError}
 * instead (a throw is caught and reported as `provider_failed`). Providers are registered by
 * name in a {@link MetricProviderRegistry} and chosen by a Metric's `spec.provider`.
 */
export interface MetricProviderV1 {
  readonly apiVersion: typeof METRIC_PROVIDER_V1;
  /** The `spec.provider` value this provider answers to (matched case-insensitively). */
  readonly name: string;
  query(query: MetricQueryV1): Promise<MetricResultV1>;
}

/** Builds the failed result of a query: the error names the query's metric and version. */
export function metricFailure(
  query: Pick<MetricQueryV1, "key" | "version">,
  init: Omit<MetricErrorInit, "metric" | "version">,
): { ok: false; error: MetricError } {
  return { ok: false, error: new MetricError({ ...init, metric: query.key, version: query.version.name }) };
}
