/**
 * The checks of a Metric that a schema cannot express: references, quantities a cluster would
 * reject, and whether the metric can be queried at all as written.
 */
import { fractionalQuantityIssue, referenceIssue } from "./field-checks";
import { inputLimitProblem, type LimitedText } from "./input-limits";
import { metadataIssues } from "./kube-names";
import { IssueCode, type RawIssue } from "./validation-issue";

/** Providers of the REST family; any other name is a provider registered by a third party. */
const REST_PROVIDERS = new Set(["rest", "prometheus", "newrelic", "sysdig", "elastic"]);
/** Presets that pick the number out of their backend's usual response shape by default. */
const PRESETS_WITH_DEFAULT_JQ = new Set(["prometheus", "newrelic", "sysdig"]);

type Fields = Record<string, unknown>;
const isFields = (v: unknown): v is Fields => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === "string" && v !== "";

/** Query templates and expressions that are too long or nest too deep to be parsed safely. */
function inputLimitIssues(spec: Fields): RawIssue[] {
  const issues: RawIssue[] = [];
  const check = (value: unknown, segments: Array<string | number>, kind: LimitedText, noun: string) => {
    const problem = typeof value === "string" ? inputLimitProblem(value, kind, noun) : undefined;
    if (problem) issues.push({ segments, code: IssueCode.InputLimit, message: problem });
  };
  check(spec.jqExpression, ["spec", "jqExpression"], "expression", "jq expression");
  check(spec.jsonataExpression, ["spec", "jsonataExpression"], "expression", "JSONata expression");
  check(spec.urlTemplate, ["spec", "urlTemplate"], "template", "URL template");
  check(spec.body, ["spec", "body"], "template", "body template");
  for (const key of ["params", "headerTemplates"] as const) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (isFields(item)) check(item.value, ["spec", key, i, "value"], "template", "template");
    });
  }
  return issues;
}

/** Every semantic problem of a Metric document, each with the path of the field at fault. */
export function metricIssues(document: unknown): RawIssue[] {
  if (!isFields(document)) return [];
  const issues: Array<RawIssue | undefined> = metadataIssues(document, "metric", { reportMissing: true });
  if (document.kind === "Metric" && document.apiVersion === undefined) {
    issues.push({ segments: ["apiVersion"], code: IssueCode.Required, message: 'is required: set it to "iter8.tools/v2alpha2"' });
  }
  const spec = document.spec;
  if (!isFields(spec)) return issues.filter((i): i is RawIssue => i !== undefined);

  issues.push(referenceIssue(spec.sampleSize, ["spec", "sampleSize"], "metric"), referenceIssue(spec.secret, ["spec", "secret"], "secret"));
  issues.push(...inputLimitIssues(spec));
  if (Array.isArray(spec.mock)) {
    spec.mock.forEach((level, i) => {
      if (isFields(level)) issues.push(fractionalQuantityIssue(level.level, ["spec", "mock", i, "level"]));
    });
  }

  // Builtin metrics (provider iter8) and mocked metrics are never queried over HTTP, and a
  // provider registered by a third party decides for itself what it needs; only the REST family
  // (no provider, or one of its presets) must say where and how to read the number.
  const provider = typeof spec.provider === "string" ? spec.provider.trim().toLowerCase() : "";
  const rest = provider === "" || REST_PROVIDERS.has(provider);
  const queried = rest && spec.mock === undefined;
  if (queried && !nonEmpty(spec.urlTemplate)) {
    issues.push({
      segments: ["spec", "urlTemplate"],
      code: IssueCode.MetricSource,
      message: 'is required: set the URL to query (or give mock levels, or provider "iter8" for a builtin metric)',
    });
  }
  const hasJq = nonEmpty(spec.jqExpression);
  const hasJsonata = nonEmpty(spec.jsonataExpression);
  if (queried && !hasJq && !hasJsonata && !PRESETS_WITH_DEFAULT_JQ.has(provider)) {
    issues.push({
      segments: ["spec", "jqExpression"],
      code: IssueCode.MetricSource,
      message: "is required: set jqExpression (or jsonataExpression) to pick the number out of the response",
    });
  }
  if (hasJq && hasJsonata) {
    issues.push({
      segments: ["spec", "jsonataExpression"],
      code: IssueCode.MetricSource,
      message: "cannot be used together with jqExpression; keep one of them",
    });
  }
  if (spec.authType === "Basic" && !nonEmpty(spec.secret)) {
    issues.push({
      segments: ["spec", "secret"],
      code: IssueCode.MetricSource,
      message: "is required when authType is Basic: the username and password come from this secret",
    });
  }
  return issues.filter((i): i is RawIssue => i !== undefined);
}
