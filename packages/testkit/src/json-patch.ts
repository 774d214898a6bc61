/**
 * RFC 6902 JSON Patch (`application/json-patch+json`). A patch the server cannot decode is a 400;
 * one that decodes but does not apply (a failed `test`, a missing path, an unknown op) is a 422,
 * as with the API server's json-patch library.
 *
 * Deliberately not `applyJsonPatch` of @iter8ts/resources: this one is the test server's, written
 * to the API server's library (evanphx/json-patch), and is the independent oracle the product's
 * implementation is checked against. A bug shared by both could not be seen; keep them apart.
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
  op: string;
  path?: string;
  from?: string;
  value?: unknown;
}

function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value === "object" ? "object" : typeof value;
}

/**
 * Checks the shape of a decoded body; throws a `Malformed` {@link PatchError} with the API
 * server's words. Under `fieldValidation` Strict or Warn (the default) the server decodes the
 * operations strictly first, which words the failure differently than under Ignore.
 */
export function decodeJsonPatch(body: unknown, strictDecoding = true): JsonPatchOperation[] {
  const refuse = (what: unknown, into: string) => {
    const go = strictDecoding ? `[]handlers.jsonPatchOp` : "jsonpatch.Patch";
    const target = into === "list" ? go : strictDecoding ? "handlers.jsonPatchOp" : "jsonpatch.Operation";
    const text = `json: cannot unmarshal ${jsonTypeName(what)} into Go value of type ${target}`;
    return new PatchError(PatchErrorCode.Malformed, strictDecoding ? `error decoding patch: ${text}` : text);
  };
  if (!Array.isArray(body)) throw refuse(body, "list");
  return body.map((op) => {
    if (op === null || typeof op !== "object" || Array.isArray(op)) throw refuse(op, "item");
    return op as JsonPatchOperation;
  });
}

/** The tokens of a pointer; undefined when it is not one (the library then finds no such path). */
function parsePointer(pointer: string | undefined): string[] | undefined {
  if (pointer === undefined) return undefined;
  const parts = pointer.split("/");
  if (parts.length < 2) return undefined;
  return parts.slice(1).map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === "object";
}

const notApplicable = (message: string, path?: string) => new PatchError(PatchErrorCode.NotApplicable, message, path);

/** An array index as the library reads it: Go's Atoi, negative counting from the end. */
function index(token: string, length: number, forAdd: boolean): number {
  if (!/^[+-]?\d+$/.test(token)) throw notApplicable(`value was not a proper array index: '${token}'`);
  let i = Number(token);
  const size = forAdd ? length + 1 : length;
  if (i < 0) {
    if (i < -size) throw notApplicable(`Unable to access invalid index: ${i}: invalid index referenced`);
    i += size;
  }
  if (i >= size) throw notApplicable(`Unable to access invalid index: ${i}: invalid index referenced`);
  return i;
}

/** The container holding the last token, or undefined when a step on the way is missing. */
function containerOf(doc: unknown, tokens: readonly string[]): Container | undefined {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      try {
        cur = cur[index(t, cur.length, false)];
      } catch {
        return undefined;
      }
    } else if (isContainer(cur)) {
      cur = Object.prototype.hasOwnProperty.call(cur, t) ? (cur as Record<string, unknown>)[t] : undefined;
    } else {
      return undefined;
    }
    if (cur === undefined || cur === null) return undefined;
  }
  return isContainer(cur) ? cur : undefined;
}

/** A member's value: undefined when an object has no such key; an array index must exist. */
function getIn(container: Container, key: string): unknown {
  if (Array.isArray(container)) return container[index(key, container.length, false)];
  return Object.prototype.hasOwnProperty.call(container, key) ? container[key] : undefined;
}

function addIn(container: Container, key: string, value: unknown): void {
  if (Array.isArray(container)) container.splice(key === "-" ? container.length : index(key, container.length, true), 0, value);
  else container[key] = value;
}

function removeIn(container: Container, key: string): unknown {
  if (Array.isArray(container)) return container.splice(index(key, container.length, false), 1)[0];
  if (!Object.prototype.hasOwnProperty.call(container, key)) throw notApplicable(`Unable to remove nonexistent key: ${key}: missing value`);
  const value = container[key];
  delete container[key];
  return value;
}

function locate(doc: unknown, pointer: string | undefined, what: string): { container: Container; key: string } {
  const tokens = parsePointer(pointer);
  const container = tokens === undefined ? undefined : containerOf(doc, tokens);
  if (tokens === undefined || container === undefined) throw notApplicable(`${what} does not apply: doc is missing path: ${pointer ?? ""}: missing value`, pointer);
  return { container, key: tokens[tokens.length - 1] ?? "" };
}

/**
 * Applies `ops` to a copy of `doc` and returns the result, with the semantics of the API server's
 * library (gopkg.in/evanphx/json-patch.v4): `replace` of a missing object member sets it, `test`
 * of a missing member holds only for `null`, negative array indices count from the end. Throws
 * {@link PatchError} when an operation does not apply; the input is never modified.
 */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOperation[]): unknown {
  let out = deepClone(doc);
  for (const op of ops) {
    // A missing "value" is JSON null to the library.
    const value = op.value === undefined ? null : deepClone(op.value);
    switch (op.op) {
      case "add": {
        const { container, key } = locate(out, op.path, "add operation");
        addIn(container, key, value);
        break;
      }
      case "remove": {
        const { container, key } = locate(out, op.path, "remove operation");
        removeIn(container, key);
        break;
      }
      case "replace": {
        if (op.path === "") {
          if (!isContainer(value)) throw notApplicable("replace operation value must be object or array");
          out = value;
          break;
        }
        const { container, key } = locate(out, op.path, "replace operation");
        if (Array.isArray(container)) container[index(key, container.length, false)] = value;
        else container[key] = value;
        break;
      }
      case "move":
      case "copy": {
        const source = locate(out, op.from, `${op.op} operation`);
        const moved = op.op === "move" ? removeIn(source.container, source.key) : deepClone(getIn(source.container, source.key));
        const target = locate(out, op.path, `${op.op} operation`);
        addIn(target.container, target.key, moved === undefined ? null : moved);
        break;
      }
      case "test": {
        let have: unknown;
        if (op.path === "") have = out;
        else {
          const { container, key } = locate(out, op.path, "test operation");
          have = getIn(container, key);
        }
        if (have === undefined ? value !== null : !deepEqual(have, value)) {
          throw notApplicable(`testing value ${op.path ?? ""} failed: test failed`, op.path);
        }
        break;
      }
      default:
        throw notApplicable(`Unexpected kind: ${op.op}`, op.path);
    }
  }
  return out;
}
