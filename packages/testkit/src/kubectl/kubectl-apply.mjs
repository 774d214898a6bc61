// `kubectl apply` for tests, with a kubeconfig loaded by @kubernetes/client-node: the controller's
// quickstarts apply the samples with it, and the kubectl stand-in (kubectl.mjs) applies promotion
// manifests with it inside action Jobs and e2e's finish actions. Plain JavaScript because those
// processes run it with no TypeScript loader; kubectl-apply.d.mts gives the tests its types.
import { isDeepStrictEqual } from "node:util";
import http from "node:http";
import https from "node:https";
import { parseAllDocuments } from "yaml";

/** The annotation in which kubectl keeps what it applied, to delete what a later apply leaves out. */
export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** Why an apply stopped, in kubectl's words. */
export class KubectlApplyError extends Error {
  /**
   * @param {string} message
   * @param {{ cause?: unknown }} [options]
   */
  constructor(message, options) {
    super(message, options);
    this.name = "KubectlApplyError";
  }
}

/** @param {unknown} value */
function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The objects of a manifest's text, as kubectl reads them: every YAML (or JSON) document, the
 * items of a `List`, empty documents skipped.
 * @param {string} text
 * @param {string} source what the text came from, for messages
 */
export function readManifests(text, source) {
  // Not client-node's loadAllYaml: it converts each document to the model named by its version
  // and kind alone, so a Knative `serving.knative.dev/v1` Service lost everything a core Service
  // does not have.
  const documents = parseAllDocuments(text).map((document) => {
    const error = document.errors[0];
    if (error) throw new KubectlApplyError(`error parsing ${source}: ${error.message.split("\n")[0]}`);
    return document.toJS();
  });
  const objects = [];
  for (const document of documents) {
    if (document === null || document === undefined) continue;
    const items = isPlainObject(document) && document.kind === "List" && Array.isArray(document.items) ? document.items : [document];
    for (const item of items) {
      if (!isPlainObject(item) || typeof item.apiVersion !== "string" || typeof item.kind !== "string" || !isPlainObject(item.metadata) || typeof item.metadata.name !== "string") {
        throw new KubectlApplyError(`error validating "${source}": an object needs apiVersion, kind and metadata.name`);
      }
      objects.push(item);
    }
  }
  return objects;
}

/**
 * One request to the API server of the kubeconfig's current cluster, authenticated the way
 * client-node does it; answers the status code and the parsed JSON body. Objects travel as plain
 * JSON: client-node's typed APIs pick a model by version and kind alone, so they would read a
 * Knative `serving.knative.dev/v1` Service as a core `v1` Service and drop its template.
 * @param {import("@kubernetes/client-node").KubeConfig} kubeConfig
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, contentType?: string }} [options]
 * @returns {Promise<{ status: number, body: any }>}
 */
async function send(kubeConfig, method, path, options = {}) {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new KubectlApplyError("the kubeconfig has no current cluster; set current-context");
  const url = new URL(`${cluster.server.replace(/\/+$/, "")}${path}`);
  /** @type {import("node:https").RequestOptions & { headers: Record<string, string> }} */
  const request = { method, headers: { Accept: "application/json" } };
  await kubeConfig.applyToHTTPSOptions(request);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (payload !== undefined) request.headers["Content-Type"] = options.contentType ?? "application/json";
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const call = transport.request(url, request, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () => {
        let body;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = { message: text };
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on("error", reject);
    });
    call.on("error", (error) => reject(new KubectlApplyError(`cannot reach the API server at ${cluster.server}: ${error.message}`, { cause: error })));
    call.end(payload);
  });
}

/** @param {{ status: number, body: any }} answer */
function statusMessage(answer) {
  return typeof answer.body?.message === "string" ? answer.body.message : `the API server answered ${answer.status}`;
}

/**
 * Finds a kind among the resources the API server serves (its discovery documents).
 * @param {import("@kubernetes/client-node").KubeConfig} kubeConfig
 * @param {string} apiVersion
 * @param {string} kind
 * @returns {Promise<{ path: string, plural: string, namespaced: boolean }>}
 */
export async function findResource(kubeConfig, apiVersion, kind) {
  const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const answer = await send(kubeConfig, "GET", path);
  const resources = answer.status === 200 && Array.isArray(answer.body?.resources) ? answer.body.resources : [];
  if (answer.status !== 200 && answer.status !== 404) throw new KubectlApplyError(`reading ${path}: ${statusMessage(answer)}`);
  const resource = resources.find((/** @type {{ kind: string, name: string }} */ r) => r.kind === kind && !r.name.includes("/"));
  if (!resource) {
    throw new KubectlApplyError(`resource mapping not found for kind "${kind}" in version "${apiVersion}"; ensure CRDs are installed first`);
  }
  return { path, plural: resource.name, namespaced: resource.namespaced === true };
}

/**
 * The JSON merge patch that takes `current` to `modified` as kubectl's three-way merge does:
 * fields of `modified` that differ are set, fields `original` (the last applied configuration)
 * had and `modified` dropped are deleted, and fields nobody applied (status, fields the
 * controller owns) are left alone. Lists are replaced whole, as for every custom resource.
 * @param {Record<string, unknown>} original
 * @param {Record<string, unknown>} modified
 * @param {Record<string, unknown>} current
 * @returns {Record<string, unknown>}
 */
export function threeWayMergePatch(original, modified, current) {
  /** @type {Record<string, unknown>} */
  const patch = {};
  for (const [key, value] of Object.entries(modified)) {
    const now = current[key];
    if (isPlainObject(value) && isPlainObject(now)) {
      const inner = threeWayMergePatch(isPlainObject(original[key]) ? original[key] : {}, value, now);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (!isDeepStrictEqual(value, now)) {
      patch[key] = value;
    }
  }
  for (const key of Object.keys(original)) {
    if (!(key in modified) && key in current) patch[key] = null;
  }
  return patch;
}

/** @param {{ apiVersion: string, kind: string, metadata: { name: string } }} object */
function resourceName(object) {
  const slash = object.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : `.${object.apiVersion.slice(0, slash)}`;
  return `${object.kind.toLowerCase()}${group}/${object.metadata.name}`;
}

/**
 * Applies objects one after the other, as `kubectl apply [-n namespace] -f` does: creates an
 * object that does not exist, else patches it with a three-way merge against the configuration
 * applied last (kept in the {@link LAST_APPLIED} annotation). Returns kubectl's output lines
 * (`virtualservice.networking.istio.io/bookinfo configured`); `onApplied` receives each as it
 * happens, so a caller can print what was done before a later object fails.
 * @param {import("@kubernetes/client-node").KubeConfig} kubeConfig
 * @param {ReadonlyArray<Record<string, any>>} objects
 * @param {{ namespace?: string, onApplied?: (line: string) => void }} [options]
 * @returns {Promise<string[]>}
 */
export async function kubectlApply(kubeConfig, objects, options = {}) {
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  const defaultNamespace = options.namespace ?? context?.namespace ?? "default";
  const lines = [];
  for (const given of objects) {
    const resource = await findResource(kubeConfig, given.apiVersion, given.kind);
    const object = structuredClone(given);
    const metadata = object.metadata;
    delete metadata.resourceVersion;
    if (!resource.namespaced) {
      delete metadata.namespace;
    } else {
      if (metadata.namespace !== undefined && options.namespace !== undefined && metadata.namespace !== options.namespace) {
        throw new KubectlApplyError(
          `the namespace from the provided object "${metadata.namespace}" does not match the namespace "${options.namespace}". You must pass '--namespace=${metadata.namespace}' to perform this operation.`,
        );
      }
      metadata.namespace ??= defaultNamespace;
    }
    const { [LAST_APPLIED]: _previous, ...annotations } = metadata.annotations ?? {};
    const appliedMetadata = { ...metadata };
    delete appliedMetadata.annotations;
    if (Object.keys(annotations).length > 0) appliedMetadata.annotations = annotations;
    metadata.annotations = { ...annotations, [LAST_APPLIED]: JSON.stringify({ ...object, metadata: appliedMetadata }) };

    const collection = `${resource.path}${resource.namespaced ? `/namespaces/${encodeURIComponent(metadata.namespace)}` : ""}/${resource.plural}`;
    const path = `${collection}/${encodeURIComponent(metadata.name)}`;
    const current = await send(kubeConfig, "GET", path);
    let outcome;
    let answer;
    if (current.status === 404) {
      answer = await send(kubeConfig, "POST", collection, { body: object });
      outcome = "created";
    } else if (current.status !== 200) {
      answer = current;
    } else {
      const lastText = current.body.metadata?.annotations?.[LAST_APPLIED];
      const patch = threeWayMergePatch(lastText ? JSON.parse(lastText) : {}, object, current.body);
      if (Object.keys(patch).length === 0) outcome = "unchanged";
      else {
        answer = await send(kubeConfig, "PATCH", path, { body: patch, contentType: "application/merge-patch+json" });
        outcome = "configured";
      }
    }
    if (answer !== undefined && (answer.status < 200 || answer.status >= 300)) {
      throw new KubectlApplyError(`applying ${resourceName(object)}: ${statusMessage(answer)}`);
    }
    const line = `${resourceName(object)} ${outcome}`;
    lines.push(line);
    options.onApplied?.(line);
  }
  return lines;
}
