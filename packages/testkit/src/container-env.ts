/**
 * A container's environment and command line as the kubelet builds them: `$(VAR)` expansion,
 * `env` (values, secretKeyRef, configMapKeyRef, fieldRef) and `envFrom`. Pure: the ConfigMaps and
 * Secrets come from the caller, so the test server (its store) and a runner against a real API
 * server (objects fetched first, see {@link containerEnvSources}) resolve the same way.
 */
import { Buffer } from "node:buffer";
import { isJsonObject, type JsonObject } from "./json-value";
import { metaString, metadataOf } from "./kube-object";

/** Expands `$(VAR)` references like the kubelet: unknown ones stay as written, `$$` escapes `$`. */
export function expandKubeVars(text: string, env: Readonly<Record<string, string>>): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "$" || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const close = text.indexOf(")", i + 2);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      const name = text.slice(i + 2, close);
      out += Object.prototype.hasOwnProperty.call(env, name) ? env[name] : text.slice(i, close + 1);
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/** The kinds of object a container's environment can be read from. */
export const EnvSourceKind = { ConfigMap: "ConfigMap", Secret: "Secret" } as const;
export type EnvSourceKind = (typeof EnvSourceKind)[keyof typeof EnvSourceKind];

/** A ConfigMap or Secret (in the pod's namespace) that a container's environment names. */
export interface EnvSourceRef {
  kind: EnvSourceKind;
  name: string;
}

/** Where {@link resolveContainerEnv} reads what the pod spec refers to. */
export interface ContainerEnvContext {
  /** The ConfigMap or Secret of that name in the pod's namespace, or undefined when there is none. */
  lookup(kind: EnvSourceKind, name: string): JsonObject | undefined;
  /** Variables set before the container's own (the cluster's service variables, KUBECONFIG). */
  base?: Readonly<Record<string, string>>;
  /** What `fieldRef: spec.nodeName` reads. */
  nodeName: string;
}

/**
 * The container could not be configured (a missing ConfigMap, Secret or key, an unsupported
 * fieldRef); the kubelet reports it as `CreateContainerConfigError`.
 */
export class ContainerConfigError extends Error {
  override readonly name = "ContainerConfigError";
  readonly code = "CreateContainerConfigError" as const;
}

const objects = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isJsonObject) : []);

/** The ConfigMaps and Secrets a container's `env` and `envFrom` name, each once. */
export function containerEnvSources(container: JsonObject): EnvSourceRef[] {
  const refs = new Map<string, EnvSourceRef>();
  const add = (kind: EnvSourceKind, ref: unknown) => {
    if (isJsonObject(ref) && typeof ref.name === "string") refs.set(`${kind}/${ref.name}`, { kind, name: ref.name });
  };
  for (const source of objects(container.envFrom)) {
    add(EnvSourceKind.ConfigMap, source.configMapRef);
    add(EnvSourceKind.Secret, source.secretRef);
  }
  for (const item of objects(container.env)) {
    const from = isJsonObject(item.valueFrom) ? item.valueFrom : {};
    add(EnvSourceKind.ConfigMap, from.configMapKeyRef);
    add(EnvSourceKind.Secret, from.secretKeyRef);
  }
  return [...refs.values()];
}

function dataOf(obj: JsonObject, kind: EnvSourceKind): Record<string, string> {
  const data = isJsonObject(obj.data) ? obj.data : {};
  const decode = (v: unknown) => (kind === EnvSourceKind.Secret ? Buffer.from(String(v), "base64").toString("utf8") : String(v));
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, decode(v)]));
}

function keyRef(pod: JsonObject, ref: JsonObject, kind: EnvSourceKind, context: ContainerEnvContext): string | undefined {
  const name = String(ref.name ?? "");
  const key = String(ref.key ?? "");
  const optional = ref.optional === true;
  const obj = context.lookup(kind, name);
  if (!obj) {
    if (optional) return undefined;
    throw new ContainerConfigError(`${kind.toLowerCase()} "${name}" not found`);
  }
  const value = dataOf(obj, kind)[key];
  if (value === undefined && !optional) throw new ContainerConfigError(`couldn't find key ${key} in ${kind} ${metaString(pod, "namespace")}/${name}`);
  return value;
}

function fieldRef(pod: JsonObject, path: string, nodeName: string): string {
  const meta = metadataOf(pod);
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) {
    const map = meta[keyed[1] ?? ""];
    return isJsonObject(map) ? String(map[keyed[2] ?? ""] ?? "") : "";
  }
  switch (path) {
    case "metadata.name":
    case "metadata.namespace":
    case "metadata.uid":
      return metaString(pod, path.slice("metadata.".length));
    case "spec.serviceAccountName":
      return isJsonObject(pod.spec) ? String(pod.spec.serviceAccountName ?? "default") : "default";
    case "spec.nodeName":
      return nodeName;
    case "status.podIP":
    case "status.hostIP":
      return "127.0.0.1";
    default:
      throw new ContainerConfigError(`unsupported fieldRef ${path}`);
  }
}

/**
 * The container's environment as the kubelet builds it: `base`, then `envFrom` (with prefixes),
 * then `env` in order (a value may reference earlier variables with `$(VAR)`). Throws
 * {@link ContainerConfigError} where the kubelet would refuse to start the container.
 */
export function resolveContainerEnv(pod: JsonObject, container: JsonObject, context: ContainerEnvContext): Record<string, string> {
  const env: Record<string, string> = { ...context.base };
  for (const source of objects(container.envFrom)) {
    const prefix = typeof source.prefix === "string" ? source.prefix : "";
    for (const [field, kind] of [
      ["configMapRef", EnvSourceKind.ConfigMap],
      ["secretRef", EnvSourceKind.Secret],
    ] as const) {
      const ref = source[field];
      if (!isJsonObject(ref)) continue;
      const obj = context.lookup(kind, String(ref.name ?? ""));
      if (!obj) {
        if (ref.optional === true) continue;
        throw new ContainerConfigError(`${kind.toLowerCase()} "${String(ref.name)}" not found`);
      }
      for (const [k, v] of Object.entries(dataOf(obj, kind))) env[`${prefix}${k}`] = v;
    }
  }
  for (const item of objects(container.env)) {
    const name = String(item.name ?? "");
    if (typeof item.value === "string") {
      env[name] = expandKubeVars(item.value, env);
      continue;
    }
    const from = isJsonObject(item.valueFrom) ? item.valueFrom : undefined;
    if (!from) {
      env[name] = "";
      continue;
    }
    let value: string | undefined;
    if (isJsonObject(from.secretKeyRef)) value = keyRef(pod, from.secretKeyRef, EnvSourceKind.Secret, context);
    else if (isJsonObject(from.configMapKeyRef)) value = keyRef(pod, from.configMapKeyRef, EnvSourceKind.ConfigMap, context);
    else if (isJsonObject(from.fieldRef)) value = fieldRef(pod, String(from.fieldRef.fieldPath ?? ""), context.nodeName);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The container's `command` + `args` with `$(VAR)` expanded from `env`; empty when the image's entrypoint would run. */
export function containerArgv(container: JsonObject, env: Readonly<Record<string, string>>): string[] {
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return [...strings(container.command), ...strings(container.args)].map((a) => expandKubeVars(a, env));
}
