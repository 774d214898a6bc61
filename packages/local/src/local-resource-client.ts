import {
  applyJsonPatch,
  describeObject,
  JsonPatchError,
  LabelSelectorError,
  matchesLabelSelector,
  parseLabelSelector,
  ResourceError,
  type CallOptions,
  type JsonPatchOperation,
  type KubeObject,
  type LabelSelector,
  type ListQuery,
  type ObjectKey,
  type ObjectList,
  type ResourceClient,
} from "@iter8ts/resources";
import { contentVersion, type LocalDocuments, type LocalObject } from "./local-documents";
import { LocalRunError } from "./local-run-error";

function toKubeObject(object: LocalObject): KubeObject {
  const value = object.value as KubeObject;
  value.metadata = { ...(value.metadata ?? {}), name: object.name, namespace: object.namespace, resourceVersion: object.version };
  return value;
}

function asResourceError(error: unknown, what: string): ResourceError {
  if (error instanceof ResourceError) return error;
  const code = error instanceof LocalRunError && error.retryable ? "unavailable" : "invalid";
  return new ResourceError(code, `${what}: ${(error as Error).message}`, { cause: error });
}

/**
 * The `ResourceClient` of @iter8ts/resources over the documents of a local run, so that weight
 * patches land in the routing files on disk (where the demo's router, or any other program
 * following the file, picks them up) and readiness checks read the objects from the files.
 * `resourceVersion` is the content version of the object's document: a JSON Patch may `test`
 * it, and a patch planned from an older read fails as a `conflict`.
 */
export class LocalResourceClient implements ResourceClient {
  constructor(
    private readonly documents: LocalDocuments,
    /** Completes the "not found" message, e.g. with how to add the missing file. */
    private readonly notFoundHint = "add the file that defines it to the paths given to iter8ctl run",
  ) {}

  async #matching(key: ObjectKey): Promise<LocalObject> {
    let found: LocalObject[];
    try {
      found = await this.documents.find(key);
    } catch (error) {
      throw asResourceError(error, `${describeObject(key)} could not be read`);
    }
    if (found.length === 0) throw new ResourceError("not_found", `${describeObject(key)} is not among the documents (${this.documents.paths.join(", ")}); ${this.notFoundHint}`);
    if (found.length > 1) {
      throw new ResourceError("invalid", `${describeObject(key)} is ambiguous: ${found.map((o) => `${o.apiVersion} in ${o.file}`).join(", ")}; give its apiVersion`);
    }
    return found[0] as LocalObject;
  }

  async get(key: ObjectKey, options: CallOptions = {}): Promise<KubeObject> {
    options.signal?.throwIfAborted();
    return toKubeObject(await this.#matching(key));
  }

  async patch(key: ObjectKey, operations: readonly JsonPatchOperation[], options: CallOptions = {}): Promise<KubeObject> {
    options.signal?.throwIfAborted();
    const current = await this.#matching(key);
    const match = { apiVersion: current.apiVersion, kind: current.kind, namespace: current.namespace, name: current.name };
    let result;
    try {
      result = await this.documents.update(match, (value) => {
        const metadata = (value.metadata ?? {}) as Record<string, unknown>;
        const hadVersion = Object.hasOwn(metadata, "resourceVersion");
        const storedVersion = metadata.resourceVersion;
        // Patches see the content version as resourceVersion, as they would see the API server's.
        const seen = { ...value, metadata: { ...metadata, resourceVersion: contentVersion(value) } } as Record<string, unknown>;
        let next: Record<string, unknown>;
        try {
          next = applyJsonPatch(seen, operations);
        } catch (error) {
          const code = error instanceof JsonPatchError && error.code === "test_failed" ? "conflict" : "invalid";
          throw new ResourceError(code, `patch of ${describeObject(key)} rejected: ${(error as Error).message}`, { cause: error });
        }
        const nextMeta = (next.metadata ?? {}) as Record<string, unknown>;
        if (next.kind !== current.kind || next.apiVersion !== value.apiVersion || nextMeta.name !== metadata.name || nextMeta.namespace !== metadata.namespace) {
          throw new ResourceError("invalid", `patch of ${describeObject(key)} rejected: it may not change apiVersion, kind, namespace or name`);
        }
        if (nextMeta.resourceVersion !== contentVersion(value)) {
          throw new ResourceError("invalid", `patch of ${describeObject(key)} rejected: metadata.resourceVersion is kept by iter8ctl and cannot be patched`);
        }
        if (hadVersion) nextMeta.resourceVersion = storedVersion;
        else delete nextMeta.resourceVersion;
        return next;
      });
    } catch (error) {
      throw asResourceError(error, `${describeObject(key)} could not be patched`);
    }
    if (result.kind === "notFound") throw new ResourceError("not_found", `${describeObject(key)} disappeared from ${current.file} while it was being patched`);
    if (result.kind === "conflict") throw new ResourceError("conflict", `${describeObject(key)} changed while it was being patched`);
    return toKubeObject(result.object);
  }

  async list(query: ListQuery, options: CallOptions = {}): Promise<ObjectList> {
    options.signal?.throwIfAborted();
    let selector: LabelSelector;
    try {
      selector = parseLabelSelector(query.labelSelector);
    } catch (error) {
      if (!(error instanceof LabelSelectorError)) throw error;
      throw new ResourceError("invalid", `label selector ${JSON.stringify(query.labelSelector)}: ${error.message}`, { cause: error });
    }
    let objects: LocalObject[];
    try {
      objects = await this.documents.objects();
    } catch (error) {
      throw asResourceError(error, `${query.kind} objects could not be listed`);
    }
    const items = objects
      .filter(
        (o) =>
          o.kind === query.kind &&
          (query.apiVersion === undefined || o.apiVersion === query.apiVersion) &&
          (query.namespace === undefined || o.namespace === query.namespace) &&
          matchesLabelSelector(selector, (o.value.metadata as { labels?: Record<string, string> } | undefined)?.labels),
      )
      .map(toKubeObject);
    return { items, resourceVersion: contentVersion(items.map((i) => i.metadata.resourceVersion)) };
  }
}
