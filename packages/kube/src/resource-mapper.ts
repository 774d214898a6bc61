import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import type { KubeApi } from "./kube-api";
import { KubeError, KubeErrorCode } from "./kube-error";
import { toKubeError } from "./to-kube-error";

/** Which object or collection a path is for. Without `apiVersion`, the kind is looked up. */
export interface ResourceCoordinates {
  apiVersion?: string;
  kind: string;
  /** Absent for cluster-scoped kinds and for lists across all namespaces. */
  namespace?: string;
  name?: string;
}

/** What a path is used for: an object (`object`) or a collection (`collection`). */
export type PathTarget = "object" | "collection";

/** `KubernetesObjectApi` keeps its discovery-backed path building protected; this opens it. */
class DiscoveringObjectApi extends KubernetesObjectApi {
  pathFor(spec: KubernetesObject, action: "read" | "list"): Promise<string> {
    return this.specUriPath(spec, action);
  }

  useNamespaceOf(kubeConfig: KubeConfig): void {
    this.setDefaultNamespace(kubeConfig);
  }
}

interface GroupList {
  groups?: Array<{ preferredVersion?: { groupVersion?: string }; versions?: Array<{ groupVersion?: string }> }>;
}
interface ResourceList {
  resources?: Array<{ name?: string; kind?: string }>;
}

/** `Kind namespace/name`, `Kind name` or `Kind` (for collections), for messages. */
export function describeCoordinates(c: ResourceCoordinates): string {
  const where = c.namespace && c.name ? `${c.namespace}/${c.name}` : (c.name ?? (c.namespace ? `in namespace ${c.namespace}` : ""));
  return [c.apiVersion ? `${c.kind}.${c.apiVersion}` : c.kind, where].filter(Boolean).join(" ");
}

/**
 * Maps apiVersion and kind to API paths through discovery, as `kubectl` does: the resource name
 * (plural) and whether the kind is namespaced come from the API server, so any kind served by
 * it works, custom resources included. Discovery answers are cached; an unknown kind is looked
 * up again, so a CRD installed later is found.
 */
export class ResourceMapper {
  readonly #objects: DiscoveringObjectApi;
  readonly #api: KubeApi;
  readonly #versionOfKind = new Map<string, string>();

  constructor(kubeConfig: KubeConfig, api: KubeApi) {
    this.#objects = kubeConfig.makeApiClient(DiscoveringObjectApi);
    this.#objects.useNamespaceOf(kubeConfig);
    this.#api = api;
  }

  /**
   * The path of an object or a collection. A namespaced object without a namespace is taken
   * from the kubeconfig's current namespace (else `default`).
   */
  async path(coordinates: ResourceCoordinates, target: PathTarget, subresource?: string): Promise<string> {
    const apiVersion = coordinates.apiVersion ?? (await this.apiVersionOf(coordinates.kind));
    const metadata: { name?: string; namespace?: string } = {};
    if (coordinates.name !== undefined) metadata.name = coordinates.name;
    if (coordinates.namespace !== undefined) metadata.namespace = coordinates.namespace;
    let path: string;
    try {
      path = await this.#objects.pathFor({ apiVersion, kind: coordinates.kind, metadata }, target === "object" ? "read" : "list");
    } catch (error) {
      const failure = toKubeError(error, describeCoordinates({ ...coordinates, apiVersion }));
      if (failure.code === KubeErrorCode.NotFound) {
        // Discovery answers 404 for a group or version the server does not serve at all.
        throw new KubeError(KubeErrorCode.UnknownKind, `${describeCoordinates({ ...coordinates, apiVersion })}: the API server does not serve ${apiVersion}; install its CustomResourceDefinition or fix apiVersion`, { cause: failure });
      }
      throw failure;
    }
    return subresource ? `${path}/${subresource}` : path;
  }

  /**
   * The apiVersion serving `kind`: the core group first, then every group's preferred version
   * in the order the server lists them.
   */
  async apiVersionOf(kind: string): Promise<string> {
    const known = this.#versionOfKind.get(kind);
    if (known) return known;
    const subject = `kind ${kind}`;
    const servesKind = async (groupVersion: string): Promise<boolean> => {
      const path = groupVersion.includes("/") ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
      const list = await this.#api.request<ResourceList>({ method: "GET", path, subject });
      return (list.resources ?? []).some((r) => r.kind === kind && !(r.name ?? "").includes("/"));
    };
    const candidates = ["v1"];
    const groups = await this.#api.request<GroupList>({ method: "GET", path: "/apis", subject });
    for (const group of groups.groups ?? []) {
      const version = group.preferredVersion?.groupVersion ?? group.versions?.[0]?.groupVersion;
      if (version) candidates.push(version);
    }
    for (const groupVersion of candidates) {
      if (await servesKind(groupVersion)) {
        this.#versionOfKind.set(kind, groupVersion);
        return groupVersion;
      }
    }
    throw new KubeError(KubeErrorCode.UnknownKind, `kind ${kind}: no API group served by the API server has this kind; set apiVersion or install its CustomResourceDefinition`);
  }
}
