import { Document, isCollection, isMap, isPair, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Node, type ToStringOptions } from "yaml";
import { jsonEqual } from "@iter8ts/resources";

/**
 * Writing a changed object back into the text it was read from, touching only what changed.
 *
 * Why text splicing rather than `Document.toString()`: the `yaml` library re-prints a whole
 * document from its nodes, so it collapses the spacing before comments, re-pads flow sequences
 * (`[a, b]` → `[ a, b ]`), re-indents to its own width, and prints a JSON document's new
 * fields in YAML flow style — which is how a `.json` experiment stopped being JSON. Here every
 * node keeps its source range, so the edit replaces just the text of the values that differ,
 * inserts new keys after the last one, and removes the lines of deleted keys; the bytes
 * between them are never re-printed. New text is printed in the document's own language:
 * `JSON.stringify` with the document's indentation for a JSON document (one whose content
 * starts with `{` or `[`), the `yaml` library with the file's style for YAML.
 *
 * The splice is not trusted blindly: the caller re-parses the result and compares it with what
 * was asked for, and falls back to re-printing the document when a layout is beyond it
 * (anchors shared with other nodes, explicit keys, …).
 */

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Where a YAML node sits, which decides how a replacement is printed. */
type Slot = { kind: "root" } | { kind: "pair"; key: Node } | { kind: "item" };

interface Context {
  text: string;
  edits: Edit[];
  /** For JSON documents: `JSON.stringify`'s indentation (undefined: all on one line). */
  indent: string | undefined;
  style: ToStringOptions;
}

/** A layout this splice does not handle; the caller re-prints the document instead. */
class CannotSplice extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rangeOf(node: unknown): [number, number, number] {
  const range = (node as Node | null | undefined)?.range;
  if (!range) throw new CannotSplice();
  return range;
}

const lineStart = (text: string, at: number) => text.lastIndexOf("\n", at - 1) + 1;

function lineEnd(text: string, at: number): number {
  const end = text.indexOf("\n", at);
  return end === -1 ? text.length : end;
}

/** The whitespace that starts the line holding `at`. */
const lineIndent = (text: string, at: number) => /^[ \t]*/.exec(text.slice(lineStart(text, at), at))?.[0] ?? "";

/** Indents every line after the first by `prefix`; empty lines get no trailing whitespace. */
const indentRest = (fragment: string, prefix: string) => fragment.replace(/\n(?=[^\n])/g, `\n${prefix}`);

/**
 * Where a node's own text ends: a block collection's range runs on over the comments and blank
 * lines after it, and a block scalar's over its final line break, neither of which belongs to
 * the value being replaced.
 */
function contentEnd(text: string, node: unknown): number {
  if (isCollection(node) && !node.flow) {
    const last: unknown = node.items.at(-1);
    const inner = isPair(last) ? (last.value ?? last.key) : last;
    if (inner) return contentEnd(text, inner);
  }
  const [start, end] = rangeOf(node);
  let at = end;
  while (at > start && /\s/.test(text[at - 1] ?? "")) at--;
  return at;
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** Whether the map's keys are the object's (a merge key `<<` or a complex key is not). */
function sameKeys(map: YAMLMap, value: Record<string, unknown>): map is YAMLMap<Scalar, unknown> {
  const keys = map.items.map(keyOf);
  return keys.length === Object.keys(value).length && keys.every((k) => k !== undefined && Object.hasOwn(value, k));
}

function editJson(ctx: Context, node: unknown, before: unknown, after: unknown): void {
  if (jsonEqual(before, after)) return;
  const { text, edits, indent } = ctx;
  if (isMap(node) && isRecord(before) && isRecord(after) && sameKeys(node, before)) {
    const pairs = node.items;
    const kept = pairs.map((p) => Object.hasOwn(after, keyOf(p) as string));
    const firstKept = kept.indexOf(true);
    const lastKept = kept.lastIndexOf(true);
    const added = Object.keys(after).filter((k) => !Object.hasOwn(before, k));
    const lastPair = pairs[lastKept];
    // A new key goes on a line of its own, which an object written on one line inside a
    // multi-line file does not have: such an object is printed afresh.
    const inline = lastPair !== undefined && indent !== undefined && lineStart(text, rangeOf(lastPair.key)[0]) <= rangeOf(node)[0];
    if (lastPair && !(inline && added.length > 0)) {
      pairs.forEach((pair, i) => {
        const key = keyOf(pair) as string;
        if (kept[i]) editJson(ctx, pair.value, before[key], after[key]);
        // A dropped key takes the comma before it, or (when first) the one after it.
        else if (i > firstKept) edits.push({ start: rangeOf(pairs[i - 1]?.value)[1], end: rangeOf(pair.value)[1], text: "" });
        else edits.push({ start: rangeOf(pair.key)[0], end: rangeOf(pairs[i + 1]?.key)[0], text: "" });
      });
      if (added.length > 0) {
        const pad = lineIndent(text, rangeOf(lastPair.key)[0]);
        const at = rangeOf(lastPair.value)[1];
        const fields = added.map((k) =>
          indent === undefined ? `,${JSON.stringify(k)}:${JSON.stringify(after[k])}` : `,\n${pad}${JSON.stringify(k)}: ${indentRest(JSON.stringify(after[k], null, indent), pad)}`,
        );
        edits.push({ start: at, end: at, text: fields.join("") });
      }
      return;
    }
  }
  if (isSeq(node) && Array.isArray(before) && Array.isArray(after) && before.length === after.length && node.items.length === after.length) {
    node.items.forEach((item, i) => editJson(ctx, item, before[i], after[i]));
    return;
  }
  const [start, end] = rangeOf(node);
  edits.push({ start, end, text: indentRest(JSON.stringify(after, null, indent), lineIndent(text, start)) });
}

/** Prints `value` as YAML in the given slot: `k: …` for a pair, `- …` for an item. */
function printYaml(slot: Slot["kind"], value: unknown, style: ToStringOptions, like?: Node): string {
  const doc = new Document();
  const node = doc.createNode(value);
  // A non-empty flow collection stays flow, and a quoted string stays quoted the same way.
  if (isCollection(like) && like.flow && like.items.length > 0 && isCollection(node)) node.flow = true;
  if (isScalar(like) && typeof like.value === "string" && (like.type === Scalar.QUOTE_DOUBLE || like.type === Scalar.QUOTE_SINGLE) && isScalar(node) && typeof node.value === "string") {
    node.type = like.type;
  }
  if (slot === "pair") doc.contents = new YAMLMap(doc.schema);
  if (slot === "item") doc.contents = new YAMLSeq(doc.schema);
  if (isMap(doc.contents)) doc.contents.items.push(new Pair(new Scalar("k"), node));
  else if (isSeq(doc.contents)) doc.contents.items.push(node);
  else doc.contents = node;
  return doc.toString(style).replace(/\n$/, "");
}

function replaceYaml(ctx: Context, node: unknown, slot: Slot, after: unknown): number {
  const { text, edits, style } = ctx;
  const [start] = rangeOf(node);
  const like = node as Node;
  const padded = isCollection(like) && like.flow ? text[start + 1] === " " : style.flowCollectionPadding;
  const printed = printYaml(slot.kind, after, { ...style, flowCollectionPadding: padded }, like);
  const end = contentEnd(text, node);
  switch (slot.kind) {
    case "pair": {
      // From the end of the key, so that `key:` and its value (inline or on the next lines) are
      // printed together; the key itself is left as written.
      const [keyStart, keyEnd] = rangeOf(slot.key);
      edits.push({ start: keyEnd, end, text: indentRest(printed.slice("k".length), " ".repeat(keyStart - lineStart(text, keyStart))) });
      return end;
    }
    case "item": {
      const shift = start - lineStart(text, start) - "- ".length;
      if (shift < 0) throw new CannotSplice();
      edits.push({ start, end, text: indentRest(printed.slice("- ".length), " ".repeat(shift)) });
      return end;
    }
    case "root":
      edits.push({ start, end, text: indentRest(printed, " ".repeat(start - lineStart(text, start))) });
      return end;
  }
}

/**
 * Adds the edits that make `node` hold `after`; returns where its content will end (in the
 * original text), after which a parent map's new keys go: not inside lines being dropped.
 */
function editYaml(ctx: Context, node: unknown, slot: Slot, before: unknown, after: unknown): number {
  const { text, edits, style } = ctx;
  if (jsonEqual(before, after)) return contentEnd(text, node);
  if (isMap(node) && !node.flow && isRecord(before) && isRecord(after) && sameKeys(node, before)) {
    const pairs = node.items;
    const kept = pairs.filter((p) => Object.hasOwn(after, keyOf(p) as string));
    const dropped = pairs.filter((p) => !kept.includes(p));
    // A dropped key's lines can go only when it starts its line (not `- key: …`).
    const ownLines = (p: Pair<Scalar>) => text.slice(lineStart(text, rangeOf(p.key)[0]), rangeOf(p.key)[0]).trim() === "";
    if (kept.length > 0 && dropped.every(ownLines)) {
      let end = 0;
      for (const pair of kept) {
        const key = keyOf(pair) as string;
        end = editYaml(ctx, pair.value, { kind: "pair", key: pair.key }, before[key], after[key]);
      }
      for (const pair of dropped) {
        const start = lineStart(text, rangeOf(pair.key)[0]);
        const end = lineEnd(text, contentEnd(text, pair.value ?? pair.key));
        // The last line of a file without a final newline goes with the line break before it.
        edits.push(end < text.length ? { start, end: end + 1, text: "" } : { start: Math.max(0, start - 1), end, text: "" });
      }
      const added = Object.keys(after).filter((k) => !Object.hasOwn(before, k));
      if (added.length > 0) {
        const mapStart = rangeOf(node)[0];
        const pad = " ".repeat(mapStart - lineStart(text, mapStart));
        const printed = printYaml("root", Object.fromEntries(added.map((k) => [k, after[k]])), style);
        const at = lineEnd(text, end);
        edits.push({ start: at, end: at, text: `\n${pad}${indentRest(printed, pad)}` });
      }
      return end;
    }
  }
  if (isSeq(node) && !node.flow && Array.isArray(before) && Array.isArray(after) && before.length === after.length && node.items.length > 0 && node.items.length === after.length) {
    return node.items.reduce<number>((_, item, i) => editYaml(ctx, item, { kind: "item" }, before[i], after[i]), 0);
  }
  return replaceYaml(ctx, node, slot, after);
}

/** Applies edits given in the coordinates of the original text, refusing overlapping ones. */
function apply(text: string, edits: readonly Edit[]): string {
  // From the end backwards, so earlier offsets stay valid; at one offset a removal goes first
  // and insertions made later (an outer map's new keys) end up after earlier ones (an inner
  // map's).
  const order = edits.map((edit, i) => ({ ...edit, i })).sort((a, b) => b.start - a.start || b.end - a.end || b.i - a.i);
  let out = text;
  let limit = text.length;
  for (const edit of order) {
    if (edit.end > limit) throw new CannotSplice();
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
    limit = edit.start;
  }
  return out;
}

/** Whether a parsed document is JSON: its content is a flow collection (`{…}` or `[…]`). */
export function isJsonDocument(document: Document.Parsed): boolean {
  return isCollection(document.contents) && document.contents.flow === true;
}

/** The indentation of a JSON document as `JSON.stringify` takes it; undefined when it is on one line. */
function jsonIndent(text: string, document: Document.Parsed): string | undefined {
  const [start, end] = rangeOf(document.contents);
  const source = text.slice(start, end);
  if (!source.includes("\n")) return undefined;
  return /\n([ \t]+)\S/.exec(source)?.[1] ?? "  ";
}

/**
 * The file's `text` with `document` (one of its parsed documents) changed from `before` to
 * `after` (the document's whole value), rewriting only the values that differ; every other
 * byte of the file is kept. Undefined when the document's layout is beyond a splice.
 */
export function editDocumentText(text: string, document: Document.Parsed, before: unknown, after: unknown, style: ToStringOptions): string | undefined {
  const json = isJsonDocument(document);
  const ctx: Context = { text, edits: [], indent: json ? jsonIndent(text, document) : undefined, style };
  try {
    if (json) editJson(ctx, document.contents, before, after);
    else editYaml(ctx, document.contents, { kind: "root" }, before, after);
    return apply(text, ctx.edits);
  } catch (error) {
    if (error instanceof CannotSplice) return undefined;
    throw error;
  }
}

/**
 * The file's `text` with a JSON `document` printed afresh as `after`, in the document's
 * indentation: the fallback when a splice cannot express a change, still valid JSON.
 */
export function rewriteJsonDocument(text: string, document: Document.Parsed, after: unknown): string {
  const [start, end] = rangeOf(document.contents);
  return text.slice(0, start) + indentRest(JSON.stringify(after, null, jsonIndent(text, document)), lineIndent(text, start)) + text.slice(end);
}
