import { createHash } from "node:crypto";
import { isMap, isSeq, parseAllDocuments, type Document, type ToStringOptions } from "yaml";
import { parseDocuments } from "@iter8ts/types";
import { jsonEqual } from "@iter8ts/resources";
import type { DocumentFiles } from "./document-files";
import { editDocumentText, isJsonDocument, rewriteJsonDocument } from "./edit-document-text";
import { carryNodeLayout, restoreLineLayout } from "./keep-layout";
import { LocalRunError, LocalRunErrorCode } from "./local-run-error";

/** Which object: `kind`, `namespace` (absent means `default`), `name`, and `apiVersion` when it matters. */
export interface ObjectMatch {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** One object found in the files. */
export interface LocalObject {
  /** The file holding it, as given. */
  file: string;
  /** 1-based line where it starts. */
  line: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** `metadata.namespace`, or `default` when the document has none. */
  namespace: string;
  /** The object as JSON, exactly as in the file. */
  value: Record<string, unknown>;
  /**
   * A version of the object's content (a hash): it changes whenever anything in the object
   * changes, whoever changed it, so a write guarded by it never overwrites an edit it did not see.
   */
  version: string;
}

/** The outcome of {@link LocalDocuments.update}. */
export type UpdateResult =
  | { kind: "written"; object: LocalObject }
  | { kind: "conflict" }
  | { kind: "notFound" };

type Segment = string | number;

/** A parsed file: its YAML documents, where each starts and ends in the text, and the objects in it. */
interface ParsedFile {
  text: string;
  documents: Document.Parsed[];
  /** Each document's value (its `toJS()`). */
  values: unknown[];
  /** [start, end) of each document's text; the first starts at 0 and the last ends at the end. */
  spans: Array<[number, number]>;
  entries: Array<{ document: number; base: Segment[]; object: LocalObject }>;
  style: ToStringOptions;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The content version of an object: a short hash of its JSON. */
export function contentVersion(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/** `Kind namespace/name`, for messages. */
export function describeMatch(match: ObjectMatch): string {
  return `${match.kind} ${match.namespace || "default"}/${match.name}`;
}

function identity(object: LocalObject): string {
  return JSON.stringify([object.apiVersion, object.kind, object.namespace, object.name]);
}

function matches(object: LocalObject, match: ObjectMatch): boolean {
  return (
    object.kind === match.kind &&
    object.name === match.name &&
    object.namespace === (match.namespace || "default") &&
    (match.apiVersion === undefined || match.apiVersion === "" || object.apiVersion === match.apiVersion)
  );
}

/**
 * The file's style, for the YAML written into it: the indentation of a nested map, block
 * sequences indented or not under their key, padding inside flow collections, and no folding
 * of long lines.
 */
function detectStyle(text: string): ToStringOptions {
  const lines = text.split("\n");
  let indent: number | undefined;
  let seqOffset: number | undefined;
  for (let i = 0; i < lines.length - 1 && (indent === undefined || seqOffset === undefined); i++) {
    const parent = /^(\s*)[^\s#-][^:]*:\s*(#.*)?$/.exec(lines[i] ?? "");
    if (!parent) continue;
    let j = i + 1;
    while (j < lines.length && /^\s*(#.*)?$/.test(lines[j] ?? "")) j++;
    const child = /^(\s*)(- )?/.exec(lines[j] ?? "");
    const offset = (child?.[1] ?? "").length - (parent[1] ?? "").length;
    if (child?.[2]) seqOffset ??= offset;
    else if (offset > 0) indent ??= offset;
  }
  indent ??= 2;
  // The yaml library puts an unindented sequence's `- ` two columns in from its key.
  const indentSeq = seqOffset !== undefined && seqOffset >= indent;
  const flowCollectionPadding = /[[{] \S/.test(text) || !/[[{][^\s\]}]/.test(text);
  return { indent, indentSeq, flowCollectionPadding, lineWidth: 0 };
}

/** Makes the YAML node at `path` hold `after`, changing only what differs from `before`, so comments elsewhere survive. */
function syncNode(doc: Document, path: Segment[], before: unknown, after: unknown): void {
  if (jsonEqual(before, after)) return;
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isRecord(before) && isRecord(after) && isMap(node)) {
    for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) doc.deleteIn([...path, key]);
    for (const [key, value] of Object.entries(after)) {
      if (Object.hasOwn(before, key)) syncNode(doc, [...path, key], before[key], value);
      else doc.setIn([...path, key], value);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && isSeq(node)) {
    after.forEach((value, i) => syncNode(doc, [...path, i], before[i], value));
    return;
  }
  if (path.length === 0) doc.contents = doc.createNode(after) as typeof doc.contents;
  else doc.setIn(path, after);
}

/**
 * The file's text with one YAML document re-printed by the yaml library, which keeps its comments
 * but normalises its layout: the fallback for changes a splice cannot express. The lines the
 * change did not touch then get their own spacing back (flow padding, spaces before comments,
 * `restoreLineLayout`). Edits the parsed document in place.
 */
function reprintYaml(file: ParsedFile, index: number, base: Segment[], before: Record<string, unknown>, next: Record<string, unknown>): string {
  const document = file.documents[index] as Document.Parsed;
  syncNode(document, base, before, next);
  const edited: unknown = document.toJS();
  const written = base.length === 0 ? edited : (edited as { items?: unknown[] } | undefined)?.items?.[base[1] as number];
  if (!jsonEqual(written, next)) {
    // The node-by-node edit could not express the change (anchors, odd layouts): write the
    // document afresh rather than write something else than asked.
    const whole = base.length === 0 ? next : { ...(edited as object), items: (edited as { items: unknown[] }).items.map((item, i) => (i === base[1] ? next : item)) };
    const fresh = document.createNode(whole);
    carryNodeLayout(document.contents, fresh);
    document.contents = fresh as typeof document.contents;
  }
  const [start, end] = file.spans[index] as [number, number];
  return file.text.slice(0, start) + restoreLineLayout(file.text.slice(start, end), document.toString(file.style)) + file.text.slice(end);
}

/**
 * The documents of the files `iter8ctl run` works on: Experiments, Metrics, Secrets and routing
 * objects (VirtualServices, Knative Services, SeldonDeployments, … — any kind). Reads always see
 * the files as they are now (another program, such as a finish action copying a routing file,
 * may have changed them). Writes re-read the file, check the object's content version, change
 * only that object's document (keeping comments and layout of the others), and replace the file
 * atomically. Writes to one file are serialised within the process.
 */
export class LocalDocuments {
  readonly #files: DocumentFiles;
  readonly #paths: readonly string[];
  readonly #cache = new Map<string, ParsedFile>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #notes: string[] = [];

  private constructor(files: DocumentFiles, paths: readonly string[]) {
    this.#files = files;
    this.#paths = paths;
  }

  /**
   * Reads and checks every file: YAML/JSON syntax, and Experiments, Metrics and Secrets against
   * the API. An object defined more than once (a Service and, in a later file, the same Service
   * with a traffic split) is taken from its last definition in the order of the paths, as
   * `kubectl apply -f` would leave it; {@link LocalDocuments.notes} says so.
   * @throws LocalRunError `read_failed` or `invalid_document`, listing every problem with its file and line.
   */
  static async open(files: DocumentFiles, paths: readonly string[]): Promise<LocalDocuments> {
    const documents = new LocalDocuments(files, paths);
    const problems: string[] = [];
    let code: LocalRunErrorCode = LocalRunErrorCode.InvalidDocument;
    for (const path of paths) {
      let text: string;
      try {
        text = await files.read(path);
      } catch (error) {
        problems.push(`${path}: cannot be read: ${(error as Error).message}`);
        code = LocalRunErrorCode.ReadFailed;
        continue;
      }
      for (const doc of parseDocuments(text)) {
        if (doc.result.ok) continue;
        const what = doc.kind ? `${doc.kind}${doc.name ? ` ${doc.name}` : ""}` : "document";
        for (const issue of doc.result.errors) problems.push(`${path}:${issue.line ?? doc.line}: ${what}: ${issue.path}: ${issue.message}`);
      }
      if (problems.length === 0) documents.#parse(path, text);
    }
    if (problems.length > 0) {
      throw new LocalRunError(code, `the documents given to iter8ctl run have ${problems.length} problem(s); correct them and run again`, problems);
    }
    const seen = new Map<string, LocalObject>();
    for (const object of documents.#cachedObjects()) {
      const other = seen.get(identity(object));
      if (other) {
        documents.#notes.push(
          `${describeMatch(object)} is defined in ${other.file}:${other.line} and again in ${object.file}:${object.line}; the later one is used, as kubectl apply -f would leave it`,
        );
      }
      seen.set(identity(object), object);
    }
    return documents;
  }

  /** What the reader should know about the files: objects defined more than once. */
  get notes(): readonly string[] {
    return this.#notes;
  }

  /** The files, as given. */
  get paths(): readonly string[] {
    return this.#paths;
  }

  #parse(path: string, text: string): ParsedFile {
    const cached = this.#cache.get(path);
    if (cached && cached.text === text) return cached;
    const documents = parseAllDocuments(text);
    const list = Array.isArray(documents) ? documents : [];
    const broken = list.find((d) => d.errors.length > 0);
    if (broken) {
      throw new LocalRunError(
        LocalRunErrorCode.InvalidDocument,
        `${path} is no longer valid YAML (${broken.errors[0]?.message.split("\n")[0]}); correct the file and the run continues`,
      );
    }
    const spans: Array<[number, number]> = list.map((d, i) => [i === 0 ? 0 : (d.range[0] as number), i === list.length - 1 ? text.length : (d.range[2] as number)]);
    const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
    const entries: ParsedFile["entries"] = [];
    const values: unknown[] = [];
    list.forEach((document, index) => {
      const value: unknown = document.toJS();
      values.push(value);
      const add = (item: unknown, base: Segment[], offset: number) => {
        if (!isRecord(item) || typeof item.kind !== "string") return;
        const metadata = isRecord(item.metadata) ? item.metadata : {};
        const name = typeof metadata.name === "string" ? metadata.name : "";
        const namespace = typeof metadata.namespace === "string" && metadata.namespace !== "" ? metadata.namespace : "default";
        entries.push({
          document: index,
          base,
          object: {
            file: path,
            line: lineOf(offset),
            apiVersion: typeof item.apiVersion === "string" ? item.apiVersion : "",
            kind: item.kind,
            name,
            namespace,
            value: item,
            version: contentVersion(item),
          },
        });
      };
      const contents = document.contents;
      if (isRecord(value) && typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
        const itemsNode = isMap(contents) ? contents.get("items", true) : undefined;
        value.items.forEach((item, i) => {
          const node = isSeq(itemsNode) ? itemsNode.items[i] : undefined;
          const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0] ?? document.range[0];
          add(item, ["items", i], offset);
        });
      } else {
        add(value, [], contents?.range?.[0] ?? document.range[0]);
      }
    });
    const parsed: ParsedFile = { text, documents: list, values, spans, entries, style: detectStyle(text) };
    this.#cache.set(path, parsed);
    return parsed;
  }

  #cachedObjects(): LocalObject[] {
    return this.#paths.flatMap((p) => this.#cache.get(p)?.entries.map((e) => e.object) ?? []);
  }

  async #read(path: string): Promise<ParsedFile> {
    let text: string;
    try {
      text = await this.#files.read(path);
    } catch (error) {
      throw new LocalRunError(LocalRunErrorCode.ReadFailed, `${path} cannot be read: ${(error as Error).message}`, [], { cause: error });
    }
    return this.#parse(path, text);
  }

  /**
   * Every object in the files, as they are now (copies); of an object defined more than once, its
   * last definition.
   * @throws LocalRunError when a file can no longer be read or parsed.
   */
  async objects(): Promise<LocalObject[]> {
    const all: LocalObject[] = [];
    for (const path of this.#paths) for (const entry of (await this.#read(path)).entries) all.push(entry.object);
    const last = new Map(all.map((o) => [identity(o), o]));
    return all.filter((o) => last.get(identity(o)) === o).map((o) => ({ ...o, value: structuredClone(o.value) }));
  }

  /** The objects matching `match` (more than one only when `apiVersion` was left out and kinds collide). */
  async find(match: ObjectMatch): Promise<LocalObject[]> {
    return (await this.objects()).filter((o) => matches(o, match));
  }

  async #locked<T>(path: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(path) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.#locks.set(path, tail);
    try {
      return await next;
    } finally {
      if (this.#locks.get(path) === tail) this.#locks.delete(path);
    }
  }

  /**
   * Changes one object: `change` gets a copy of the object as it is in the file now and returns
   * the new object. With `expectedVersion`, the change is made only if the object still has that
   * content version (otherwise `conflict`, and nothing is written).
   * @throws whatever `change` throws; LocalRunError `write_failed` when the file cannot be written.
   */
  async update(match: ObjectMatch, change: (value: Record<string, unknown>) => Record<string, unknown>, expectedVersion?: string): Promise<UpdateResult> {
    const found = await this.find(match);
    if (found.length === 0) return { kind: "notFound" };
    if (found.length > 1) {
      throw new LocalRunError(
        LocalRunErrorCode.AmbiguousObject,
        `${describeMatch(match)} is ambiguous: ${found.map((o) => `${o.apiVersion} (${o.file}:${o.line})`).join(", ")}; give its apiVersion`,
      );
    }
    const path = (found[0] as LocalObject).file;
    return this.#locked(path, async () => {
      const file = await this.#read(path);
      const entry = file.entries.findLast((e) => matches(e.object, match));
      if (!entry) return { kind: "notFound" } as const;
      if (expectedVersion !== undefined && entry.object.version !== expectedVersion) return { kind: "conflict" } as const;
      const next = change(structuredClone(entry.object.value));
      if (jsonEqual(next, entry.object.value)) return { kind: "written", object: { ...entry.object, value: structuredClone(entry.object.value) } } as const;
      // The fallback below edits the cached parse in place, so it is dropped now: the next read
      // parses what is on disk, whatever happens.
      this.#cache.delete(path);
      const document = file.documents[entry.document] as Document.Parsed;
      const before = file.values[entry.document];
      const whole = entry.base.length === 0 ? next : { ...(before as object), items: (before as { items: unknown[] }).items.map((item, i) => (i === entry.base[1] ? next : item)) };
      // Only the changed values are spliced into the text; when the result does not read back
      // as asked, the document is printed afresh instead (JSON stays JSON either way).
      let text = editDocumentText(file.text, document, before, whole, file.style);
      let reread = text === undefined ? undefined : this.#reparse(path, text, file, entry.document, whole);
      if (text === undefined || !reread) {
        text = isJsonDocument(document) ? rewriteJsonDocument(file.text, document, whole) : reprintYaml(file, entry.document, entry.base, entry.object.value, next);
        reread = this.#reparse(path, text, file, entry.document, whole);
      }
      try {
        await this.#files.write(path, text);
      } catch (error) {
        throw new LocalRunError(LocalRunErrorCode.WriteFailed, `${path} could not be written: ${(error as Error).message}; check that the folder is writable`, [], {
          cause: error,
        });
      }
      // As the file now has it (key order included), so the version matches the next read's.
      const object = reread?.entries.findLast((e) => matches(e.object, match))?.object ?? { ...entry.object, value: next, version: contentVersion(next) };
      return { kind: "written", object: { ...object, value: structuredClone(object.value) } } as const;
    });
  }

  /**
   * The parse of a text about to be written, if it holds what was asked for: the same number
   * of documents, the changed one with the value `whole`, and a JSON document still strict JSON.
   * It becomes the cached parse, so the next read does not parse the file again.
   */
  #reparse(path: string, text: string, original: ParsedFile, index: number, whole: unknown): ParsedFile | undefined {
    let parsed: ParsedFile;
    try {
      parsed = this.#parse(path, text);
    } catch {
      return undefined;
    }
    const document = parsed.documents[index];
    if (!document || parsed.documents.length !== original.documents.length || !jsonEqual(parsed.values[index], whole)) return undefined;
    if (isJsonDocument(document)) {
      const [start, end] = document.contents?.range ?? [0, 0];
      try {
        JSON.parse(text.slice(start, end));
      } catch {
        return undefined;
      }
    }
    return parsed;
  }
}
