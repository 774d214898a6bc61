/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) for the built-in kinds. It is a
 * merge patch in which the lists Kubernetes declares with a merge key (containers by `name`,
 * conditions by `type`, ...) merge element by element instead of being replaced, plus the
 * `$patch`, `$retainKeys`, `$deleteFromPrimitiveList/` and `$setElementOrder/` directives. Custom
 * resources have no such metadata, which is why the API server refuses this patch type for them.
 */
import { deepClone, isJsonObject, type JsonObject } from "./json-value";
import { PatchError, PatchErrorCode } from "./json-patch";

/** Lists merged element by element, by field name, with their merge key (from the core API types). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  conditions: "type",
  ownerReferences: "uid",
  hostAliases: "ip",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
};

/** Lists of scalars whose patch strategy is `merge` (a union), e.g. `metadata.finalizers`. */
const MERGED_SCALAR_LISTS = new Set(["finalizers"]);

/** Whether a list of scalars merges as a set (`metadata.finalizers`). */
export function isMergedScalarList(field: string): boolean {
  return MERGED_SCALAR_LISTS.has(field);
}

const DELETE_FROM = "$deleteFromPrimitiveList/";
const ELEMENT_ORDER = "$setElementOrder/";

/** The merge key of a built-in list field, if its items merge by key (`containers` by `name`, ...). */
export function mergeKeyFor(field: string, original: unknown[], patch: unknown[]): string | undefined {
  if (field === "ports") {
    // Container ports merge by containerPort, Service ports by port.
    const hasContainerPort = [...original, ...patch].some((e) => isJsonObject(e) && "containerPort" in e);
    return hasContainerPort ? "containerPort" : "port";
  }
  return MERGE_KEYS[field];
}

function mergeList(field: string, original: unknown, patch: unknown[]): unknown[] {
  const base = Array.isArray(original) ? original : [];
  if (patch.some((e) => isJsonObject(e) && e.$patch === "replace")) {
    return patch.filter((e) => !(isJsonObject(e) && e.$patch === "replace")).map((e) => deepClone(e));
  }
  if (MERGED_SCALAR_LISTS.has(field)) {
    const out = [...base];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const key = mergeKeyFor(field, base, patch);
  if (!key || !patch.every(isJsonObject)) return deepClone(patch);
  const out: unknown[] = deepClone(base);
  for (const element of patch as JsonObject[]) {
    const id = element[key];
    if (id === undefined) {
      throw new PatchError(PatchErrorCode.NotApplicable, `map: ${JSON.stringify(element)} does not contain declared merge key: ${key}`);
    }
    const at = out.findIndex((e) => isJsonObject(e) && e[key] === id);
    if (element.$patch === "delete") {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = mergeObject(out[at], element);
    else out.push(mergeObject(undefined, element));
  }
  return out;
}

function orderBy(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const idOf = (e: unknown): unknown => (key && isJsonObject(e) ? e[key] : e);
  const orderIds = order.map((o) => (key && isJsonObject(o) ? o[key] : o));
  const rank = (e: unknown): number => {
    const i = orderIds.indexOf(idOf(e));
    return i < 0 ? orderIds.length : i;
  };
  return list
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
    .map((x) => x.e);
}

/** Merges `patch` into `original` under the strategic rules; returns undefined when the map is deleted. */
function mergeObject(original: unknown, patch: JsonObject): unknown {
  if (patch.$patch === "delete") return undefined;
  if (patch.$patch === "replace") {
    const copy = deepClone(patch);
    delete copy.$patch;
    return copy;
  }
  const out: JsonObject = isJsonObject(original) ? deepClone(original) : {};
  const orders: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys") continue;
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      const drop = Array.isArray(value) ? value : [];
      const current = out[field];
      if (Array.isArray(current)) out[field] = current.filter((v) => !drop.includes(v));
      continue;
    }
    if (key.startsWith(ELEMENT_ORDER)) {
      if (Array.isArray(value)) orders.push([key.slice(ELEMENT_ORDER.length), value]);
      continue;
    }
    if (value === null) {
      delete out[key];
    } else if (Array.isArray(value)) {
      out[key] = mergeList(key, out[key], value);
    } else if (isJsonObject(value)) {
      const merged = mergeObject(out[key], value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else {
      out[key] = value;
    }
  }
  for (const [field, order] of orders) {
    const current = out[field];
    if (Array.isArray(current)) out[field] = orderBy(current, order, mergeKeyFor(field, current, []));
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key];
  }
  return out;
}

/** Applies a strategic merge patch to a built-in object; the inputs are not modified. */
export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) {
    throw new PatchError(PatchErrorCode.Malformed, "json: cannot unmarshal array into Go value of type map[string]interface {}");
  }
  const merged = mergeObject(target, patch);
  return merged === undefined ? {} : merged;
}
