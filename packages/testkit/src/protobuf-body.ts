/**
 * Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which
 * kubectl's generator commands send for built-in kinds (`kubectl create namespace`, `configmap`,
 * `secret`, `serviceaccount`): the `k8s\0` envelope around a runtime.Unknown whose `raw` is the
 * object. Decoded into the JSON form for the kinds testkit's clients create this way; any other
 * kind is refused with 415 so the client can tell.
 */
import { Buffer } from "node:buffer";
import type { JsonObject } from "./json-value";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A protobuf body testkit cannot decode (not the envelope, or a kind it has no field table for). */
export class ProtobufBodyError extends Error {
  override readonly name = "ProtobufBodyError";
}

type Wire = { field: number; type: number; value: bigint | Buffer };

/** The fields of one message, in order (wire types 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
function fieldsOf(buf: Buffer): Wire[] {
  const out: Wire[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new ProtobufBodyError("truncated varint");
      const byte = buf[pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const field = tag >> 3;
    const type = tag & 7;
    if (type === 0) out.push({ field, type, value: varint() });
    else if (type === 2) {
      const length = Number(varint());
      if (pos + length > buf.length) throw new ProtobufBodyError("truncated field");
      out.push({ field, type, value: buf.subarray(pos, pos + length) });
      pos += length;
    } else if (type === 1 || type === 5) {
      const size = type === 1 ? 8 : 4;
      out.push({ field, type, value: buf.subarray(pos, pos + size) });
      pos += size;
    } else throw new ProtobufBodyError(`unsupported wire type ${type}`);
  }
  return out;
}

/** How to read one field: a scalar, a nested message, a map entry or a repeated value of either. */
type FieldSpec =
  | { name: string; kind: "string" | "bool" | "int" | "bytes"; repeated?: boolean }
  | { name: string; kind: "message"; message: MessageSpec; repeated?: boolean }
  | { name: string; kind: "map"; values: "string" | "bytes" }
  | { name: string; kind: "time" };
type MessageSpec = Record<number, FieldSpec>;

function scalar(kind: "string" | "bool" | "int" | "bytes", w: Wire): unknown {
  if (kind === "string") return (w.value as Buffer).toString("utf8");
  if (kind === "bytes") return (w.value as Buffer).toString("base64");
  if (kind === "bool") return w.value !== 0n;
  return Number(w.value as bigint);
}

function decode(buf: Buffer, spec: MessageSpec): JsonObject {
  const out: JsonObject = {};
  for (const w of fieldsOf(buf)) {
    const f = spec[w.field];
    if (!f) continue;
    let value: unknown;
    if (f.kind === "message") value = decode(w.value as Buffer, f.message);
    else if (f.kind === "map") {
      const entry = fieldsOf(w.value as Buffer);
      const k = entry.find((e) => e.field === 1);
      const v = entry.find((e) => e.field === 2);
      const map = (out[f.name] as JsonObject | undefined) ?? {};
      map[k ? scalar("string", k) as string : ""] = v ? scalar(f.values, v) : "";
      out[f.name] = map;
      continue;
    } else if (f.kind === "time") {
      const seconds = fieldsOf(w.value as Buffer).find((e) => e.field === 1);
      value = new Date(Number((seconds?.value as bigint | undefined) ?? 0n) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    } else value = scalar(f.kind, w);
    // Go leaves empty strings, zero numbers and zero times out of the JSON form (omitempty); so does this.
    if (value === "" || value === 0 || value === "1970-01-01T00:00:00Z") continue;
    if ("repeated" in f && f.repeated) out[f.name] = [...((out[f.name] as unknown[] | undefined) ?? []), value];
    else out[f.name] = value;
  }
  return out;
}

const OWNER_REFERENCE: MessageSpec = {
  1: { name: "kind", kind: "string" },
  3: { name: "name", kind: "string" },
  4: { name: "uid", kind: "string" },
  5: { name: "apiVersion", kind: "string" },
  6: { name: "controller", kind: "bool" },
  7: { name: "blockOwnerDeletion", kind: "bool" },
};

const OBJECT_META: MessageSpec = {
  1: { name: "name", kind: "string" },
  2: { name: "generateName", kind: "string" },
  3: { name: "namespace", kind: "string" },
  5: { name: "uid", kind: "string" },
  6: { name: "resourceVersion", kind: "string" },
  7: { name: "generation", kind: "int" },
  8: { name: "creationTimestamp", kind: "time" },
  11: { name: "labels", kind: "map", values: "string" },
  12: { name: "annotations", kind: "map", values: "string" },
  13: { name: "ownerReferences", kind: "message", message: OWNER_REFERENCE, repeated: true },
  14: { name: "finalizers", kind: "string", repeated: true },
};

const REFERENCE: MessageSpec = {
  1: { name: "kind", kind: "string" },
  2: { name: "namespace", kind: "string" },
  3: { name: "name", kind: "string" },
  4: { name: "uid", kind: "string" },
  5: { name: "apiVersion", kind: "string" },
};

/** The core/v1 kinds kubectl creates in protobuf, by kind. */
const KINDS: Record<string, MessageSpec> = {
  Namespace: { 1: { name: "metadata", kind: "message", message: OBJECT_META }, 2: { name: "spec", kind: "message", message: { 1: { name: "finalizers", kind: "string", repeated: true } } } },
  ConfigMap: {
    1: { name: "metadata", kind: "message", message: OBJECT_META },
    2: { name: "data", kind: "map", values: "string" },
    3: { name: "binaryData", kind: "map", values: "bytes" },
    4: { name: "immutable", kind: "bool" },
  },
  Secret: {
    1: { name: "metadata", kind: "message", message: OBJECT_META },
    2: { name: "data", kind: "map", values: "bytes" },
    3: { name: "type", kind: "string" },
    4: { name: "stringData", kind: "map", values: "string" },
    5: { name: "immutable", kind: "bool" },
  },
  ServiceAccount: {
    1: { name: "metadata", kind: "message", message: OBJECT_META },
    2: { name: "secrets", kind: "message", message: REFERENCE, repeated: true },
    3: { name: "imagePullSecrets", kind: "message", message: { 1: { name: "name", kind: "string" } }, repeated: true },
    4: { name: "automountServiceAccountToken", kind: "bool" },
  },
};

/** The kinds {@link decodeProtobufBody} reads. */
export const PROTOBUF_KINDS: readonly string[] = Object.keys(KINDS);

/**
 * Decodes a protobuf request body into the JSON object, with apiVersion and kind from its envelope.
 * @throws ProtobufBodyError when it is not the envelope or holds a kind testkit cannot read.
 */
export function decodeProtobufBody(body: Buffer): JsonObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw new ProtobufBodyError("the body does not start with the k8s protobuf envelope");
  const unknown = decode(body.subarray(MAGIC.length), {
    1: { name: "typeMeta", kind: "message", message: { 1: { name: "apiVersion", kind: "string" }, 2: { name: "kind", kind: "string" } } },
    2: { name: "raw", kind: "bytes" },
  });
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const spec = typeMeta.apiVersion === "v1" && typeMeta.kind !== undefined ? KINDS[typeMeta.kind] : undefined;
  if (!spec) throw new ProtobufBodyError(`testkit decodes protobuf bodies of ${PROTOBUF_KINDS.join(", ")} (v1) only, not ${typeMeta.kind ?? "?"} in ${typeMeta.apiVersion ?? "?"}`);
  const raw = Buffer.from(String(unknown.raw ?? ""), "base64");
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decode(raw, spec) } as JsonObject;
}
