/**
 * RFC 6902 JSON Patch (`application/json-patch+json`). A patch the server cannot decode is a 400;
 * one that decodes but does not apply (a failed `test`, a missing path) is a 422, as with the API
 * server's json-patch library.
 */
import { deepEqual, deepClone } from "./json-value";

/** Why a patch was refused: `Malformed` (HTTP 400) or `NotApplicable` (HTTP 422). */
export const PatchErrorCode = {
  Malformed: "Malformed",
  NotApplicable: "NotApplicable",
} as const;
export type PatchErrorCode = (typeof PatchErrorCode)[keyof typeof PatchErrorCode];

/** A patch that is malformed or does not apply to the current object. */
export class PatchError extends Error {
  override readonly name = "PatchError";
  readonly code: PatchErrorCode;
  /** The JSON pointer the failing operation named, when there is one. */
  readonly path: string | undefined;

  constructor(code: PatchErrorCode, message: string, path?: string) {
    super(message);
    this.code = code;
    this.path = path;
  }
}

/** One JSON Patch operation. */
export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: unknown;
}

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

/** Checks the shape of a decoded body; throws a `Malformed` {@link PatchError}. */
export function decodeJsonPatch(body: unknown): JsonPatchOperation[] {
  if (!Array.isArray(body)) {
    throw new PatchError(PatchErrorCode.Malformed, "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  }
  return body.map((op, i) => {
    if (op === null || typeof op !== "object" || Array.isArray(op)) {
      throw new PatchError(PatchErrorCode.Malformed, `json patch operation ${i} is not an object`);
    }
    const o = op as Record<string, unknown>;
    if (typeof o.op !== "string") throw new PatchError(PatchErrorCode.Malformed, `json patch operation ${i} has no "op"`);
    if (typeof o.path !== "string") throw new PatchError(PatchErrorCode.Malformed, `json patch operation ${i} has no "path"`);
    if (!OPS.has(o.op)) throw new PatchError(PatchErrorCode.NotApplicable, `Unexpected kind: ${o.op}`, o.path);
    if ((o.op === "move" || o.op === "copy") && typeof o.from !== "string") {
      throw new PatchError(PatchErrorCode.NotApplicable, `${o.op} operation does not apply: missing "from"`, o.path);
    }
    if ((o.op === "add" || o.op === "replace" || o.op === "test") && !("value" in o)) {
      throw new PatchError(PatchErrorCode.NotApplicable, `${o.op} operation does not apply: missing value`, o.path);
    }
    return o as unknown as JsonPatchOperation;
  });
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new PatchError(PatchErrorCode.NotApplicable, `JSON pointer must be empty or start with a "/": ${pointer}`, pointer);
  }
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === "object";
}

/** Walks to the parent of the last token; undefined when a step is missing. */
function parentOf(doc: unknown, tokens: string[]): Container | undefined {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length - 1);
      cur = cur[i];
    } else if (isContainer(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
      cur = (cur as Record<string, unknown>)[t];
    } else {
      return undefined;
    }
  }
  return isContainer(cur) ? cur : undefined;
}

function arrayIndex(token: string, max: number): number {
  if (!/^(0|[1-9]\d*)$/.test(token)) {
    throw new PatchError(PatchErrorCode.NotApplicable, `Unable to access invalid index: ${token}: invalid index referenced`);
  }
  const i = Number(token);
  if (i > max) throw new PatchError(PatchErrorCode.NotApplicable, `Unable to access invalid index: ${i}: invalid index referenced`);
  return i;
}

function getAt(doc: unknown, pointer: string): { found: boolean; value: unknown } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return { found: true, value: doc };
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1] ?? "";
  if (parent === undefined) return { found: false, value: undefined };
  if (Array.isArray(parent)) {
    if (!/^(0|[1-9]\d*)$/.test(last) || Number(last) >= parent.length) return { found: false, value: undefined };
    return { found: true, value: parent[Number(last)] };
  }
  if (!Object.prototype.hasOwnProperty.call(parent, last)) return { found: false, value: undefined };
  return { found: true, value: parent[last] };
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1] ?? "";
  if (parent === undefined) {
    throw new PatchError(PatchErrorCode.NotApplicable, `add operation does not apply: doc is missing path: "${pointer}": missing value`, pointer);
  }
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : arrayIndex(last, parent.length);
    parent.splice(i, 0, value);
  } else {
    parent[last] = value;
  }
  return doc;
}

function remove(doc: unknown, pointer: string, op: string): unknown {
  const tokens = parsePointer(pointer);
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1] ?? "";
  if (parent === undefined || tokens.length === 0) {
    throw new PatchError(PatchErrorCode.NotApplicable, `${op} operation does not apply: doc is missing path: "${pointer}": missing value`, pointer);
  }
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length - 1);
    parent.splice(i, 1);
  } else {
    if (!Object.prototype.hasOwnProperty.call(parent, last)) {
      throw new PatchError(PatchErrorCode.NotApplicable, `Unable to remove nonexistent key: ${last}: missing value`, pointer);
    }
    delete parent[last];
  }
  return doc;
}

/**
 * Applies `ops` to a copy of `doc` and returns the result. Throws {@link PatchError} when an
 * operation does not apply; the input is never modified.
 */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOperation[]): unknown {
  let out = deepClone(doc);
  for (const op of ops) {
    switch (op.op) {
      case "add":
        out = add(out, op.path, deepClone(op.value));
        break;
      case "remove":
        out = remove(out, op.path, "remove");
        break;
      case "replace": {
        if (!getAt(out, op.path).found) {
          throw new PatchError(PatchErrorCode.NotApplicable, `replace operation does not apply: doc is missing key: ${op.path}: missing value`, op.path);
        }
        if (op.path === "") {
          out = deepClone(op.value);
        } else {
          out = remove(out, op.path, "replace");
          out = add(out, op.path, deepClone(op.value));
        }
        break;
      }
      case "move":
      case "copy": {
        const from = op.from ?? "";
        const source = getAt(out, from);
        if (!source.found) {
          throw new PatchError(PatchErrorCode.NotApplicable, `${op.op} operation does not apply: doc is missing from path: ${from}: missing value`, from);
        }
        const value = deepClone(source.value);
        if (op.op === "move") out = remove(out, from, "move");
        out = add(out, op.path, value);
        break;
      }
      case "test": {
        const at = getAt(out, op.path);
        // A missing member tests equal to null, as in the API server's patch library.
        const have = at.found ? at.value : null;
        if (!deepEqual(have, op.value ?? null)) {
          throw new PatchError(PatchErrorCode.NotApplicable, `testing value ${op.path} failed: test failed`, op.path);
        }
        break;
      }
    }
  }
  return out;
}
