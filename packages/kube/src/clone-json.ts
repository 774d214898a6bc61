/**
 * A deep copy of JSON data (what `JSON.parse` returns: plain objects, arrays, strings, numbers,
 * booleans, null). For an object the API server sent it gives the same result as
 * `structuredClone`, at a fraction of the CPU (about a fifth for a 19 KB Experiment with 50
 * decisions): structuredClone serialises the whole value and reads it back, this walks it once.
 * A value that is not plain JSON data (a Date, a Map, a class instance) is handed to
 * `structuredClone`, so nothing is ever shared with the original.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const length = value.length;
    const copy = new Array<unknown>(length);
    for (let i = 0; i < length; i++) copy[i] = cloneJson(value[i]);
    return copy as T;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = cloneJson((value as Record<string, unknown>)[key]);
    // JSON.parse makes "__proto__" an ordinary key; an assignment would set the copy's prototype instead.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy as T;
}

/**
 * Drops `metadata.managedFields` (server-side apply's record of which manager owns which field)
 * from an object about to be kept in a cache: nothing in the controller reads it, and on a real
 * API server it is often the largest part of a small object's metadata. Changes the object given.
 */
export function withoutManagedFields<T>(object: T): T {
  const metadata = (object as { metadata?: { managedFields?: unknown } } | null)?.metadata;
  if (metadata && typeof metadata === "object" && "managedFields" in metadata) delete metadata.managedFields;
  return object;
}
