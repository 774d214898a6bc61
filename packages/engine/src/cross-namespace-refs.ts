import { apiGroupOf, criteriaMetricRefs, experimentNamespace, parseMetricRef, type Experiment } from "@iter8ts/types";
import type { CrossNamespaceRef } from "./ports";
import { Message } from "./reasons";

/** The API group of Metrics. */
const METRIC_GROUP = "iter8.tools";

/** A reference to Metric `key` (`namespace/name`) written at `field`. */
export function metricReference(field: string, key: string, defaultNamespace: string): CrossNamespaceRef {
  const { namespace, name } = parseMetricRef(key, defaultNamespace);
  return { field, group: METRIC_GROUP, kind: "Metric", namespace, name };
}

/**
 * The Metrics the criteria name, each with the field that names it (`spec.criteria.objectives[1].metric`),
 * unqualified names resolved in the experiment's namespace.
 */
export function criteriaMetricReferences(experiment: Pick<Experiment, "spec" | "metadata">): CrossNamespaceRef[] {
  const namespace = experimentNamespace(experiment);
  return criteriaMetricRefs(experiment.spec.criteria)
    .filter((r) => r.metric.trim() !== "")
    .map((r) => metricReference(r.field, r.metric, namespace));
}

/** The objects the versions' `weightObjRef`s name, with their fields; a reference without a namespace is in the experiment's. */
export function weightObjectReferences(experiment: Pick<Experiment, "spec" | "metadata">): CrossNamespaceRef[] {
  const info = experiment.spec.versionInfo;
  if (!info) return [];
  const namespace = experimentNamespace(experiment);
  const versions = [
    { field: "spec.versionInfo.baseline.weightObjRef", ref: info.baseline.weightObjRef },
    ...(info.candidates ?? []).map((c, i) => ({ field: `spec.versionInfo.candidates[${i}].weightObjRef`, ref: c.weightObjRef })),
  ];
  return versions.flatMap(({ field, ref }) =>
    ref?.kind && ref.name ? [{ field, group: ref.apiVersion ? apiGroupOf(ref.apiVersion) : undefined, kind: ref.kind, namespace: ref.namespace || namespace, name: ref.name }] : [],
  );
}

/** `VirtualService team-b/reviews (networking.istio.io)`. */
export function describeReference(ref: CrossNamespaceRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}${ref.group ? ` (${ref.group})` : ""}`;
}

/**
 * The first of `refs` that leaves namespace `from` without the consent of the namespace it
 * refers to, as the Failed condition's message; undefined when all are allowed or there is no
 * policy. Never reads the objects referred to, so nothing of them can end up in the message.
 *
 * @throws whatever the policy throws when it cannot read the consents.
 */
export async function refusedReference(
  policy: { allows(from: string, ref: CrossNamespaceRef): boolean | Promise<boolean> } | undefined,
  from: string,
  refs: readonly CrossNamespaceRef[],
): Promise<string | undefined> {
  if (!policy) return undefined;
  for (const ref of refs) {
    if (ref.namespace === from) continue;
    if (!(await policy.allows(from, ref))) return Message.referenceNotGranted(ref.field, describeReference(ref), ref.namespace, from);
  }
  return undefined;
}
