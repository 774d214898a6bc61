/**
 * The OpenAPI documents kubectl reads: `/openapi/v3` (an index of group versions, each with a
 * hash in its URL) and `/openapi/v3/<api|apis/group>/<version>` (paths with their operations,
 * `x-kubernetes-group-version-kind`, query parameters and accepted patch types, plus the kinds'
 * schemas), and `/openapi/v2` as JSON (definitions only). `kubectl apply`, `create` and `edit`
 * find out from them that the server validates fields (`fieldValidation`) and takes server-side
 * dry runs; `kubectl explain` renders the schemas.
 *
 * Built-in kinds do not advertise strategic merge patch here, so kubectl computes those patches
 * from the Go types compiled into it rather than from testkit's shallow schemas.
 */
import { createHash } from "node:crypto";
import type { JsonObject } from "./json-value";
import { META_SCHEMA_PREFIX, gvk, kindSchema, listSchema, metaSchemas, schemaName, schemaRef } from "./openapi-schemas";
import type { ResourceRegistry } from "./resource-registry";
import { apiVersionOf, type ResourceType } from "./resource-type";

const PATCH_TYPES = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"];

/** The path of a group version in the index: `api/v1`, `apis/iter8.tools/v2alpha2`. */
function groupVersionPath(group: string, version: string): string {
  return group === "" ? `api/${version}` : `apis/${group}/${version}`;
}

const query = (name: string, description: string, type = "string"): JsonObject => ({ name, in: "query", description, schema: { type, uniqueItems: true } });
const WRITE_PARAMETERS = [
  query("dryRun", "All: validate and default, but persist nothing."),
  query("fieldManager", "Name of the actor making the change, for managedFields."),
  query("fieldValidation", "Ignore, Warn or Strict: what happens to unknown or duplicate fields."),
];
const PRETTY = query("pretty", "Pretty-print the output.");

function operation(type: ResourceType, action: string, id: string, extra: JsonObject = {}): JsonObject {
  const body = { default: {}, ...schemaRef(schemaName(type)) };
  return {
    tags: [type.group === "" ? `core_${type.version}` : `${type.group}_${type.version}`],
    description: `${action} ${type.kind}`,
    operationId: id,
    responses: { "200": { description: "OK", content: { "application/json": { schema: action === "list" ? schemaRef(`${schemaName(type)}List`) : body } } } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk(type),
    ...extra,
  };
}

function requestBody(type: ResourceType, patch: boolean): JsonObject {
  if (patch) {
    // Custom resources take no strategic merge patch; for built-in kinds kubectl uses its own types.
    return { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: schemaRef(`${META_SCHEMA_PREFIX}.Patch`) }])), required: true };
  }
  return { content: { "*/*": { schema: schemaRef(schemaName(type)) } }, required: true };
}

function pathsOf(type: ResourceType): JsonObject {
  const base = type.group === "" ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const id = (verb: string, suffix = "") => `${verb}${type.group.replace(/(^|[.-])(\w)/g, (_m, _s: string, c: string) => c.toUpperCase())}${type.version[0]?.toUpperCase() ?? ""}${type.version.slice(1)}${type.namespaced ? "Namespaced" : ""}${type.kind}${suffix}`;
  const namespaceParam = { name: "namespace", in: "path", required: true, description: "Namespace of the objects.", schema: { type: "string", uniqueItems: true } };
  const nameParam = { name: "name", in: "path", required: true, description: `Name of the ${type.kind}.`, schema: { type: "string", uniqueItems: true } };
  const collection = type.namespaced ? `${base}/namespaces/{namespace}/${type.plural}` : `${base}/${type.plural}`;
  const listQuery = ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "resourceVersionMatch", "watch", "allowWatchBookmarks", "sendInitialEvents", "timeoutSeconds"].map((q) =>
    query(q, `The ${q} of the list.`),
  );
  const paths: JsonObject = {
    [collection]: {
      get: operation(type, "list", id("list"), { parameters: listQuery }),
      post: operation(type, "post", id("create"), { parameters: WRITE_PARAMETERS, requestBody: requestBody(type, false) }),
      delete: operation(type, "deletecollection", id("deleteCollection")),
      parameters: [...(type.namespaced ? [namespaceParam] : []), PRETTY],
    },
    [`${collection}/{name}`]: {
      get: operation(type, "get", id("read")),
      put: operation(type, "put", id("replace"), { parameters: WRITE_PARAMETERS, requestBody: requestBody(type, false) }),
      patch: operation(type, "patch", id("patch"), { parameters: [...WRITE_PARAMETERS, query("force", "Take over fields other managers own (server-side apply).", "boolean")], requestBody: requestBody(type, true) }),
      delete: operation(type, "delete", id("delete")),
      parameters: [nameParam, ...(type.namespaced ? [namespaceParam] : []), PRETTY],
    },
  };
  if (type.namespaced) paths[`${base}/${type.plural}`] = { get: operation(type, "list", id("list", "ForAllNamespaces")), parameters: [PRETTY] };
  if (type.statusSubresource) {
    paths[`${collection}/{name}/status`] = {
      get: operation(type, "get", id("read", "Status")),
      put: operation(type, "put", id("replace", "Status"), { parameters: WRITE_PARAMETERS, requestBody: requestBody(type, false) }),
      patch: operation(type, "patch", id("patch", "Status"), { parameters: [...WRITE_PARAMETERS, query("force", "Take over fields other managers own.", "boolean")], requestBody: requestBody(type, true) }),
      parameters: [nameParam, ...(type.namespaced ? [namespaceParam] : []), PRETTY],
    };
  }
  return paths;
}

/** The OpenAPI v3 document of one group version, or undefined when it is not served. */
export function openApiV3Document(registry: ResourceRegistry, group: string, version: string): JsonObject | undefined {
  const types = registry.forGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const paths: JsonObject = {};
  const schemas: JsonObject = metaSchemas();
  for (const type of types) {
    Object.assign(paths, pathsOf(type));
    schemas[schemaName(type)] = kindSchema(type);
    schemas[`${schemaName(type)}List`] = listSchema(type);
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.37.2" }, paths, components: { schemas } };
}

function hashOf(doc: unknown): string {
  return createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase();
}

/** `/openapi/v3`: where each group version's document is, with its hash (kubectl caches by it). */
export function openApiV3Index(registry: ResourceRegistry): JsonObject {
  const paths: JsonObject = {};
  const seen = new Set<string>();
  for (const storage of registry.storages()) {
    for (const type of registry.forStorage(storage)) {
      const gv = apiVersionOf(type.group, type.version);
      if (seen.has(gv)) continue;
      seen.add(gv);
      const path = groupVersionPath(type.group, type.version);
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(openApiV3Document(registry, type.group, type.version))}` };
    }
  }
  return { paths };
}

/** `/openapi/v2` (Swagger 2.0, JSON): the definitions of every served kind. */
export function openApiV2Document(registry: ResourceRegistry): JsonObject {
  const definitions: JsonObject = {};
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "$ref" && typeof v === "string" ? v.replace("#/components/schemas/", "#/definitions/") : rewrite(v)]));
    }
    return value;
  };
  Object.assign(definitions, rewrite(metaSchemas()));
  for (const storage of registry.storages()) {
    for (const type of registry.forStorage(storage)) {
      definitions[schemaName(type)] = rewrite(kindSchema(type));
      definitions[`${schemaName(type)}List`] = rewrite(listSchema(type));
    }
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: "v1.37.2" }, paths: {}, definitions };
}
