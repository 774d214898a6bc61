/**
 * Why one (metric, version) value could not be obtained. Every failure a query can meet has a
 * code here, so callers can react to a class of failure without parsing messages.
 */
export const MetricErrorCode = {
  /** A `$placeholder` in a query template has no value for this version. */
  UnresolvedPlaceholder: "unresolved_placeholder",
  /** The backend could not be reached (DNS, connection refused or reset, TLS failure). */
  Unreachable: "unreachable",
  /** The backend did not answer within the metric's `timeoutSeconds`. */
  Timeout: "timeout",
  /** The backend answered with an HTTP status of 400 or more. */
  HttpStatus: "http_status",
  /** The backend's answer is not JSON. */
  BadJson: "bad_json",
  /** The expression produced no output, or its first output is not a number. */
  NoNumber: "no_number",
  /** The expression's first output is NaN or infinite. */
  NaN: "nan",
  /** `jqExpression` or `jsonataExpression` does not compile. */
  BadExpression: "bad_expression",
  /** `jqExpression` or `jsonataExpression` ran past its time or memory limit and was stopped. */
  ExpressionLimit: "expression_limit",
  /** The backend's answer is larger than the response size limit; the read was stopped. */
  ResponseTooLarge: "response_too_large",
  /** The egress policy refuses the address the metric's URL leads to (loopback, link-local, the API server). */
  EgressRefused: "egress_refused",
  /**
   * A version value (`$name`, `$namespace`, a version variable) cannot be spliced into the query
   * where its placeholder stands without changing the query (outside quotes and not a plain token).
   */
  UnsafeValue: "unsafe_value",
  /** The metric's `body` is not valid JSON after interpolation. */
  BadBody: "bad_body",
  /** The metric's spec cannot be queried as written (no URL, bad URL, nothing to extract with). */
  InvalidMetric: "invalid_metric",
  /** The metric names a secret (or secret key) that was not supplied. */
  SecretMissing: "secret_missing",
  /** No provider is registered for the metric's `provider`. */
  UnknownProvider: "unknown_provider",
  /** A mock metric has no `mock` level for this version. */
  NoMockLevel: "no_mock_level",
  /** A builtin (`iter8`) metric has no load-generator histogram for this version. */
  BuiltinUnavailable: "builtin_unavailable",
  /** A provider failed in a way it did not classify (a third-party provider threw). */
  ProviderFailed: "provider_failed",
} as const;
export type MetricErrorCode = (typeof MetricErrorCode)[keyof typeof MetricErrorCode];

/** Codes whose cause may go away on its own, so a query is worth repeating after a pause. */
const RETRYABLE: ReadonlySet<MetricErrorCode> = new Set<MetricErrorCode>([MetricErrorCode.Unreachable]);

/** What a {@link MetricError} is about. */
export interface MetricErrorInit {
  code: MetricErrorCode;
  /** The metric's `namespace/name` key. */
  metric: string;
  /** The version name the value was for. */
  version: string;
  /** What went wrong and what to do; must not contain secret values. */
  message: string;
  /** Overrides the default retryability of the code (e.g. HTTP 503 is retryable, 404 is not). */
  retryable?: boolean;
  /** The HTTP status, for `http_status`. */
  status?: number;
  /** The placeholder, for `unresolved_placeholder`. */
  placeholder?: string;
  cause?: unknown;
}

/**
 * A typed failure of one (metric, version) query. The message always names the metric and the
 * version, and never contains secret values: secrets are kept out of `cause` too.
 */
export class MetricError extends Error {
  override readonly name = "MetricError";
  readonly code: MetricErrorCode;
  readonly metric: string;
  readonly version: string;
  /** True when repeating the query later may succeed. */
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly placeholder: string | undefined;

  constructor(init: MetricErrorInit) {
    super(`metric ${init.metric}, version ${init.version}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.metric = init.metric;
    this.version = init.version;
    this.retryable = init.retryable ?? RETRYABLE.has(init.code);
    this.status = init.status;
    this.placeholder = init.placeholder;
  }

  /** A plain object for logs and JSON output. */
  toJSON(): { code: MetricErrorCode; metric: string; version: string; message: string; retryable: boolean } {
    return { code: this.code, metric: this.metric, version: this.version, message: this.message, retryable: this.retryable };
  }
}
