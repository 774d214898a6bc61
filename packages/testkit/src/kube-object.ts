/** Accessors for the parts of a Kubernetes object every layer reads. */
import { isJsonObject, type JsonObject } from "./json-value";

/** A Kubernetes object as JSON: `apiVersion`, `kind`, `metadata` and whatever the kind adds. */
export type KubeObject = JsonObject & { metadata?: JsonObject };

/** The object's `metadata`, created empty when missing so callers can write to it. */
export function metadataOf(obj: JsonObject): JsonObject {
  if (!isJsonObject(obj.metadata)) obj.metadata = {};
  return obj.metadata as JsonObject;
}

/** A string field of `metadata`, or "" when absent. */
export function metaString(obj: JsonObject, field: string): string {
  const meta = obj.metadata;
  if (!isJsonObject(meta)) return "";
  const value = meta[field];
  return typeof value === "string" ? value : "";
}

/** The object's labels (never undefined). */
export function labelsOf(obj: JsonObject): Record<string, string> {
  const meta = obj.metadata;
  const labels = isJsonObject(meta) ? meta.labels : undefined;
  return isJsonObject(labels) ? (labels as Record<string, string>) : {};
}

/** Reads a dotted path (`status.phase`) as a string for field selectors; "" when absent. */
export function stringAt(obj: JsonObject, path: string): string {
  let cur: unknown = obj;
  for (const key of path.split(".")) {
    if (!isJsonObject(cur)) return "";
    cur = cur[key];
  }
  if (cur === undefined || cur === null) return "";
  return typeof cur === "object" ? JSON.stringify(cur) : String(cur);
}

/** The object's `metadata.ownerReferences` uids. */
export function ownerUids(obj: JsonObject): string[] {
  const meta = obj.metadata;
  const refs = isJsonObject(meta) ? meta.ownerReferences : undefined;
  if (!Array.isArray(refs)) return [];
  return refs.filter(isJsonObject).map((r) => (typeof r.uid === "string" ? r.uid : ""));
}

/** An RFC 3339 timestamp with second precision, as `metav1.Time` serialises. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** An RFC 3339 timestamp with microsecond precision, as `metav1.MicroTime` serialises. */
export function formatMicroTime(date: Date): string {
  return date.toISOString().replace(/Z$/, "000Z");
}
