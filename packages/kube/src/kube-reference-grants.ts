import type { CrossNamespaceRef, ReferencePolicy } from "@iter8ts/engine";
import { ReferenceGrantSchema, referenceGranted, type ReferenceGrant } from "@iter8ts/types";
import type { KubeObject } from "@iter8ts/resources";
import type { KubeClients } from "./create-kube-clients";
import { REFERENCE_GRANT_RESOURCE } from "./iter8-resources";
import { listAll } from "./list-all";
import type { ResourceInformer } from "./resource-informer";

/** Settings of {@link KubeReferenceGrants}. */
export interface KubeReferenceGrantsOptions {
  /** ReferenceGrants in every namespace; read from its cache once synced, so a check costs no request. */
  informer?: ResourceInformer;
}

function grantsOf(objects: readonly KubeObject[]): ReferenceGrant[] {
  const grants: ReferenceGrant[] = [];
  for (const object of objects) {
    // The CRD validates grants; one that still does not parse grants nothing.
    const parsed = ReferenceGrantSchema.safeParse(object);
    if (parsed.success) grants.push(parsed.data);
  }
  return grants;
}

/**
 * The engine's reference policy on a cluster: an Experiment (or a Metric it uses) may refer to an
 * object of another namespace only when a ReferenceGrant in that namespace names the referring
 * namespace (or `"*"`) and the object's group and kind (and name, when the grant gives one).
 * Grants come from an informer's cache; before it has synced, from one list of the namespace.
 */
export class KubeReferenceGrants implements ReferencePolicy {
  readonly #clients: KubeClients;
  readonly #informer: ResourceInformer | undefined;

  constructor(clients: KubeClients, options: KubeReferenceGrantsOptions = {}) {
    this.#clients = clients;
    this.#informer = options.informer;
  }

  /** @throws KubeError when the grants are not cached and the API cannot list them (the engine retries). */
  async allows(from: string, ref: CrossNamespaceRef): Promise<boolean> {
    if (from === ref.namespace) return true;
    return referenceGranted(await this.#grants(ref.namespace), { fromNamespace: from, group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name });
  }

  async #grants(namespace: string): Promise<ReferenceGrant[]> {
    if (this.#informer?.synced) return grantsOf(this.#informer.list(namespace));
    const { group, version, plural, apiVersion, kind } = REFERENCE_GRANT_RESOURCE;
    const path = `/apis/${group}/${version}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
    const { items } = await listAll(this.#clients.api, { path, apiVersion, kind, subject: `ReferenceGrants in namespace ${namespace}` });
    return grantsOf(items);
  }
}
