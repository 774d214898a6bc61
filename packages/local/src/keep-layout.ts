import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node } from "yaml";
import { jsonEqual } from "@iter8ts/resources";

/**
 * Puts back the spacing the `yaml` library normalises when it re-prints a document: the padding
 * inside flow collections (`[a, b]` printed as `[ a, b ]`, or the other way round when one file
 * mixes both) and the run of spaces before a trailing comment (`value   # note` printed as
 * `value # note`). A printed line takes the text of the original line that differs from it only
 * in that whitespace (and has the same indentation); lines that changed are left as printed.
 *
 * Only whitespace is restored, and the result must read back as the printed text does, else the
 * printed text is returned: a quoted string whose inner spacing happens to look like layout can
 * never be turned into another value.
 */
export function restoreLineLayout(original: string, printed: string): string {
  const byKey = new Map<string, string | null>();
  for (const line of original.split("\n")) {
    const key = layoutKey(line);
    const seen = byKey.get(key);
    // Two different original lines with one key: it is not known which one a printed line was.
    byKey.set(key, seen === undefined || seen === line ? line : null);
  }
  let changed = false;
  const restored = printed.split("\n").map((line) => {
    const before = byKey.get(layoutKey(line));
    if (typeof before !== "string" || before === line) return line;
    changed = true;
    return before;
  });
  if (!changed) return printed;
  const text = restored.join("\n");
  return sameContent(text, printed) ? text : printed;
}

/** Quoted strings, whose spacing is content: left out of the normalising below. */
const QUOTED = /("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')/;

/**
 * A line with the layout whitespace taken out: indentation kept; outside quoted strings, runs of
 * spaces made one, and the spaces inside flow brackets, before commas and before `#` dropped.
 */
function layoutKey(line: string): string {
  const indent = /^[ \t]*/.exec(line)?.[0] ?? "";
  const body = line
    .slice(indent.length)
    .trimEnd()
    .split(QUOTED)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/[ \t]+/g, " ")
            .replace(/([[{]) /g, "$1")
            .replace(/ ([\]},])/g, "$1")
            .replace(/ #/g, "#"),
    )
    .join("");
  return indent + body;
}

function sameContent(a: string, b: string): boolean {
  try {
    const read = (text: string) => parseAllDocuments(text, { prettyErrors: false }).map((d) => (d.errors.length ? Symbol("error") : d.toJS()));
    const [x, y] = [read(a), read(b)];
    return x.length === y.length && x.every((doc, i) => typeof doc !== "symbol" && jsonEqual(doc, y[i]));
  } catch {
    return false;
  }
}

/**
 * Gives a freshly created node tree the layout of the nodes it replaces, where keys and positions
 * match: flow or block collections, comments before and after, blank lines before, and the
 * quoting of strings that did not change. Used when a document has to be built afresh (a change
 * a splice or a node-by-node edit cannot express), so that it still looks like the file it was.
 */
export function carryNodeLayout(from: unknown, to: unknown): void {
  if (!from || !to || typeof from !== "object" || typeof to !== "object") return;
  const a = from as Node;
  const b = to as Node;
  if (a.commentBefore) b.commentBefore = a.commentBefore;
  if (a.comment) b.comment = a.comment;
  if (a.spaceBefore) b.spaceBefore = a.spaceBefore;
  if (isScalar(a) && isScalar(b)) {
    if (a.value === b.value && a.type) b.type = a.type;
    return;
  }
  if (isMap(a) && isMap(b)) {
    b.flow = a.flow ?? false;
    for (const pair of b.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      const same = a.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!same) continue;
      carryNodeLayout(same.key, pair.key);
      carryNodeLayout(same.value, pair.value);
    }
    return;
  }
  if (isSeq(a) && isSeq(b)) {
    b.flow = a.flow ?? false;
    b.items.forEach((item, i) => carryNodeLayout(a.items[i], item));
  }
}
