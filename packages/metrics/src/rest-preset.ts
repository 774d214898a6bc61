/**
 * What the REST provider knows about one metrics backend: defaults a Metric may leave out, the
 * header its API key goes in, and how to read its error and empty answers so that messages say
 * what the backend said instead of "no number".
 */
export interface RestPreset {
  /** The provider name (`spec.provider`). */
  name: string;
  /** A human name for messages ("Prometheus"). */
  title: string;
  /** Used when the metric has neither `jqExpression` nor `jsonataExpression`. */
  defaultJqExpression?: string;
  /**
   * For `authType: APIKey` without `headerTemplates`: the header the key is sent in, and the
   * secret key holding it.
   */
  apiKeyHeader?: { header: string; secretKey: string };
  /** Extracts the backend's own error text from a parsed answer, if it has one. */
  errorText?: (body: unknown) => string | undefined;
  /** Explains an answer that holds no data (e.g. an empty Prometheus vector). */
  emptyHint?: (body: unknown) => string | undefined;
}

function get(obj: unknown, ...path: Array<string | number>): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Prometheus HTTP API (`/api/v1/query`): `{status, data: {resultType, result}}` or `{status: "error", errorType, error}`. */
export const prometheusPreset: RestPreset = {
  name: "prometheus",
  title: "Prometheus",
  defaultJqExpression: ".data.result[0].value[1] | tonumber",
  errorText: (body) => {
    if (get(body, "status") !== "error") return undefined;
    const type = str(get(body, "errorType"));
    const error = str(get(body, "error")) ?? "unknown error";
    return type ? `${type}: ${error}` : error;
  },
  emptyHint: (body) => {
    const result = get(body, "data", "result");
    if (Array.isArray(result) && result.length === 0) {
      return "Prometheus returned no series (no data yet for this version?); end the query with `or on() vector(0)` to read 0 instead";
    }
    return undefined;
  },
};

/** New Relic Insights query API: `{results: [{<function>: value}], metadata}` or `{error}`. */
export const newRelicPreset: RestPreset = {
  name: "newrelic",
  title: "New Relic",
  defaultJqExpression: ".results[0] | .[] | tonumber",
  apiKeyHeader: { header: "X-Query-Key", secretKey: "apiKey" },
  errorText: (body) => str(get(body, "error")),
  emptyHint: (body) => {
    const results = get(body, "results");
    if (Array.isArray(results) && results.length === 0) return "New Relic returned no results for this NRQL query";
    return undefined;
  },
};

/** Sysdig data API (`/api/data`): `{data: [{t, d: [values]}], start, end}` or `{errors: [{reason, message}]}`. */
export const sysdigPreset: RestPreset = {
  name: "sysdig",
  title: "Sysdig",
  defaultJqExpression: ".data[0].d[0] | tonumber",
  errorText: (body) => {
    const errors = get(body, "errors");
    if (!Array.isArray(errors) || errors.length === 0) return str(get(body, "message"));
    return errors.map((e) => str(get(e, "message")) ?? str(get(e, "reason")) ?? "unknown error").join("; ");
  },
  emptyHint: (body) => {
    const data = get(body, "data");
    if (Array.isArray(data) && data.length === 0) return "Sysdig returned no samples for this filter and time range";
    return undefined;
  },
};

/** Elasticsearch search API: aggregations under user-chosen names; errors as `{error: {type, reason}, status}`. */
export const elasticPreset: RestPreset = {
  name: "elastic",
  title: "Elasticsearch",
  errorText: (body) => {
    const error = get(body, "error");
    if (typeof error === "string") return error;
    const type = str(get(error, "type"));
    const reason = str(get(error, "reason")) ?? str(get(error, "root_cause", 0, "reason"));
    if (!type && !reason) return undefined;
    return [type, reason].filter(Boolean).join(": ");
  },
  emptyHint: (body) => {
    const hits = get(body, "hits", "total", "value") ?? get(body, "hits", "total");
    if (hits === 0) return "Elasticsearch matched no documents for this query and time range";
    return undefined;
  },
};

/** A REST backend with no preset: everything comes from the Metric. */
export const genericRestPreset: RestPreset = { name: "rest", title: "the metrics backend" };

/** The presets registered by default, by provider name. */
export const REST_PRESETS: readonly RestPreset[] = [prometheusPreset, newRelicPreset, sysdigPreset, elasticPreset];
