/**
 * What a request does, read from its method and URL the way kube-apiserver's RequestInfoFactory
 * reads it (k8s.io/apiserver/pkg/endpoints/request): the authorization verb, the resource and
 * subresource, the namespace and the name. RBAC and the API priority rules see requests this way;
 * so do the fault proxy's rules.
 */

/** A request's meaning to the API server. */
export interface RequestInfo {
  /** False for `/healthz`, `/version`, `/openapi/v3`, discovery roots and the like. */
  readonly isResourceRequest: boolean;
  /**
   * `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, `proxy`,
   * or the lower-cased method of a non-resource request; "" for a method the API does not serve.
   */
  readonly verb: string;
  /** "" for the core group. */
  readonly apiGroup: string;
  readonly apiVersion: string;
  /** Plural resource, e.g. `experiments`; "" for a non-resource request. */
  readonly resource: string;
  readonly subresource: string;
  /** "" for cluster-scoped requests and for lists and watches across namespaces. */
  readonly namespace: string;
  /** "" for collection requests (a `metadata.name=` field selector names the object). */
  readonly name: string;
}

const SPECIAL_VERBS = new Set(["proxy", "watch"]);
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);
const METHOD_VERBS: Record<string, string> = { POST: "create", GET: "get", HEAD: "get", PUT: "update", PATCH: "patch", DELETE: "delete" };

/** Whether a query flag is set as the API server decodes booleans: present, and not `false` or `0`. */
function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== "0" && value.toLowerCase() !== "false";
}

/** Reads a request's method and path (with its query) the way kube-apiserver does. */
export function requestInfo(method: string, url: string): RequestInfo {
  const { pathname, searchParams } = new URL(url, "http://127.0.0.1");
  let parts = pathname
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const info = { isResourceRequest: false, verb: method.toLowerCase(), apiGroup: "", apiVersion: "", resource: "", subresource: "", namespace: "", name: "" };
  const prefix = parts[0];
  if (parts.length < 3 || (prefix !== "api" && prefix !== "apis")) return info;
  parts = parts.slice(1);
  if (prefix === "apis") {
    if (parts.length < 3) return info;
    info.apiGroup = parts[0] ?? "";
    parts = parts.slice(1);
  }
  info.isResourceRequest = true;
  info.apiVersion = parts[0] ?? "";
  parts = parts.slice(1);

  if (SPECIAL_VERBS.has(parts[0] ?? "")) {
    // The API server refuses `/watch` alone; so does RBAC here, with no resource to match.
    if (parts.length < 2) return { ...info, verb: parts[0] ?? "" };
    info.verb = parts[0] ?? "";
    parts = parts.slice(1);
  } else {
    info.verb = METHOD_VERBS[method.toUpperCase()] ?? "";
  }

  if (parts[0] === "namespaces") {
    if (parts.length > 1) {
      info.namespace = parts[1] ?? "";
      // /namespaces/<ns>/<resource>/...; but /namespaces/<ns>/status is the namespace's own subresource.
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] ?? "")) parts = parts.slice(2);
    }
  }
  if (parts.length >= 3 && info.verb !== "proxy") info.subresource = parts[2] ?? "";
  if (parts.length >= 2) info.name = parts[1] ?? "";
  if (parts.length >= 1) info.resource = parts[0] ?? "";

  if (!info.name && info.verb === "get") {
    info.verb = flag(searchParams, "watch") ? "watch" : "list";
    // A field selector that requires metadata.name to be one value names the object (a single-object watch).
    for (const term of (searchParams.get("fieldSelector") ?? "").split(",")) {
      const exact = /^metadata\.name==?([^=!]+)$/.exec(term.trim());
      if (exact?.[1]) info.name = exact[1];
    }
  }
  if (!info.name && info.verb === "delete") info.verb = "deletecollection";
  return info;
}
