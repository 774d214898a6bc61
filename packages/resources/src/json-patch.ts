import type { JsonPatchOperation } from "./resource-client";

/** Why a JSON Patch could not be applied. */
export const JsonPatchErrorCode = {
  /** A `test` operation found a different value: the document changed. */
  TestFailed: "test_failed",
  /** A path (or `from`) names a location that does not exist. */
  PathNotFound: "path_not_found",
  /** The operation itself is malformed (bad pointer, unknown op, array index out of range). */
  InvalidOperation: "invalid_operation",
} as const;
export type JsonPatchErrorCode = (typeof JsonPatchErrorCode)[keyof typeof JsonPatchErrorCode];

/** A JSON Patch that does not apply; the message names the operation (by index) and the path. */
export class JsonPatchError extends Error {
  override readonly name = "JsonPatchError";
  constructor(
    readonly code: JsonPatchErrorCode,
    readonly operationIndex: number,
    message: string,
  ) {
    super(message);
  }
}

type Container = Record<string, unknown> | unknown[];

function parsePointer(pointer: string, index: number): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new JsonPatchError(JsonPatchErrorCode.InvalidOperation, index, `operation ${index}: ${JSON.stringify(pointer)} is not a JSON Pointer (it must start with '/')`);
  }
  return pointer
    .slice(1)
    .split("/")
    .map((token) => {
      if (/~[^01]|~$/.test(token)) {
        throw new JsonPatchError(JsonPatchErrorCode.InvalidOperation, index, `operation ${index}: ${JSON.stringify(pointer)} has a '~' not followed by 0 or 1`);
      }
      return token.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === "object";
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number | undefined {
  if (allowEnd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i < length || (allowEnd && i === length) ? i : undefined;
}

/** JSON equality: same types, same array order, same object members in any order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isContainer(a) && isContainer(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/**
 * Applies RFC 6902 operations to a copy of `document` and returns the copy; the input is never
 * modified, and a failing operation leaves nothing half-applied.
 *
 * @throws JsonPatchError naming the failing operation and path.
 */
export function applyJsonPatch<T>(document: T, operations: readonly JsonPatchOperation[]): T {
  // A wrapper lets operations on the root ("") use the same code as operations on members.
  const box: { root: unknown } = { root: structuredClone(document) };
  operations.forEach((operation, index) => applyOne(box, operation, index));
  return box.root as T;
}

function locate(box: { root: unknown }, pointer: string, index: number, opName: string): { parent: Container; key: string } {
  const tokens = parsePointer(pointer, index);
  let parent: Container = box as unknown as Record<string, unknown>;
  let key = "root";
  for (const [i, token] of tokens.entries()) {
    const current = read(parent, key);
    if (!current.found || !isContainer(current.value)) {
      const where = "/" + tokens.slice(0, i).join("/");
      throw new JsonPatchError(
        JsonPatchErrorCode.PathNotFound,
        index,
        `operation ${index} (${opName} ${pointer}): ${where === "/" ? "the document" : where} ${current.found ? "is not an object or array" : "does not exist"}`,
      );
    }
    parent = current.value;
    key = token;
  }
  return { parent, key };
}

function read(parent: Container, key: string): { found: boolean; value: unknown } {
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false);
    return i === undefined ? { found: false, value: undefined } : { found: true, value: parent[i] };
  }
  const found = Object.prototype.hasOwnProperty.call(parent, key);
  return { found, value: found ? parent[key] : undefined };
}

function applyOne(box: { root: unknown }, operation: JsonPatchOperation, index: number): void {
  const op = operation.op;
  const notFound = (pointer: string) =>
    new JsonPatchError(JsonPatchErrorCode.PathNotFound, index, `operation ${index} (${op} ${pointer}): nothing exists at ${pointer || "the root"}`);

  const remove = (pointer: string): unknown => {
    const { parent, key } = locate(box, pointer, index, op);
    const current = read(parent, key);
    if (!current.found) throw notFound(pointer);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
    return current.value;
  };
  const add = (pointer: string, value: unknown) => {
    const { parent, key } = locate(box, pointer, index, op);
    if (Array.isArray(parent)) {
      const i = arrayIndex(key, parent.length, true);
      if (i === undefined) {
        throw new JsonPatchError(JsonPatchErrorCode.InvalidOperation, index, `operation ${index} (${op} ${pointer}): index ${key} is outside the array of ${parent.length}`);
      }
      parent.splice(i, 0, value);
    } else {
      parent[key] = value;
    }
  };

  switch (op) {
    case "add":
      add(operation.path, structuredClone(operation.value));
      return;
    case "remove":
      remove(operation.path);
      return;
    case "replace": {
      const { parent, key } = locate(box, operation.path, index, op);
      if (!read(parent, key).found) throw notFound(operation.path);
      if (Array.isArray(parent)) parent[Number(key)] = structuredClone(operation.value);
      else parent[key] = structuredClone(operation.value);
      return;
    }
    case "test": {
      const { parent, key } = locate(box, operation.path, index, op);
      const current = read(parent, key);
      if (!current.found || !jsonEqual(current.value, operation.value)) {
        throw new JsonPatchError(
          JsonPatchErrorCode.TestFailed,
          index,
          `operation ${index} (test ${operation.path}): expected ${JSON.stringify(operation.value)}, found ${current.found ? JSON.stringify(current.value) : "nothing"}`,
        );
      }
      return;
    }
    case "move": {
      if (operation.path.startsWith(operation.from + "/")) {
        throw new JsonPatchError(JsonPatchErrorCode.InvalidOperation, index, `operation ${index} (move): cannot move ${operation.from} into its own child ${operation.path}`);
      }
      add(operation.path, remove(operation.from));
      return;
    }
    case "copy": {
      const { parent, key } = locate(box, operation.from, index, op);
      const current = read(parent, key);
      if (!current.found) throw notFound(operation.from);
      add(operation.path, structuredClone(current.value));
      return;
    }
    default:
      throw new JsonPatchError(JsonPatchErrorCode.InvalidOperation, index, `operation ${index}: unknown op ${JSON.stringify((operation as { op: unknown }).op)}`);
  }
}
