export { queryMetrics, metricKey } from "./query-metrics";
export type { MetricSource, MetricWarning, QueryMetricsOptions, QueryMetricsResult } from "./query-metrics";
export { MetricError, MetricErrorCode } from "./metric-error";
export type { MetricErrorInit } from "./metric-error";
export { METRIC_PROVIDER_V1, metricFailure } from "./metric-provider";
export type { ExperimentContext, MetricProviderV1, MetricQueryV1, MetricResultV1, MetricVersion } from "./metric-provider";
export { MetricProviderRegistry, ReservedProvider } from "./metric-provider-registry";
export type { ProviderResolution } from "./metric-provider-registry";
export { createDefaultRegistry } from "./default-registry";
export { PROVIDER_MODULE_API, ProviderModuleError, ProviderModuleErrorCode } from "./provider-module";
export type { ProviderModuleV1 } from "./provider-module";
export { loadProviderModules } from "./load-provider-modules";
export type { LoadedProviderModule, LoadProviderModulesOptions } from "./load-provider-modules";
export { resolveProviderModule } from "./resolve-provider-module";
export type { DefaultRegistryOptions } from "./default-registry";
export { createRestProvider, DEFAULT_TIMEOUT_SECONDS, displayUrl } from "./rest-provider";
export type { RestProviderOptions, RetryPolicy } from "./rest-provider";
export { REST_PRESETS, prometheusPreset, newRelicPreset, sysdigPreset, elasticPreset, genericRestPreset } from "./rest-preset";
export type { RestPreset } from "./rest-preset";
export { createBuiltinProvider } from "./builtin-provider";
export { createMockProvider } from "./mock-provider";
export { buildMetricRequest, toHttpRequest, versionTemplateValues } from "./metric-request";
export type { MetricRequest, MetricRequestContext } from "./metric-request";
export { interpolate } from "./template";
export type { Interpolated } from "./template";
export { fetchOverHttpClient } from "./http-fetch";
export type { FetchOverHttpClientOptions } from "./http-fetch";
export { nodeHttpClient, fetchHttpClient, HttpClientError, HttpFailureKind, isHttpClientError, DEFAULT_MAX_RESPONSE_BYTES, formatByteSize } from "./http-client";
export {
  AddressCategory,
  EgressAllowError,
  EgressRefusedError,
  allowAllEgress,
  createEgressPolicy,
  describeCategory,
  guardedLookup,
  parseEgressAllow,
  resolveAddresses,
} from "./egress-policy";
export type { EgressAllow, EgressPolicy, EgressPolicyOptions, EgressRefusal } from "./egress-policy";
export type { HttpClient, HttpRequest, HttpResponse, NodeHttpClientOptions } from "./http-client";
export { secretStore, secretsFromKubernetes, lookupSecret } from "./secret-store";
export type { SecretData, SecretStore, SecretDocumentIssue } from "./secret-store";
export { ValueExtractor, judge } from "./value-extractor";
export type { Extracted } from "./value-extractor";
export { JqEvaluator } from "./jq-evaluator";
export type { JqEvaluatorOptions } from "./jq-evaluator";
export { compileJqFastPath, runJqFastPath } from "./jq-fast-path";
export type { JqFastProgram } from "./jq-fast-path";
export { JsonataEvaluator } from "./jsonata-evaluator";
export type { JsonataEvaluatorOptions } from "./jsonata-evaluator";
export { ExpressionPool, DEFAULT_EXPRESSION_LIMITS, sharedExpressionPool } from "./expression-pool";
export type { ExpressionJobOptions, ExpressionLimits, ExpressionPoolOptions } from "./expression-pool";
export type { ExtractionOutcome } from "./extraction-outcome";
export { generateLoad } from "./load-generator";
export type { LoadOptions, LoadResult } from "./load-generator";
export { LatencyHistogram } from "./latency-histogram";
export type { LatencyBucket, LatencyHistogramData } from "./latency-histogram";
export {
  collectBuiltinMetrics,
  aggregateBuiltinHistograms,
  resolveCollectInputs,
  COLLECT_DEFAULTS,
  CollectError,
  CollectErrorCode,
} from "./collect-builtin-metrics";
export type { CollectInputs, CollectOptions, CollectResult, CollectVersion, ResolvedCollectInputs } from "./collect-builtin-metrics";
export { parseGoDuration } from "./go-duration";
