import { SecretMask, inputLimitProblem, type MetricSpec } from "@iter8ts/types";
import type { HttpRequest } from "./http-client";
import { MetricError, MetricErrorCode } from "./metric-error";
import type { MetricVersion } from "./metric-provider";
import type { RestPreset } from "./rest-preset";
import type { SecretData } from "./secret-store";
import { interpolateEscaped, type EscapedInterpolation } from "./escaped-template";
import { interpolate } from "./template";

/**
 * The HTTP request one (metric, version) becomes, before it is sent: the parts are kept apart
 * (URL, query parameters, headers, Basic credentials, parsed body) so they can be inspected.
 */
export interface MetricRequest {
  /** The URL from `urlTemplate`, without the `params`. */
  url: string;
  method: "GET" | "POST";
  /** Query parameters from `params` (a later duplicate name wins). */
  params: Record<string, string>;
  /** Headers from `headerTemplates` and the auth type. */
  headers: Record<string, string>;
  /** The parsed JSON `body`, or null when the metric has none. */
  body: unknown;
  /** Credentials for `authType: Basic`. */
  basicAuth?: { username: string; password: string };
}

/** What a request is built from besides the metric spec. */
export interface MetricRequestContext {
  /** The metric's `namespace/name`. */
  key: string;
  version: MetricVersion;
  /** The experiment's namespace: the lowest-priority value of `$namespace`. */
  namespace: string;
  elapsedSeconds: number;
  /** The data of the Secret named by `spec.secret` (undefined when none or not found). */
  secret: SecretData | undefined;
  /** The Secret's `namespace/name`, for messages. */
  secretKey?: string;
  preset?: RestPreset;
}

type Built = { ok: true; request: MetricRequest } | { ok: false; error: MetricError };

/**
 * The values `params` and `body` are interpolated with: `$namespace` (the experiment's), `$name`
 * (the version's), every version variable (which may override both), and `$elapsedTime`, which
 * always wins.
 */
export function versionTemplateValues(ctx: Pick<MetricRequestContext, "namespace" | "version" | "elapsedSeconds">): Record<string, string> {
  return {
    namespace: ctx.namespace,
    name: ctx.version.name,
    ...ctx.version.variables,
    elapsedTime: String(ctx.elapsedSeconds),
  };
}

/**
 * Builds the request for one version, following Iter8's rules on which field is interpolated
 * with what: `urlTemplate` with the secret's data (only when `secret` is set); `headerTemplates`
 * with the secret's data (only for `APIKey` and `Bearer`); `params` and `body` with the version's
 * values, each escaped for where it stands in the query (see `interpolateEscaped`). A placeholder
 * left without a value, or a value that cannot be placed safely, is an error naming it, instead of
 * being sent.
 */
export function buildMetricRequest(spec: MetricSpec, ctx: MetricRequestContext): Built {
  const fail = (code: MetricErrorCode, message: string, extra: { placeholder?: string; cause?: unknown } = {}): Built => ({
    ok: false,
    error: new MetricError({ code, metric: ctx.key, version: ctx.version.name, message, ...extra }),
  });
  const unresolved = (field: string, names: string[], sources: string): Built =>
    fail(
      MetricErrorCode.UnresolvedPlaceholder,
      `${field} uses $${names[0]}, which has no value for this version (${sources}); define it, or write $$ for a literal $`,
      { placeholder: names[0]! },
    );

  if (!spec.urlTemplate) return fail(MetricErrorCode.InvalidMetric, "spec.urlTemplate is missing; a REST metric needs the URL of its backend");
  const secretSources = `available: the keys of secret ${ctx.secretKey ?? spec.secret ?? "(none)"}`;
  if (spec.secret && !ctx.secret) {
    return fail(
      MetricErrorCode.SecretMissing,
      `secret ${ctx.secretKey ?? spec.secret} named in spec.secret is not available; create it (or pass it with --secrets)`,
    );
  }
  if (spec.authType && !spec.secret) {
    return fail(MetricErrorCode.SecretMissing, `authType ${spec.authType} needs spec.secret naming the Secret that holds the credentials`);
  }
  const secret = ctx.secret ?? {};

  let url = spec.urlTemplate;
  if (spec.secret) {
    const r = interpolate(url, secret);
    if (r.unresolved.length) return unresolved("spec.urlTemplate", r.unresolved, secretSources);
    url = r.text;
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http");
  } catch {
    // The template, not the interpolated URL, goes in the message: the latter may hold secrets.
    return fail(MetricErrorCode.InvalidMetric, `spec.urlTemplate ${JSON.stringify(spec.urlTemplate)} does not give an http(s) URL`);
  }

  // Version values may come from another namespace's experiment (a granted Metric): each is
  // escaped for where it lands in the query, or refused, so it cannot rewrite the query.
  const refused = (field: string, r: Required<Pick<EscapedInterpolation, "unsafe">>): Built =>
    fail(
      MetricErrorCode.UnsafeValue,
      `${field} uses $${r.unsafe.name}, whose value for this version cannot be spliced into the query safely: ${r.unsafe.reason}; the query was not sent`,
      { placeholder: r.unsafe.name },
    );
  const values = versionTemplateValues(ctx);
  const valueSources = `available: namespace, name, elapsedTime${Object.keys(ctx.version.variables).length ? ", " + Object.keys(ctx.version.variables).join(", ") : ""}`;
  const params: Record<string, string> = {};
  for (const [i, p] of (spec.params ?? []).entries()) {
    const r = interpolateEscaped(p.value, values, "query");
    if (r.unresolved.length) return unresolved(`spec.params[${i}] (${p.name})`, r.unresolved, valueSources);
    if (r.unsafe) return refused(`spec.params[${i}] (${p.name})`, { unsafe: r.unsafe });
    params[p.name] = r.text;
  }

  const headers: Record<string, string> = {};
  const interpolateHeaders = (spec.authType === "APIKey" || spec.authType === "Bearer") && !!spec.secret;
  for (const [i, h] of (spec.headerTemplates ?? []).entries()) {
    if (!interpolateHeaders) {
      headers[h.name] = h.value;
      continue;
    }
    const r = interpolate(h.value, secret);
    if (r.unresolved.length) return unresolved(`spec.headerTemplates[${i}] (${h.name})`, r.unresolved, secretSources);
    headers[h.name] = r.text;
  }
  const hasHeader = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase());

  let basicAuth: MetricRequest["basicAuth"];
  if (spec.authType === "Basic") {
    const { username, password } = secret;
    if (username === undefined || password === undefined) {
      return fail(MetricErrorCode.SecretMissing, `authType Basic needs keys "username" and "password" in secret ${ctx.secretKey ?? spec.secret}`);
    }
    basicAuth = { username, password };
  } else if (spec.authType === "Bearer" && !hasHeader("Authorization")) {
    // Iter8 required an explicit `Authorization: Bearer ${token}` header template; the same
    // header is sent when it is left out.
    if (secret.token === undefined) {
      return fail(MetricErrorCode.SecretMissing, `authType Bearer needs key "token" in secret ${ctx.secretKey ?? spec.secret} (or an Authorization header template)`);
    }
    headers.Authorization = `Bearer ${secret.token}`;
  } else if (spec.authType === "APIKey" && !(spec.headerTemplates?.length)) {
    const preset = ctx.preset?.apiKeyHeader;
    if (!preset) {
      return fail(MetricErrorCode.InvalidMetric, "authType APIKey needs spec.headerTemplates saying which header carries the key, e.g. X-Api-Key: ${apikey}");
    }
    const key = secret[preset.secretKey];
    if (key === undefined) {
      return fail(MetricErrorCode.SecretMissing, `authType APIKey for ${ctx.preset!.title} needs key "${preset.secretKey}" in secret ${ctx.secretKey ?? spec.secret} (or a ${preset.header} header template)`);
    }
    headers[preset.header] = key;
  }

  // A value HTTP cannot carry in a header (a line break, a control character: usually a token
  // saved with `echo` and its newline) would fail the request as "unreachable"; name the header
  // and where its value came from instead, never the value itself.
  for (const [name, value] of Object.entries(headers)) {
    const from = headerSource(spec, name, ctx.secretKey ?? spec.secret, interpolateHeaders);
    if (!HEADER_NAME.test(name)) {
      return fail(MetricErrorCode.InvalidMetric, `header name ${JSON.stringify(name)} (${from}) is not a valid HTTP header name; use letters, digits and - only`);
    }
    const bad = INVALID_HEADER_VALUE.exec(value);
    if (bad) {
      return fail(
        MetricErrorCode.InvalidMetric,
        `the ${name} header, from ${from}, holds a character HTTP headers cannot carry (${describeChar(bad[0])} at position ${bad.index + 1}); fix that value (a trailing newline usually comes from saving it with echo: use printf or echo -n)`,
      );
    }
  }

  let body: unknown = null;
  if (spec.body !== undefined && spec.body.trim() !== "") {
    const r = interpolateEscaped(spec.body, values, "json");
    if (r.unresolved.length) return unresolved("spec.body", r.unresolved, valueSources);
    if (r.unsafe) return refused("spec.body", { unsafe: r.unsafe });
    // The parsed body is serialised again when sent, by a recursive JSON.stringify.
    const tooBig = inputLimitProblem(r.text, "template", "spec.body");
    if (tooBig) return fail(MetricErrorCode.BadBody, tooBig);
    try {
      body = JSON.parse(r.text);
    } catch (error) {
      return fail(MetricErrorCode.BadBody, `spec.body is not valid JSON after interpolation (${(error as Error).message}); check its quotes and commas`);
    }
  }

  return { ok: true, request: { url, method: spec.method ?? "GET", params, headers, body, basicAuth } };
}

/** RFC 9110 token characters: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What Node's HTTP client refuses in a header value: control characters other than tab, and characters above U+00FF. */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const names: Record<number, string> = { 10: "a line break", 13: "a carriage return", 0: "a NUL" };
  return `${names[code] ?? "character"} U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Where a header's value came from, in words for an error message. */
function headerSource(spec: MetricSpec, name: string, secret: string | undefined, interpolated: boolean): string {
  const i = (spec.headerTemplates ?? []).findIndex((h) => h.name === name);
  if (i >= 0) return `spec.headerTemplates[${i}]${interpolated && secret ? ` filled from secret ${secret}` : ""}`;
  if (spec.authType === "Bearer") return `key "token" of secret ${secret}`;
  return `the API key in secret ${secret}`;
}

/** Turns a built request into the HTTP request that is sent. */
export function toHttpRequest(request: MetricRequest, options: { timeoutMs: number; insecureSkipTLSVerify?: boolean; signal?: AbortSignal }): HttpRequest {
  const url = new URL(request.url);
  for (const [k, v] of Object.entries(request.params)) url.searchParams.append(k, v);
  const headers: Record<string, string> = { ...request.headers };
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (!has("accept")) headers.Accept = "application/json";
  if (request.basicAuth) {
    headers.Authorization = `Basic ${Buffer.from(`${request.basicAuth.username}:${request.basicAuth.password}`).toString("base64")}`;
  }
  let body: string | undefined;
  if (request.body !== null && request.body !== undefined) {
    body = JSON.stringify(request.body);
    if (!has("content-type")) headers["Content-Type"] = "application/json";
  }
  return {
    url: url.toString(),
    method: request.method,
    headers,
    body,
    timeoutMs: options.timeoutMs,
    insecureSkipTLSVerify: options.insecureSkipTLSVerify,
    signal: options.signal,
  };
}

/**
 * A mask of every secret value a request may carry (and the Basic credentials built from them),
 * for scrubbing messages in every form the values may take.
 */
export function secretMaskOf(secret: SecretData | undefined): SecretMask {
  const mask = new SecretMask(Object.values(secret ?? {}));
  if (secret?.username !== undefined && secret.password !== undefined) mask.add(`${secret.username}:${secret.password}`);
  return mask;
}
