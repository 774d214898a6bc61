import { jsonEqual, type JsonPatchOperation } from "@iter8ts/resources";

/** RFC 6901: `~` and `/` in a member name are escaped. */
function pointerSegment(name: string): string {
  return name.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** How many elements `next` lost at its head and gained at its tail, if that is all that happened. */
function shiftedAppend(previous: readonly unknown[], next: readonly unknown[]): { dropped: number } | undefined {
  // A bounded history drops at most a few old entries per write; anything else is replaced whole.
  for (let dropped = 0; dropped <= Math.min(2, previous.length); dropped++) {
    const kept = previous.length - dropped;
    if (kept > next.length) continue;
    // Nothing kept: a plain replace says it in one operation.
    if (kept === 0 && dropped > 0) return undefined;
    let same = true;
    for (let i = 0; i < kept && same; i++) same = jsonEqual(previous[dropped + i], next[i]);
    if (same) return { dropped };
  }
  return undefined;
}

/**
 * The JSON Patch operations (under `/status`) that turn `previous` into `next`, comparing
 * top-level fields structurally so that nothing unchanged is serialised or sent: a changed field
 * is replaced, a new one added, a dropped one removed, and an array that only gained entries at
 * its end and lost some at its head (the decision history) gets `remove`s of its first entries
 * and `add`s of the new ones.
 */
export function statusPatch(previous: object, next: object): JsonPatchOperation[] {
  const before = previous as Record<string, unknown>;
  const after = next as Record<string, unknown>;
  const operations: JsonPatchOperation[] = [];
  for (const [name, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const path = `/status/${pointerSegment(name)}`;
    const old = before[name];
    if (old === undefined) {
      operations.push({ op: "add", path, value });
      continue;
    }
    if (Array.isArray(old) && Array.isArray(value)) {
      const shift = shiftedAppend(old, value);
      if (shift) {
        for (let i = 0; i < shift.dropped; i++) operations.push({ op: "remove", path: `${path}/0` });
        for (const added of value.slice(old.length - shift.dropped)) operations.push({ op: "add", path: `${path}/-`, value: added });
        continue;
      }
    }
    if (!jsonEqual(old, value)) operations.push({ op: "replace", path, value });
  }
  for (const [name, value] of Object.entries(before)) {
    if (value !== undefined && after[name] === undefined) operations.push({ op: "remove", path: `/status/${pointerSegment(name)}` });
  }
  return operations;
}
