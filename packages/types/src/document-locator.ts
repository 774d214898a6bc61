import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { PathSegment } from "./validation-issue";

/**
 * Finds the line of a field in a parsed YAML document: the line of the field's key, or of the
 * closest parent that exists (a missing required field points at its parent).
 */
export function lineOf(doc: Document, lineCounter: LineCounter, segments: readonly PathSegment[]): number | undefined {
  const lineAt = (node: { range?: [number, number, number] | null } | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  let node: unknown = doc.contents;
  let line = lineAt(doc.contents as Node | null);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      line = lineAt(pair.key as Node) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      line = lineAt(item) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}
