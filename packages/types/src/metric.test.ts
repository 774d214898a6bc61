import { describe, expect, it } from "vitest";
import { prometheusMetric, withField } from "./__fixtures__/documents";
import { parseMetric } from "./parse";

function errorsOf(input: unknown) {
  const result = parseMetric(input);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe("Metric schema", () => {
  it("fills in the CRD defaults type Gauge and method GET", () => {
    const result = parseMetric(prometheusMetric());
    expect(result.ok && result.value.spec).toMatchObject({ type: "Gauge", method: "GET", provider: "prometheus" });
  });

  it.each([
    ["spec.type", "Counter"],
    ["spec.type", "Gauge"],
    ["spec.method", "POST"],
    ["spec.authType", "Basic"],
    ["spec.authType", "Bearer"],
    ["spec.authType", "APIKey"],
  ])("accepts %s = %s", (path, value) => {
    const doc = withField(withField(prometheusMetric(), path, value), "spec.secret", "iter8-system/creds");
    expect(errorsOf(doc)).toEqual([]);
  });

  it.each([
    ["spec.type", "Histogram", 'must be one of Counter, Gauge (got "Histogram")'],
    ["spec.method", "PUT", 'must be one of GET, POST (got "PUT")'],
    ["spec.authType", "OAuth", 'must be one of Basic, Bearer, APIKey (got "OAuth")'],
    ["spec.timeoutSeconds", 0, "must be greater than 0 (got 0)"],
    ["spec.timeoutSeconds", 301, "must be at most 300 (got 301)"],
    ["spec.params[0].value", 5, "must be a string (got 5)"],
    ["spec.headerTemplates", [{ name: "X-Key" }], undefined],
    ["spec.mock", [{ name: "v1", level: "high" }], undefined],
    ["spec.urlTemplat", "http://x", undefined],
  ])("rejects %s = %j", (path, value, message) => {
    const errors = errorsOf(withField(prometheusMetric(), path, value));
    const expected: Record<string, string> = {
      "spec.headerTemplates": "spec.headerTemplates[0].value: is required (a string)",
      "spec.mock": 'spec.mock[0].level: must be a Kubernetes quantity such as 50, "0.01", "250m", "1k" or "1Ki" (got "high")',
      "spec.urlTemplat": 'spec.urlTemplat: is not a known field; did you mean "urlTemplate"?',
    };
    expect(errors).toEqual([message ? `${path}: ${message}` : expected[path]]);
  });

  it("accepts mock metrics and builtin metrics without a URL", () => {
    const mocked = withField(
      withField(withField(prometheusMetric(), "spec.urlTemplate", undefined), "spec.jqExpression", undefined),
      "spec.mock",
      [
        { name: "v1", level: 20 },
        { name: "v2", level: "15.5" },
      ],
    );
    expect(errorsOf(mocked)).toEqual([]);
    const builtin = withField(withField(withField(prometheusMetric(), "spec.urlTemplate", undefined), "spec.jqExpression", undefined), "spec.provider", "iter8");
    expect(errorsOf(builtin)).toEqual([]);
  });

  it("says what a queried metric is missing", () => {
    const doc = withField(
      withField(withField(prometheusMetric(), "spec.urlTemplate", undefined), "spec.jqExpression", undefined),
      "spec.provider",
      undefined,
    );
    expect(errorsOf(doc)).toEqual([
      'spec.urlTemplate: is required: set the URL to query (or give mock levels, or provider "iter8" for a builtin metric)',
      "spec.jqExpression: is required: set jqExpression (or jsonataExpression) to pick the number out of the response",
    ]);
    expect(errorsOf(withField(withField(prometheusMetric(), "spec.jqExpression", undefined), "spec.jsonataExpression", "data.result[0].value[1]"))).toEqual([]);
    expect(errorsOf(withField(prometheusMetric(), "spec.jsonataExpression", "$number(x)"))).toEqual([
      "spec.jsonataExpression: cannot be used together with jqExpression; keep one of them",
    ]);
  });

  it("lets presets with a usual response shape and third-party providers go without jq", () => {
    const preset = withField(prometheusMetric(), "spec.jqExpression", undefined);
    expect(errorsOf(withField(preset, "spec.provider", "prometheus"))).toEqual([]);
    expect(errorsOf(withField(preset, "spec.provider", "elastic"))).toEqual([
      "spec.jqExpression: is required: set jqExpression (or jsonataExpression) to pick the number out of the response",
    ]);
    const custom = withField(withField(preset, "spec.urlTemplate", undefined), "spec.provider", "jsonfile");
    expect(errorsOf(custom)).toEqual([]);
  });

  it("needs a secret for Basic authentication", () => {
    expect(errorsOf(withField(prometheusMetric(), "spec.authType", "Basic"))).toEqual([
      "spec.secret: is required when authType is Basic: the username and password come from this secret",
    ]);
  });

  it("checks references, mock quantities and the document's identity", () => {
    let doc = withField(prometheusMetric(), "spec.sampleSize", "a/b/c");
    doc = withField(doc, "spec.secret", "Creds");
    doc = withField(doc, "spec.mock", [{ name: "v1", level: 0.5 }]);
    doc = withField(doc, "metadata.name", "Mean Latency");
    doc = withField(doc, "apiVersion", undefined);
    expect(errorsOf(doc)).toEqual([
      'metadata.name: must use only lowercase letters, digits, "-" and ".", and start and end with a letter or digit (got "Mean Latency")',
      "apiVersion: is required: set it to \"iter8.tools/v2alpha2\"",
      'spec.sampleSize: must be a metric name or namespace/name, in lowercase letters, digits, "-" and "." (got "a/b/c")',
      'spec.secret: must be a secret name or namespace/name, in lowercase letters, digits, "-" and "." (got "Creds")',
      'spec.mock[0].level: must be an integer or a quoted quantity: Kubernetes rejects the number 0.5 here, write "0.5"',
    ]);
    expect(errorsOf(withField(prometheusMetric(), "metadata", undefined))).toEqual([
      "metadata: is required: give the metric a name under metadata.name",
    ]);
  });
});
