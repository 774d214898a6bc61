/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge key by key, `null`
 * deletes a key, and anything else (lists included) replaces the old value whole.
 */
import { deepClone, isJsonObject } from "./json-value";

/** Returns `target` with `patch` merged in; neither input is modified. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return deepClone(patch);
  const out: Record<string, unknown> = isJsonObject(target) ? deepClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
