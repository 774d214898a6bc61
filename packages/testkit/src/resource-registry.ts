/**
 * The resources the server serves right now (built-in ones, plus those of established CRDs), and
 * the discovery documents clients read to map a kind to its URL.
 */
import { apiVersionOf, type ResourceType } from "./resource-type";

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const STATUS_VERBS = ["get", "patch", "update"];

/** Orders versions the way Kubernetes does: GA, then beta, then alpha; higher numbers first. */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const level = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return [level, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [la, ma, na] = rank(a);
  const [lb, mb, nb] = rank(b);
  return lb - la || mb - ma || nb - na || a.localeCompare(b);
}

/** The set of served resources, looked up by URL parts or by apiVersion/kind. */
export class ResourceRegistry {
  private readonly types: ResourceType[] = [];

  /** Serves `type` (replacing an earlier registration of the same group/version/plural). */
  add(type: ResourceType): void {
    this.removeWhere((t) => t.group === type.group && t.version === type.version && t.plural === type.plural);
    this.types.push(type);
  }

  /** Stops serving everything. */
  clear(): void {
    this.types.length = 0;
  }

  /** Stops serving every version backed by `storage`. */
  removeStorage(storage: string): void {
    this.removeWhere((t) => t.storage === storage);
  }

  private removeWhere(pred: (t: ResourceType) => boolean): void {
    for (let i = this.types.length - 1; i >= 0; i--) {
      const t = this.types[i];
      if (t && pred(t)) this.types.splice(i, 1);
    }
  }

  /** The resource at `/apis/<group>/<version>/<plural>`, if served. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** The resource serving `kind` in `apiVersion`, if any. */
  findKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => t.apiVersion === apiVersion && t.kind === kind);
  }

  /** Every served version backed by `storage`. */
  forStorage(storage: string): ResourceType[] {
    return this.types.filter((t) => t.storage === storage);
  }

  /** Every resource served in a group/version. */
  forGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }

  /** Whether a group/version is served at all. */
  hasGroupVersion(group: string, version: string): boolean {
    return this.types.some((t) => t.group === group && t.version === version);
  }

  /** Every stored collection key. */
  storages(): string[] {
    return [...new Set(this.types.map((t) => t.storage))];
  }

  /** `GET /api`: the core group's versions. */
  coreVersions(serverAddress: string): Record<string, unknown> {
    return {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
    };
  }

  private groupVersions(group: string): string[] {
    return [...new Set(this.types.filter((t) => t.group === group).map((t) => t.version))].sort(compareKubeVersions);
  }

  /** `GET /apis/<group>`: one APIGroup, or undefined when the group is not served. */
  apiGroup(group: string): Record<string, unknown> | undefined {
    const versions = this.groupVersions(group);
    const preferred = versions[0];
    if (preferred === undefined) return undefined;
    return {
      kind: "APIGroup",
      apiVersion: "v1",
      name: group,
      versions: versions.map((version) => ({ groupVersion: apiVersionOf(group, version), version })),
      preferredVersion: { groupVersion: apiVersionOf(group, preferred), version: preferred },
    };
  }

  /** `GET /apis`: every non-core group with its versions. */
  apiGroupList(): Record<string, unknown> {
    const groups = [...new Set(this.types.map((t) => t.group).filter((g) => g !== ""))].sort();
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: groups.map((g) => {
        const doc = this.apiGroup(g) ?? {};
        return { name: doc.name, versions: doc.versions, preferredVersion: doc.preferredVersion };
      }),
    };
  }

  /** `GET /api/v1` or `/apis/<group>/<version>`: the APIResourceList, or undefined when not served. */
  resourceList(group: string, version: string): Record<string, unknown> | undefined {
    const types = this.types.filter((t) => t.group === group && t.version === version);
    if (types.length === 0) return undefined;
    const resources: Record<string, unknown>[] = [];
    for (const t of [...types].sort((a, b) => a.plural.localeCompare(b.plural))) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ALL_VERBS,
        ...(t.shortNames.length ? { shortNames: [...t.shortNames] } : {}),
        ...(t.categories.length ? { categories: [...t.categories] } : {}),
      });
      if (t.statusSubresource) {
        resources.push({ name: `${t.plural}/status`, singularName: "", namespaced: t.namespaced, kind: t.kind, verbs: STATUS_VERBS });
      }
      if (t.kind === "Pod" && t.group === "") {
        resources.push({ name: "pods/log", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] });
      }
    }
    return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf(group, version), resources };
  }
}
