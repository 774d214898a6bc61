/**
 * Metric references in criteria are `namespace/name` or `name`. Every reference is
 * normalised to `namespace/name` against the experiment's namespace, so that an
 * unqualified `mean-latency` and a qualified `default/mean-latency` mean the same metric.
 */
import { isDnsLabel, isDnsSubdomain } from "./kube-names";

/** A metric reference split into its parts. */
export interface MetricRef {
  namespace: string;
  name: string;
}

/** Splits a reference, resolving an unqualified name against `defaultNamespace`. */
export function parseMetricRef(ref: string, defaultNamespace: string): MetricRef {
  const trimmed = ref.trim();
  const slash = trimmed.indexOf("/");
  if (slash < 0) return { namespace: defaultNamespace, name: trimmed };
  return { namespace: trimmed.slice(0, slash), name: trimmed.slice(slash + 1) };
}

/** The canonical `namespace/name` key of a reference. */
export function normalizeMetricRef(ref: string, defaultNamespace: string): string {
  const { namespace, name } = parseMetricRef(ref, defaultNamespace);
  return `${namespace}/${name}`;
}

/** True when two references name the same metric. */
export function sameMetricRef(a: string, b: string, defaultNamespace: string): boolean {
  return normalizeMetricRef(a, defaultNamespace) === normalizeMetricRef(b, defaultNamespace);
}

/**
 * True when a reference (to a Metric or a Secret) is `name` or `namespace/name`, with a
 * namespace and a name that Kubernetes accepts.
 */
export function isWellFormedRef(ref: string): boolean {
  const parts = ref.split("/");
  if (parts.length === 1) return isDnsSubdomain(parts[0]!);
  return parts.length === 2 && isDnsLabel(parts[0]!) && isDnsSubdomain(parts[1]!);
}
