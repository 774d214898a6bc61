import { z } from "zod";
import { ObjectMetaSchema } from "./common";

/**
 * A namespace whose Experiments a grant lets in: a namespace name, or `"*"` for every namespace.
 */
export const ReferenceGrantFromSchema = z.strictObject({
  namespace: z.string().min(1).describe('Namespace whose Experiments may refer to the objects in `to`; "*" for every namespace.'),
});
/** One entry of `spec.from`. */
export type ReferenceGrantFrom = z.infer<typeof ReferenceGrantFromSchema>;

/**
 * Objects of the granting namespace that may be referred to: every object of a kind, or the
 * one named. `group` is the API group (`""` for the core group, `iter8.tools` for Metrics).
 */
export const ReferenceGrantToSchema = z.strictObject({
  group: z.string().describe('API group of the kind: networking.istio.io, iter8.tools, "" for the core group.'),
  kind: z.string().min(1).describe("Kind of the objects, e.g. VirtualService or Metric."),
  name: z.string().min(1).optional().describe("Only this object; every object of the kind when left out."),
});
/** One entry of `spec.to`. */
export type ReferenceGrantTo = z.infer<typeof ReferenceGrantToSchema>;

/** The spec of a ReferenceGrant: who may refer (`from`) to what (`to`) in the grant's namespace. */
export const ReferenceGrantSpecSchema = z.strictObject({
  from: z.array(ReferenceGrantFromSchema).min(1).describe("Namespaces whose Experiments may refer to the objects in `to`."),
  to: z.array(ReferenceGrantToSchema).min(1).describe("Objects of this namespace they may refer to."),
});
/** The spec of a ReferenceGrant. */
export type ReferenceGrantSpec = z.infer<typeof ReferenceGrantSpecSchema>;

/**
 * An `iter8.tools/v2alpha2` ReferenceGrant: the consent of the namespace it lives in to be
 * referred to by Experiments of other namespaces (a Metric in `criteria`, a routing object in a
 * `weightObjRef`), in the spirit of Gateway API's ReferenceGrant. Without one, an Experiment
 * refers only to objects of its own namespace. Secrets are never granted.
 */
export const ReferenceGrantSchema = z.looseObject({
  apiVersion: z.literal("iter8.tools/v2alpha2").optional(),
  kind: z.literal("ReferenceGrant").optional(),
  metadata: ObjectMetaSchema.optional(),
  spec: ReferenceGrantSpecSchema,
});
/** A ReferenceGrant. */
export type ReferenceGrant = z.infer<typeof ReferenceGrantSchema>;

/** An object referred to from another namespace. */
export interface CrossNamespaceReference {
  /** The namespace of the Experiment that refers. */
  fromNamespace: string;
  /**
   * API group of the object referred to (`""` for the core group). Undefined when the reference
   * gives no apiVersion and the kind alone finds the object: then a grant of that kind in any
   * group lets it in.
   */
  group?: string | undefined;
  kind: string;
  /** The namespace of the object referred to, where the grant must be. */
  namespace: string;
  name: string;
}

/**
 * Whether one of `grants` (the ReferenceGrants of the referred object's namespace) lets the
 * reference in: a grant in that namespace whose `from` names the referring namespace (or `"*"`)
 * and whose `to` names the group and kind (and the name, when it gives one). A reference inside
 * its own namespace needs no grant. Grants of other namespaces are ignored, so a tenant cannot
 * consent for another namespace.
 */
export function referenceGranted(grants: readonly Pick<ReferenceGrant, "metadata" | "spec">[], ref: CrossNamespaceReference): boolean {
  if (ref.fromNamespace === ref.namespace) return true;
  return grants.some(
    (grant) =>
      grant.metadata?.namespace === ref.namespace &&
      grant.spec.from.some((f) => f.namespace === "*" || f.namespace === ref.fromNamespace) &&
      grant.spec.to.some((t) => (ref.group === undefined || t.group === ref.group) && t.kind === ref.kind && (t.name === undefined || t.name === ref.name)),
  );
}

/** The API group of an `apiVersion`: `networking.istio.io/v1beta1` → `networking.istio.io`, `v1` → `""`. */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
