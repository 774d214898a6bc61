import type { Experiment } from "@iter8ts/types";
import { readFieldPath, type KubeObject, type PathSegment } from "@iter8ts/resources";
import { versionWeightRefs } from "@iter8ts/weights";

/** Routing objects with fuzzed weights, and whether those can be a split of the traffic. */
export interface RoutedWeights {
  objects: KubeObject[];
  /**
   * True when the weights cannot be a split (the reference's rule, stated independently of the
   * code under test): a negative weight, a sum other than 100 when every version has a
   * `weightObjRef`, or a sum above 100 when some version has none.
   */
  cannotSplit: boolean;
}

/**
 * Copies of `objects` with `weights` written into the fields the experiment's `weightObjRef`s
 * name, one per referenced version in version order (the list repeats when it is shorter).
 * Undefined when the references cannot all be followed (malformed, or an object or field the
 * objects lack): then the run fails for that reason, and the weights say nothing.
 */
export function routeWeights(objects: readonly KubeObject[], experiment: Experiment, weights: readonly number[]): RoutedWeights | undefined {
  let refs;
  try {
    refs = versionWeightRefs(experiment);
  } catch {
    return undefined;
  }
  const copy = structuredClone(objects) as KubeObject[];
  const written: number[] = [];
  for (const ref of refs) {
    if (!ref.location) continue;
    const { key, fieldPath } = ref.location;
    const object = copy.find((o) => o.kind === key.kind && o.metadata.name === key.name && (o.metadata.namespace ?? "default") === key.namespace);
    const last = fieldPath.segments[fieldPath.segments.length - 1];
    const parent = object && last !== undefined ? readFieldPath(object, fieldPath.segments.slice(0, -1)) : undefined;
    if (!parent?.found || parent.value === null || typeof parent.value !== "object") return undefined;
    const weight = weights[written.length % weights.length] as number;
    (parent.value as Record<PathSegment, unknown>)[last as PathSegment] = weight;
    written.push(weight);
  }
  if (written.length === 0) return undefined;
  const sum = written.reduce((total, w) => total + w, 0);
  const everyVersion = written.length === refs.length;
  return { objects: copy, cannotSplit: written.some((w) => w < 0) || (everyVersion ? sum !== 100 : sum > 100) };
}
